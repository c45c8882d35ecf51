import { createHash, randomBytes } from 'node:crypto';

/** Base64url of 32 random bytes, the form of every bearer token the server issues. */
export const secretTokenPattern = '^[A-Za-z0-9_-]{43}$';

export function generateSecretToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Hashes a bearer token for storage. Plain SHA-256 is enough because the token carries
 * 256 random bits; a slow hash would add nothing but latency.
 */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
