/** Number of digits in a one-time code. */
export const codeLength = 6;

// Separators people paste along with a code: whitespace and the common dashes.
const codeSeparatorPattern = /[\s\-\u2010-\u2015\u2212]/gu;

/**
 * Normalizes typed or pasted text into the digits of a one-time code.
 *
 * Applies NFKC first, so full-width digits become ASCII, then removes whitespace and dashes.
 * Leading zeros stay. Returns null when anything other than digits remains or when there are
 * more than `codeLength` digits, so the caller can reject the input instead of guessing.
 */
export function normalizeCodeInput(text: string): string | null {
  const digits = text.normalize('NFKC').replace(codeSeparatorPattern, '');
  if (!/^[0-9]*$/.test(digits)) {
    return null;
  }
  if (digits.length > codeLength) {
    return null;
  }
  return digits;
}

export function isCompleteCode(digits: string): boolean {
  return digits.length === codeLength && /^[0-9]+$/.test(digits);
}
