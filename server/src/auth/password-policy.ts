import type { PasswordPolicySummary } from '../../../electron/shared/api';
import type { ErrorCode, ErrorDetails } from '../../../electron/shared/error-codes';
import type { Practice } from '../practices/practice-repository';
import { isBlocklistedPassword } from './password-blocklist';
import { maxPasswordLength, normalizePassword } from './password-hash';

/** The absolute floor for a practice's minimum length, from NIST SP 800-63B. */
export const minPasswordLengthFloor = 8;

/** Context words shorter than this are too common inside ordinary words to reject on. */
const minContextWordLength = 4;

export type PasswordCheck = { ok: true } | { ok: false; code: PasswordRuleCode; details?: ErrorDetails };

export type PasswordRuleCode = Extract<
  ErrorCode,
  'PASSWORD_TOO_SHORT' | 'PASSWORD_TOO_LONG' | 'PASSWORD_BLOCKLISTED' | 'PASSWORD_REPETITIVE' | 'PASSWORD_CONTAINS_CONTEXT'
>;

export interface PasswordContext {
  /** The practice's minimum length; values below 8 count as 8. */
  minLength: number;
  username: string;
  email: string | null;
  practiceName: string;
}

/**
 * Checks a new password against the policy that first-time setup, change and reset share: the
 * length bounds in Unicode code points after NFKC normalization, the shipped blocklist, a password
 * made of one or two repeated characters, and words from the account's own context. No
 * composition rules apply, and any Unicode character is allowed.
 */
export function checkNewPassword(password: string, context: PasswordContext): PasswordCheck {
  const normalized = normalizePassword(password);
  const length = Array.from(normalized).length;
  const minLength = effectiveMinLength(context.minLength);
  if (length < minLength) {
    return { ok: false, code: 'PASSWORD_TOO_SHORT', details: { minPasswordLength: minLength } };
  }
  if (length > maxPasswordLength) {
    return { ok: false, code: 'PASSWORD_TOO_LONG' };
  }
  if (isBlocklistedPassword(normalized)) {
    return { ok: false, code: 'PASSWORD_BLOCKLISTED' };
  }
  if (new Set(Array.from(normalized.toLowerCase())).size <= 2) {
    return { ok: false, code: 'PASSWORD_REPETITIVE' };
  }
  const compact = toCompactText(normalized);
  if (listContextWords(context).some((word) => compact.includes(word))) {
    return { ok: false, code: 'PASSWORD_CONTAINS_CONTEXT' };
  }
  return { ok: true };
}

export function describePasswordPolicy(practice: Pick<Practice, 'minPasswordLength'>): PasswordPolicySummary {
  return { minLength: effectiveMinLength(practice.minPasswordLength), maxLength: maxPasswordLength };
}

/** Describes a rejection in one sentence for the command line, with the practice's real minimum. */
export function describePasswordRejection(check: Exclude<PasswordCheck, { ok: true }>): string {
  if (check.code === 'PASSWORD_TOO_SHORT') {
    return `The password is too short: use at least ${check.details?.minPasswordLength ?? minPasswordLengthFloor} characters.`;
  }
  const sentences: Record<Exclude<PasswordRuleCode, 'PASSWORD_TOO_SHORT'>, string> = {
    PASSWORD_TOO_LONG: `The password is too long: use at most ${maxPasswordLength} characters.`,
    PASSWORD_BLOCKLISTED: 'The password is on the list of common and breached passwords: choose another one.',
    PASSWORD_REPETITIVE: 'The password repeats the same one or two characters: choose another one.',
    PASSWORD_CONTAINS_CONTEXT: 'The password contains the username, the email name or the practice name: choose another one.',
  };
  return sentences[check.code];
}

function effectiveMinLength(minLength: number): number {
  return Math.max(minLength, minPasswordLengthFloor);
}

/**
 * Lists the words a guesser would try first for this account, in compact form: the username, the
 * local part of the email and the practice name, each whole and split into its words.
 */
function listContextWords(context: PasswordContext): string[] {
  const sources = [context.username, context.email?.split('@')[0] ?? '', context.practiceName];
  const words = new Set<string>();
  for (const source of sources) {
    const normalized = source.normalize('NFKC');
    words.add(toCompactText(normalized));
    for (const part of normalized.split(/[^\p{L}\p{N}]+/u)) {
      words.add(toCompactText(part));
    }
  }
  return [...words].filter((word) => Array.from(word).length >= minContextWordLength);
}

/** Lower-cases and keeps only letters and digits, so "Lake-side" and "lakeside" compare equal. */
function toCompactText(value: string): string {
  return value.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}
