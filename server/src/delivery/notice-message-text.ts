import { maxSmsTextLength } from './code-message-text';
import type { NoticeMessage } from './types';

/** Formats the subject and plain-text body of a security notice email. */
export function formatNoticeEmail(message: NoticeMessage): NoticeEmailText {
  const practiceName = cleanLine(message.practiceName, 'your practice');
  const workstationName = cleanLine(message.workstationName, 'an unnamed workstation');
  const location = cleanLine(message.location, 'an unknown location');
  const time = formatUtcTime(message.occurredAt);
  const greeting = `Hello ${cleanLine(message.displayName, 'there')},`;

  const event = describeNoticeEvent(message, practiceName);
  // Only sign-in events have a workstation and a place.
  const isLocationShown = message.kind !== 'contact_changed';
  const factLines = isLocationShown
    ? [`    Workstation: ${workstationName}`, `    Approximate location: ${location}`, `    Time: ${time}`]
    : [`    Time: ${time}`];
  const locationNote = isLocationShown ? ' Locations come from an offline IP database and are approximate.' : '';

  const text = [
    greeting,
    '',
    event.summary,
    '',
    ...factLines,
    '',
    event.advice,
    event.reassurance ?? 'If it was you, there is nothing to do.',
    '',
    '-- ',
    `Sent automatically by ClinicGate for ${practiceName}.${locationNote}`,
    '',
  ].join('\n');
  return { subject: event.subject, text };
}

/**
 * Formats the SMS text of a security notice: the practice, what happened and whom to contact, with
 * no code and no link. A long practice name is shortened so that the text fits `maxSmsTextLength`.
 */
export function formatNoticeSms(message: NoticeMessage): string {
  const practiceName = cleanLine(message.practiceName, 'your practice');
  const buildText = (name: string): string => `ClinicGate: ${describeNoticeSmsEvent(message, name)}`;

  const text = buildText(practiceName);
  if (text.length <= maxSmsTextLength) {
    return text;
  }
  const nameLength = practiceName.length - (text.length - maxSmsTextLength) - smsTruncationMarker.length;
  return buildText(practiceName.slice(0, Math.max(nameLength, 1)).trimEnd() + smsTruncationMarker);
}

const smsTruncationMarker = '...';

function describeNoticeSmsEvent(message: NoticeMessage, practiceName: string): string {
  const account = `your ${practiceName} account`;
  const ifNotYou = 'If this was not you, contact your practice.';
  switch (message.kind) {
    case 'contact_changed': {
      const contact = message.changedContact;
      const contactName = contact?.channel === 'email' ? 'email address' : 'mobile number';
      const isRemoved = contact?.maskedNewValue === null;
      if (contact?.changedBy === 'practice_admin') {
        const change = isRemoved ? `removed the ${contactName} from ${account}` : `changed the ${contactName} on ${account}`;
        return `your practice administrator ${change}. If you did not ask for this, contact your practice.`;
      }
      return `the ${contactName} on ${account} was ${isRemoved ? 'removed' : 'changed'}. ${ifNotYou}`;
    }
    case 'workstation_remembered':
      return `a new workstation was remembered for ${account}. ${ifNotYou}`;
    case 'unusual_location_sign_in':
      return `someone signed in to ${account} from an unusual location. ${ifNotYou}`;
    case 'password_reset':
      return `the password for ${account} was reset. ${ifNotYou}`;
    case 'password_changed':
      return `the password for ${account} was changed. ${ifNotYou}`;
  }
}

function describeNoticeEvent(message: NoticeMessage, practiceName: string): NoticeEvent {
  switch (message.kind) {
    case 'workstation_remembered':
      return {
        subject: `ClinicGate: a new workstation was remembered for your ${practiceName} account`,
        summary: 'A workstation was remembered for your ClinicGate account, so it can sign in without a code until its trust expires.',
        advice:
          'If this was not you, sign in, open "Trusted workstations" and revoke this workstation, change your password, and tell your practice administrator.',
      };
    case 'unusual_location_sign_in':
      return {
        subject: `ClinicGate: sign-in to ${practiceName} from an unusual location`,
        summary: 'Someone signed in to your ClinicGate account from a location outside your practice\'s usual access pattern, after entering a one-time code.',
        advice:
          'If this was not you, change your password now, revoke any workstation you do not recognize under "Trusted workstations", and tell your practice administrator.',
      };
    case 'password_reset':
      return {
        subject: `ClinicGate: the password for your ${practiceName} account was reset`,
        summary:
          'The password for your ClinicGate account was reset with a code sent to this email address. Every session was signed out and every remembered workstation was forgotten.',
        advice: 'If this was not you, tell your practice administrator now: someone who can read this mailbox may have taken over your account.',
      };
    case 'contact_changed':
      return describeContactChange(message, practiceName);
    case 'password_changed':
      return {
        subject: `ClinicGate: the password for your ${practiceName} account was changed`,
        summary: 'The password for your ClinicGate account was changed while signed in. Your sessions on other workstations were signed out.',
        advice: 'If this was not you, use "Forgot password?" on the sign-in screen to set a new password, and tell your practice administrator.',
      };
  }
}

function describeContactChange(message: NoticeMessage, practiceName: string): NoticeEvent {
  const contact = message.changedContact;
  const contactName = contact?.channel === 'sms' ? 'mobile number' : 'email address';
  const subject = `ClinicGate: the contact details of your ${practiceName} account were changed`;
  const isByAdministrator = contact?.changedBy === 'practice_admin';

  let summary: string;
  if (contact?.maskedNewValue === null) {
    // Only a mobile number can be removed, and codes then go by email.
    summary = isByAdministrator
      ? `Your practice administrator removed the ${contactName} from your ClinicGate account, so sign-in codes now go to your email address.`
      : `The ${contactName} was removed from your ClinicGate account, so sign-in codes now go to your email address.`;
  } else {
    const newValue = cleanLine(contact?.maskedNewValue ?? '', 'a new value');
    summary = isByAdministrator
      ? `Your practice administrator changed the ${contactName} for sign-in codes on your ClinicGate account to ${newValue}. Codes now go there.`
      : `The ${contactName} for sign-in codes on your ClinicGate account was changed to ${newValue}. Codes now go there.`;
  }

  if (isByAdministrator) {
    return {
      subject,
      summary,
      advice: 'If you did not ask for this change, tell your practice administrator now.',
      reassurance: 'If you asked for it, there is nothing to do.',
    };
  }
  return { subject, summary, advice: 'If this was not you, tell your practice administrator now and change your password.' };
}

function formatUtcTime(isoTime: string): string {
  const date = new Date(isoTime);
  if (Number.isNaN(date.getTime())) {
    return 'unknown time';
  }
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

// Names end up in a mail header or one line of the body, so control characters and line breaks go.
function cleanLine(value: string, fallback: string): string {
  const cleaned = value
    .replace(/\p{C}/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
  return cleaned === '' ? fallback : cleaned;
}

export interface NoticeEmailText {
  subject: string;
  text: string;
}

interface NoticeEvent {
  subject: string;
  summary: string;
  advice: string;
  /** The line after the advice; "If it was you, there is nothing to do." when absent. */
  reassurance?: string;
}
