import zxcvbnCommon from '@zxcvbn-ts/language-common';

let blocklist: ReadonlySet<string> | null = null;

/**
 * Reports whether a password is on the shipped list of common and breached passwords: the 49,000
 * entries of `@zxcvbn-ts/language-common` (MIT), compared after NFKC normalization and lower-casing.
 * The list is read into memory on first use and kept for the life of the process.
 */
export function isBlocklistedPassword(password: string): boolean {
  const list = loadPasswordBlocklist();
  const key = toBlocklistKey(password);
  if (list.has(key)) {
    return true;
  }
  // "sunshine2024!" is "sunshine" with the digits and symbols people most often append.
  const base = key.replace(/[\p{N}\p{P}\p{S}\s]+$/u, '');
  return base.length >= 4 && base !== key && list.has(base);
}

/** Loads the blocklist now instead of on the first password check, so that check is not slower. */
export function loadPasswordBlocklist(): ReadonlySet<string> {
  if (blocklist === null) {
    const entries = zxcvbnCommon.dictionary['passwords-common'] ?? [];
    blocklist = new Set(entries.map(toBlocklistKey));
  }
  return blocklist;
}

function toBlocklistKey(password: string): string {
  return password.normalize('NFKC').toLowerCase();
}
