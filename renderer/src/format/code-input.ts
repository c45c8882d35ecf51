/** Number of digits in a one-time code. */
export const codeLength = 6;

// Separators people paste along with a code: whitespace and the common dashes.
const codeSeparatorPattern = /[\s\-\u2010-\u2015\u2212]/gu;

/**
 * Normalizes typed or pasted text into the digits of a one-time code.
 *
 * Applies NFKC first, so full-width digits become ASCII, then removes whitespace and dashes.
 * Leading zeros stay. Returns null when anything other than digits remains or when there are
 * more than `length` digits, so the caller can reject the input instead of guessing. `length`
 * is `codeLength` for one-time codes, and `accountSetupCodeLength` for a setup code.
 */
export function normalizeCodeInput(text: string, length: number = codeLength): string | null {
  const digits = text.normalize('NFKC').replace(codeSeparatorPattern, '');
  if (!/^[0-9]*$/.test(digits)) {
    return null;
  }
  if (digits.length > length) {
    return null;
  }
  return digits;
}

export function isCompleteCode(digits: string, length: number = codeLength): boolean {
  return digits.length === length && /^[0-9]+$/.test(digits);
}

/** Returns "a 6-digit" or "an 8-digit": the article follows how the number is read aloud. */
export function describeDigitCount(length: number): string {
  // Numbers read with a leading vowel sound: eight, eleven, eighteen and eighty to eighty-nine.
  const isReadWithVowel = length === 8 || length === 11 || length === 18 || (length >= 80 && length <= 89);
  return `${isReadWithVowel ? 'an' : 'a'} ${length}-digit`;
}
