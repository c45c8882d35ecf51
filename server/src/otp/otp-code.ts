import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const otpCodePattern = '^[0-9]{6}$';
export const otpCodeTtlMs = 10 * 60_000;

/** Source of uniform integers in [min, max); `crypto.randomInt` in production, scripted in tests. */
export type RandomIntSource = (min: number, max: number) => number;

export function generateOtpCode(randomIntSource: RandomIntSource = randomInt): string {
  return String(randomIntSource(0, 1_000_000)).padStart(6, '0');
}

/** Keys the hash with the challenge id so a stored hash is useless for any other challenge. */
export function hashOtpCode(secret: Buffer, challengeId: string, code: string): string {
  return createHmac('sha256', secret).update(`${challengeId}:${code}`, 'utf8').digest('hex');
}

/** Compares in constant time so response timing reveals nothing about how many digits matched. */
export function isOtpCodeMatch(secret: Buffer, challengeId: string, code: string, storedHash: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = Buffer.from(hashOtpCode(secret, challengeId, code), 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
