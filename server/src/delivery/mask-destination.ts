import type { OtpChannel } from '../../../electron/shared/api';

const maskMarker = '•••';
const fullyMaskedMobile = '***-***-****';
const revealedMobileDigitCount = 4;

// With fewer digits than this, the last four would give away most of the number.
const minimumDigitsToRevealTail = 7;

// Control, format (bidi overrides, zero-width) and unassigned characters would let a stored
// value disguise itself on screen or in a log line.
const invisibleCharacters = /\p{C}/gu;

/** Masks a destination for display and logs, whichever channel it belongs to. */
export function maskDestination(channel: OtpChannel, destination: string): string {
  return channel === 'email' ? maskEmail(destination) : maskMobile(destination);
}

/**
 * Masks an email address to its first character and its domain: `a•••@clinic.example`.
 * A value without a local part and a domain before and after the last `@` becomes `•••`.
 */
export function maskEmail(email: string): string {
  const cleaned = removeInvisibleCharacters(email).trim();
  const atIndex = cleaned.lastIndexOf('@');
  if (atIndex <= 0 || atIndex === cleaned.length - 1) {
    return maskMarker;
  }

  const [firstCharacter] = Array.from(cleaned.slice(0, atIndex));
  const domain = cleaned.slice(atIndex + 1);
  return `${firstCharacter ?? ''}${maskMarker}@${domain}`;
}

/**
 * Masks a phone number to its last four digits: `***-***-0003`.
 * A value with fewer than seven digits is masked completely.
 */
export function maskMobile(mobile: string): string {
  const digits = removeInvisibleCharacters(mobile).replace(/\D/g, '');
  if (digits.length < minimumDigitsToRevealTail) {
    return fullyMaskedMobile;
  }

  return `***-***-${digits.slice(-revealedMobileDigitCount)}`;
}

function removeInvisibleCharacters(value: unknown): string {
  return typeof value === 'string' ? value.replace(invisibleCharacters, '') : '';
}
