import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const secretLengthBytes = 32;

/**
 * Reads the HMAC key that protects stored one-time codes, creating 32 random bytes with mode 0600
 * on first start. Losing the file only invalidates codes already sent.
 */
export function loadOrCreateOtpSecret(secretFile: string): Buffer {
  if (!existsSync(secretFile)) {
    mkdirSync(path.dirname(secretFile), { recursive: true, mode: 0o700 });
    // `wx` fails instead of overwriting when another instance created the file a moment ago.
    try {
      writeFileSync(secretFile, randomBytes(secretLengthBytes), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error;
      }
    }
    chmodSync(secretFile, 0o600);
  }
  const secret = readFileSync(secretFile);
  if (secret.length !== secretLengthBytes) {
    throw new Error(
      `otp.secretFile ${secretFile} is invalid: it contains ${secret.length} bytes, expected ${secretLengthBytes}. Restore the original file or delete it to create a new key.`,
    );
  }
  return secret;
}
