import type { PracticeSettingName } from '../../../electron/shared/api';

/** Label, unit and hint of one number setting in the Security pane. */
export interface PracticeSettingText {
  label: string;
  unit: string;
  /** Explanation of the setting, shown under its range. */
  hint?: string;
}

/** Settings with a number field in the Limits group, in the order the pane shows them. */
export const limitSettingNames = [
  'idle_timeout_minutes',
  'absolute_timeout_minutes',
  'device_trust_days',
  'min_password_length',
  'audit_retention_days',
] as const satisfies readonly PracticeSettingName[];

/**
 * Code and password limits, in the order the pane shows them. The server allows only values as strict
 * as the product default or stricter, and its message names the reason when a value is looser.
 */
export const codeLimitSettingNames = [
  'resend_cooldown_seconds',
  'code_sends_per_hour',
  'wrong_codes_per_challenge',
  'wrong_codes_per_account_lockout',
  'failed_passwords_per_account',
] as const satisfies readonly PracticeSettingName[];

export type NumberSettingName = (typeof limitSettingNames)[number] | (typeof codeLimitSettingNames)[number];

export const enforcementLabel = 'Require MFA for every sign-in';
export const trustedNetworksLabel = 'Trusted networks';

export const numberSettingTexts: Readonly<Record<NumberSettingName, PracticeSettingText>> = {
  idle_timeout_minutes: { label: 'Idle time-out', unit: 'minutes' },
  absolute_timeout_minutes: { label: 'Session lifetime', unit: 'minutes' },
  device_trust_days: { label: 'Remembered workstation trust', unit: 'days' },
  min_password_length: { label: 'Minimum password length', unit: 'characters' },
  audit_retention_days: { label: 'Audit log retention', unit: 'days' },
  resend_cooldown_seconds: {
    label: 'Wait between code sends',
    unit: 'seconds',
    hint: 'How long someone waits on the code screen before another code can be sent. The default, 30 seconds, is the shortest allowed.',
  },
  code_sends_per_hour: {
    label: 'Codes per person per hour',
    unit: 'codes',
    hint: 'Sign-in and password reset codes count together. The default, 5, is the most allowed.',
  },
  wrong_codes_per_challenge: {
    label: 'Wrong codes before a new code is needed',
    unit: 'codes',
    hint: 'After this many wrong codes, even the right code is refused until a new one is sent. The default, 5, is the most allowed.',
  },
  wrong_codes_per_account_lockout: {
    label: 'Wrong codes in a row before the account locks',
    unit: 'codes',
    hint:
      'Each lockout lasts longer: 15 minutes, 1 hour, 4 hours, then 24 hours. The fifth, after 5 times this many wrong codes in a row, ' +
      'lasts until an administrator unlocks the account. The default, 10, is the most allowed.',
  },
  failed_passwords_per_account: {
    label: 'Wrong passwords per username in 15 minutes',
    unit: 'passwords',
    hint: 'After this many, sign-in with that username waits until the 15 minutes are over. The default, 10, is the most allowed.',
  },
};

/** The pane's label for each name the server uses in its messages. */
const settingLabels: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.entries(numberSettingTexts).map(([name, text]) => [name, text.label])),
  require_mfa_always: enforcementLabel,
  trusted_networks: trustedNetworksLabel,
};

/** The number setting being saved, with the range the server reported for it. */
export interface NumberSettingInput {
  name: NumberSettingName;
  /** The text in the field, as typed. */
  text: string;
  min: number;
  max: number;
}

/** Parses the text of a number field, or returns null when it is not a whole number within the setting's range. */
export function parseNumberSetting(input: NumberSettingInput): number | null {
  const trimmed = input.text.trim();
  if (!/^[0-9]{1,6}$/.test(trimmed)) {
    return null;
  }
  const value = Number(trimmed);
  return value >= input.min && value <= input.max ? value : null;
}

/** Builds the sentence that requests a value inside a number setting's range. */
export function describeNumberSettingRange(input: NumberSettingInput): string {
  const text = numberSettingTexts[input.name];
  return `${text.label}: enter a whole number from ${input.min} to ${input.max} ${text.unit}.`;
}

/**
 * Rewrites the server's message about a rejected number setting for the pane. The server names the
 * setting by its internal name, so the pane's label replaces it. A value outside the range gets the
 * range sentence first, followed by any reason the server gives for the limit.
 */
export function describeNumberSettingProblem(input: NumberSettingInput, serverProblem: string): string {
  const rest = replaceSettingNames(stripSettingPrefix(serverProblem, input.name).replace(rangeSentencePattern, '').trim());
  if (parseNumberSetting(input) !== null) {
    return rest === '' ? describeNumberSettingRange(input) : `${numberSettingTexts[input.name].label}: ${rest}`;
  }
  return rest === '' ? describeNumberSettingRange(input) : `${describeNumberSettingRange(input)} ${rest}`;
}

/** Rewrites a server message about a setting without a number field, such as the trusted networks. */
export function describeSettingProblem(name: PracticeSettingName | 'trusted_networks', serverProblem: string): string {
  const rest = replaceSettingNames(stripSettingPrefix(serverProblem, name));
  return `${settingLabels[name] ?? name}: ${rest}`;
}

// The server's range sentence, such as `expected a whole number from 1 to 1440, got "0".`, and the
// agent's `enter a whole number.` for a value that is not a number. The pane states the range itself.
const rangeSentencePattern = /^(expected a whole number from \d+ to \d+, got "[^"]*"\.|enter a whole number\.)/i;

function stripSettingPrefix(problem: string, name: string): string {
  const prefix = `${name}:`;
  return problem.startsWith(prefix) ? problem.slice(prefix.length).trim() : problem.trim();
}

function replaceSettingNames(text: string): string {
  return text.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (word) => settingLabels[word] ?? word);
}
