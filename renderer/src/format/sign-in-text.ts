import type { MfaReason, OtpChannel, Role } from '../../../electron/shared/api';

const reasonSentences: Record<MfaReason, string> = {
  new_workstation: "This workstation is not remembered for your account, so we need to confirm it's you.",
  required_by_practice: 'Your practice requires a code at every sign-in.',
  unusual_location: "This sign-in is from an unusual location, so we need to confirm it's you.",
};

const channelNames: Record<OtpChannel, string> = {
  email: 'email',
  sms: 'text message',
};

const roleNames: Record<Role, string> = {
  front_desk: 'Front desk',
  clinician: 'Clinician',
  billing: 'Billing',
  practice_admin: 'Practice administrator',
};

export function describeMfaReason(reason: MfaReason): string {
  return reasonSentences[reason];
}

/** Returns the channel as it reads in "by email" or "by text message". */
export function describeChannel(channel: OtpChannel): string {
  return channelNames[channel];
}

export function describeRole(role: Role): string {
  return roleNames[role];
}

export function describeAttemptsRemaining(attemptsRemaining: number): string {
  return attemptsRemaining === 1 ? '1 attempt left' : `${attemptsRemaining} attempts left`;
}
