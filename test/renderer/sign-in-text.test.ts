import { describe, expect, it } from 'vitest';
import { describeBridgeError } from '../../renderer/src/format/error-message';
import {
  describeAttemptsRemaining,
  describeChannel,
  describeMfaReason,
  describeRole,
} from '../../renderer/src/format/sign-in-text';
import { formatWait, formatWaitInWords, secondsUntil } from '../../renderer/src/format/time';

describe('sign-in text', () => {
  it('explains each MFA reason', () => {
    expect(describeMfaReason('new_workstation')).toBe(
      "This workstation is not remembered for your account, so we need to confirm it's you.",
    );
    expect(describeMfaReason('required_by_practice')).toBe('Your practice requires a code at every sign-in.');
    expect(describeMfaReason('unusual_location')).toBe(
      "This sign-in is from an unusual location, so we need to confirm it's you.",
    );
  });

  it('names roles in words', () => {
    expect(describeRole('front_desk')).toBe('Front desk');
    expect(describeRole('clinician')).toBe('Clinician');
    expect(describeRole('billing')).toBe('Billing');
    expect(describeRole('practice_admin')).toBe('Practice administrator');
  });

  it('names channels as they follow "by"', () => {
    expect(describeChannel('sms')).toBe('text message');
    expect(describeChannel('email')).toBe('email');
  });

  it('counts attempts in singular and plural', () => {
    expect(describeAttemptsRemaining(1)).toBe('1 attempt left');
    expect(describeAttemptsRemaining(3)).toBe('3 attempts left');
  });
});

describe('describeBridgeError', () => {
  it('adds the wait to a rate limit', () => {
    const text = describeBridgeError({ code: 'RATE_LIMITED', message: 'Too many attempts.', retryAfterSeconds: 240 });

    expect(text).toBe('Too many attempts. You can try again in about 4 minutes.');
  });

  it('keeps the message of other errors as it is', () => {
    const text = describeBridgeError({ code: 'OTP_CODE_INVALID', message: 'That code is not correct.', retryAfterSeconds: 5 });

    expect(text).toBe('That code is not correct.');
  });

  it('falls back to the catalogue message when the message is empty', () => {
    const text = describeBridgeError({ code: 'AUTH_INVALID_CREDENTIALS', message: '' });

    expect(text).toBe('The username or password is incorrect.');
  });
});

describe('countdown', () => {
  const nowMs = Date.parse('2026-03-02T15:00:00.000Z');

  it('rounds the remaining time up to whole seconds', () => {
    expect(secondsUntil('2026-03-02T15:00:26.200Z', nowMs)).toBe(27);
  });

  it('reaches zero once the time has passed', () => {
    expect(secondsUntil('2026-03-02T14:59:59.000Z', nowMs)).toBe(0);
    expect(secondsUntil(null, nowMs)).toBe(0);
    expect(secondsUntil('not a time', nowMs)).toBe(0);
  });

  it('shows seconds below 90 and minutes from there', () => {
    expect(formatWait(27)).toBe('27 s');
    expect(formatWait(89)).toBe('89 s');
    expect(formatWait(90)).toBe('2 min');
    expect(formatWait(3600)).toBe('60 min');
  });

  it('spells out waits for sentences', () => {
    expect(formatWaitInWords(1)).toBe('1 second');
    expect(formatWaitInWords(30)).toBe('30 seconds');
    expect(formatWaitInWords(240)).toBe('4 minutes');
  });
});
