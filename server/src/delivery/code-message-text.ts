import type { CodeMessage } from './types';

/** Longest SMS text that still fits one GSM-7 segment. */
export const maxSmsTextLength = 160;

const fallbackPracticeName = 'your practice';
const truncationMarker = '...';

/** Formats the subject and plain-text body of a code email. The subject never contains the code. */
export function formatCodeEmail(message: CodeMessage): CodeEmailText {
  if (message.purpose === 'account_setup') {
    return formatAccountSetupEmail(message);
  }
  const practiceName = cleanPracticeName(message.practiceName);
  const codeName = describeCodePurpose(message.purpose, message.channel);
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
    `Your ClinicGate ${describeCodePurpose(message.purpose, message.channel)} for ${name} is ${message.code}. ` +
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

/**
 * Formats the welcome email of a new account: the practice, the username, the setup code and how
 * to use it, when it expires, and what to do when the account was not expected. The code is shown
 * in two groups of four digits, which are easier to copy by eye; the setup screen ignores the space.
 */
export function formatAccountSetupEmail(message: CodeMessage): CodeEmailText {
  const practiceName = cleanPracticeName(message.practiceName);
  const account = message.newAccount;
  const username = cleanLine(account?.username ?? '', 'the username your practice administrator gives you');
  const greeting = `Hello ${cleanLine(account?.displayName ?? '', 'there')},`;
  const validity = formatMinutes(message.expiresInMinutes);
  const expiry = account === undefined ? '' : ` (at ${formatUtcTime(account.codeExpiresAt)})`;

  const subject = `Welcome to ClinicGate at ${practiceName}: set up your account`;
  const text = [
    greeting,
    '',
    `${practiceName} created a ClinicGate account for you.`,
    '',
    `    Username:    ${username}`,
    `    Setup code:  ${groupDigits(message.code)}`,
    '',
    'To choose your password:',
    '  1. Open ClinicGate on a practice workstation.',
    '  2. On the sign-in screen, choose "New here? Set up your account".',
    '  3. Enter your username (or this email address) and the setup code, then choose your password.',
    'After that, sign in with your username and the new password. ClinicGate may also ask for a one-time code that it sends to you.',
    '',
    `The setup code expires in ${validity}${expiry} and works only once. If it expires, or after 5 wrong tries, ask your practice administrator to send a new one.`,
    'Nobody at the practice sees or sets your password. Do not share this code with anyone.',
    '',
    'If you did not expect this email, do not use the code. Ignore this message or tell the practice: nobody can use the account without the code.',
    '',
    '-- ',
    `Sent automatically by ClinicGate for ${practiceName}.`,
    '',
  ].join('\n');

  return { subject, text };
}

/** Names the code, as it reads in "Your ClinicGate <name> for <practice> is ...". */
function describeCodePurpose(purpose: CodeMessage['purpose'], channel: CodeMessage['channel']): string {
  switch (purpose) {
    case 'account_setup':
      return 'account setup code';
    case 'password_reset':
      return 'password reset code';
    case 'contact_change':
      // The code goes to the new value itself, so the channel names what is being confirmed.
      return channel === 'sms' ? 'code to confirm your new mobile number' : 'code to confirm your new email address';
    case 'sign_in':
      return 'sign-in code';
  }
}

function describeUnexpectedCode(purpose: CodeMessage['purpose']): string {
  if (purpose === 'password_reset') {
    return 'If you did not ask to reset your password, do not use this code and tell your practice administrator. Your password has not been changed.';
  }
  if (purpose === 'account_setup') {
    return 'If you did not expect a ClinicGate account, do not use this code and tell the practice.';
  }
  if (purpose === 'contact_change') {
    return 'Someone asked to use this address for a ClinicGate account. If it was not you, ignore this message; nothing changes without the code.';
  }

  return 'If you did not try to sign in, change your password and tell your practice administrator.';
}

function formatMinutes(minutes: number): string {
  if (minutes >= 120 && minutes % 60 === 0) {
    return `${minutes / 60} hours`;
  }
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

function formatUtcTime(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) {
    return 'an unknown time';
  }
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Splits a long code into groups of four digits, like `0123 4567`; a 6-digit code stays whole. */
function groupDigits(code: string): string {
  return code.length > 6 ? (code.match(/.{1,4}/g) ?? [code]).join(' ') : code;
}

// The name ends up in a mail header and in a one-line SMS, so line breaks and other
// control characters are removed and runs of whitespace become one space.
function cleanPracticeName(practiceName: string): string {
  return cleanLine(practiceName, fallbackPracticeName);
}

function cleanLine(value: string, fallback: string): string {
  const cleaned = value
    .replace(/\p{C}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return cleaned === '' ? fallback : cleaned;
}

export interface CodeEmailText {
  subject: string;
  text: string;
}
