import type { CodeMessage } from './types';

/** Longest SMS text that still fits one GSM-7 segment. */
export const maxSmsTextLength = 160;

const fallbackPracticeName = 'your practice';
const truncationMarker = '...';

/** Formats the subject and plain-text body of a code email. The subject never contains the code. */
export function formatCodeEmail(message: CodeMessage): CodeEmailText {
  const practiceName = cleanPracticeName(message.practiceName);
  const codeName = describeCodePurpose(message.purpose);
  const validity = formatMinutes(message.expiresInMinutes);

  const subject = `Your ClinicGate ${codeName} for ${practiceName}`;
  const text = [
    `Your ClinicGate ${codeName} for ${practiceName} is:`,
    '',
    `    ${message.code}`,
    '',
    `Enter it on the ClinicGate code screen. It expires in ${validity} and works only once.`,
    'Do not share this code with anyone.',
    '',
    describeUnexpectedCode(message.purpose),
    '',
    '-- ',
    `Sent automatically by ClinicGate for ${practiceName}.`,
    '',
  ].join('\n');

  return { subject, text };
}

/**
 * Formats the SMS text of a code, which starts with the code's purpose. A long practice
 * name is shortened so that the text stays within one segment of `maxSmsTextLength`.
 */
export function formatCodeSms(message: CodeMessage): string {
  const practiceName = cleanPracticeName(message.practiceName);
  const buildText = (name: string): string =>
    `Your ClinicGate ${describeCodePurpose(message.purpose)} for ${name} is ${message.code}. ` +
    `It expires in ${formatMinutes(message.expiresInMinutes)}. Don't share it.`;

  const text = buildText(practiceName);
  if (text.length <= maxSmsTextLength) {
    return text;
  }

  const nameLength = practiceName.length - (text.length - maxSmsTextLength) - truncationMarker.length;
  // NOTE: A name with characters outside the GSM-7 alphabet makes the carrier send the text
  // as UCS-2, where one segment contains at most 70 characters, so such a text may arrive in two parts.
  return buildText(practiceName.slice(0, Math.max(nameLength, 1)).trimEnd() + truncationMarker);
}

function describeCodePurpose(purpose: CodeMessage['purpose']): string {
  switch (purpose) {
    case 'password_reset':
      return 'password reset code';
    case 'contact_change':
      return 'verification code';
    case 'sign_in':
      return 'sign-in code';
  }
}

function describeUnexpectedCode(purpose: CodeMessage['purpose']): string {
  if (purpose === 'password_reset') {
    return 'If you did not ask to reset your password, do not use this code and tell your practice administrator. Your password has not been changed.';
  }
  if (purpose === 'contact_change') {
    return 'Someone asked to use this address for a ClinicGate account. If it was not you, ignore this message; nothing changes without the code.';
  }

  return 'If you did not try to sign in, change your password and tell your practice administrator.';
}

function formatMinutes(minutes: number): string {
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

// The name ends up in a mail header and in a one-line SMS, so line breaks and other
// control characters are removed and runs of whitespace become one space.
function cleanPracticeName(practiceName: string): string {
  const cleaned = practiceName
    .replace(/\p{C}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return cleaned === '' ? fallbackPracticeName : cleaned;
}

export interface CodeEmailText {
  subject: string;
  text: string;
}
