import { maxPasswordLength, normalizePassword } from './password-hash';

/** The absolute floor for a practice's minimum length, from NIST SP 800-63B. */
export const minPasswordLengthFloor = 8;

/**
 * Checks a new password against the length rules: at least `minLength` and at most 1024 characters
 * after NFKC normalization, counted in Unicode code points. No composition rules apply.
 * TODO: reject passwords found on the shipped blocklist of common and breached passwords.
 */
export function checkNewPassword(password: string, minLength: number): string | null {
  const length = Array.from(normalizePassword(password)).length;
  const required = Math.max(minLength, minPasswordLengthFloor);
  if (length < required) {
    return `The password is too short: use at least ${required} characters (received ${length}).`;
  }
  if (length > maxPasswordLength) {
    return `The password is too long: use at most ${maxPasswordLength} characters (received ${length}).`;
  }
  return null;
}
