import argon2 from 'argon2';
import type { Argon2Settings } from '../config';

export const maxPasswordLength = 1024;

export interface PasswordHasher {
  hashPassword(password: string): Promise<string>;
  /**
   * Verifies `password` against `storedHash`, or against a dummy hash when the user does not
   * exist, so an unknown username costs the same Argon2 work as a wrong password.
   */
  verifyPassword(storedHash: string | null, password: string): Promise<boolean>;
  isHashWeakerThanConfigured(storedHash: string): boolean;
}

/**
 * Builds a hasher for the configured Argon2id parameters. Hashing runs on libuv's thread pool
 * (argon2's async API), so the event loop stays free while a password is checked.
 */
export async function createPasswordHasher(settings: Argon2Settings): Promise<PasswordHasher> {
  const options = {
    type: argon2.argon2id,
    memoryCost: settings.memoryKiB,
    timeCost: settings.timeCost,
    parallelism: settings.parallelism,
  } as const;
  const hashPassword = (password: string): Promise<string> => argon2.hash(normalizePassword(password), options);
  const dummyHash = await hashPassword('clinicgate dummy password for unknown usernames');

  return {
    hashPassword,
    async verifyPassword(storedHash, password) {
      const hash = storedHash ?? dummyHash;
      try {
        const isMatch = await argon2.verify(hash, normalizePassword(password));
        return storedHash !== null && isMatch;
      } catch {
        // A malformed stored hash must not reveal itself through a faster or different reply.
        await argon2.verify(dummyHash, normalizePassword(password));
        return false;
      }
    },
    isHashWeakerThanConfigured(storedHash) {
      const parameters = parsePhcParameters(storedHash);
      if (parameters === null) {
        return true;
      }
      return parameters.memoryKiB < settings.memoryKiB || parameters.timeCost < settings.timeCost;
    },
  };
}

/** Applies NFKC so the same password typed on different keyboards or input methods hashes the same. */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Reads the cost parameters of an Argon2id PHC string; argon2 0.45 writes them as `m=…,p=…,t=…`. */
export function parsePhcParameters(hash: string): { memoryKiB: number; timeCost: number; parallelism: number } | null {
  const match = /^\$argon2id\$v=19\$([a-z0-9=,]+)\$/.exec(hash);
  if (match?.[1] === undefined) {
    return null;
  }
  const parameters = new Map(match[1].split(',').map((pair) => pair.split('=') as [string, string]));
  const memoryKiB = Number(parameters.get('m'));
  const timeCost = Number(parameters.get('t'));
  const parallelism = Number(parameters.get('p'));
  if (![memoryKiB, timeCost, parallelism].every((value) => Number.isInteger(value) && value > 0)) {
    return null;
  }
  return { memoryKiB, timeCost, parallelism };
}
