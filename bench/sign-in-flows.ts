import type { BenchServerMessage } from './ipc-messages';
import type { JsonRequest, LoadClient } from './load-client';
import { benchEmail, benchPassword, benchUsername } from './seed-data';

/** A challenge with its delivered code, ready for a measured verify request. */
export interface PreparedChallenge {
  challengeToken: string;
  code: string;
}

/** Codes the bench server handed over by IPC, keyed by destination, waiting to be typed in. */
export class CodeBook {
  private readonly codes = new Map<string, string>();
  private readonly waiters = new Map<string, (code: string) => void>();

  receive(message: BenchServerMessage): void {
    if (message.type !== 'code') {
      return;
    }
    const waiter = this.waiters.get(message.to);
    if (waiter === undefined) {
      this.codes.set(message.to, message.code);
      return;
    }
    this.waiters.delete(message.to);
    waiter(message.code);
  }

  /** Resolves with the newest code sent to `destination`, waiting up to 10 s for it to arrive. */
  take(destination: string): Promise<string> {
    const code = this.codes.get(destination);
    if (code !== undefined) {
      this.codes.delete(destination);
      return Promise.resolve(code);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(destination);
        reject(new Error(`no code arrived for ${destination} within 10 s`));
      }, 10_000);
      this.waiters.set(destination, (received) => {
        clearTimeout(timer);
        resolve(received);
      });
    });
  }
}

export function passwordRequest(username: string, password: string, deviceFingerprint: string): JsonRequest {
  return { method: 'POST', path: '/api/v1/auth/password', body: { username, password, deviceFingerprint } };
}

export function benchPasswordRequest(userIndex: number, deviceFingerprint: string): JsonRequest {
  return passwordRequest(benchUsername(userIndex), benchPassword, deviceFingerprint);
}

export function verifyRequest(challenge: PreparedChallenge, deviceFingerprint: string): JsonRequest {
  return {
    method: 'POST',
    path: '/api/v1/auth/otp/verify',
    body: { challengeToken: challenge.challengeToken, code: challenge.code, deviceFingerprint, rememberDevice: false },
  };
}

/** Reads the challenge token from a password-step reply, or throws with the reply's status. */
export function challengeTokenOf(response: { status: number; body: unknown }): string {
  const body = response.body as { status?: string; challenge?: { challengeToken?: string } } | null;
  const token = body?.challenge?.challengeToken;
  if (response.status !== 200 || body?.status !== 'mfa_required' || token === undefined) {
    throw new Error(`password step failed: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return token;
}

/** Sends a code by email for the challenge and waits for the bench server to hand it over. */
export async function sendAndReadCode(client: LoadClient, codes: CodeBook, challengeToken: string, email: string): Promise<string> {
  const sent = await client.request({ method: 'POST', path: '/api/v1/auth/otp/send', body: { challengeToken, channel: 'email' } });
  if (sent.status !== 200) {
    throw new Error(`code send failed: HTTP ${sent.status} ${JSON.stringify(sent.body)}`);
  }
  return codes.take(email);
}

/**
 * Runs the password step and a code send for each user index, `concurrency` at a time, and
 * returns the challenges with their codes. This is the unmeasured setup of the verify phases.
 */
export async function prepareChallenges(input: {
  client: LoadClient;
  codes: CodeBook;
  userIndexes: readonly number[];
  deviceFingerprint: string;
  concurrency: number;
}): Promise<PreparedChallenge[]> {
  const prepared: PreparedChallenge[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < input.userIndexes.length) {
      const userIndex = input.userIndexes[next] as number;
      next += 1;
      const passwordReply = await input.client.request(benchPasswordRequest(userIndex, input.deviceFingerprint));
      const challengeToken = challengeTokenOf(passwordReply);
      const code = await sendAndReadCode(input.client, input.codes, challengeToken, benchEmail(userIndex));
      prepared.push({ challengeToken, code });
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  return prepared;
}
