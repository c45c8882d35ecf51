import { describe, expect, it } from 'vitest';
import { formatCodeEmail, formatCodeSms, maxSmsTextLength } from '../../server/src/delivery/code-message-text';
import type { CodeMessage } from '../../server/src/delivery/types';
import { extractCode } from '../helpers/extract-code';

const signInMessage: CodeMessage = {
  channel: 'email',
  to: 'alice@clinic.example',
  code: '012345',
  purpose: 'sign_in',
  practiceName: 'Demo Clinic',
  expiresInMinutes: 10,
};

describe('formatCodeEmail', () => {
  it('says a contact change code confirms the new email', () => {
    const email = formatCodeEmail({ ...signInMessage, purpose: 'contact_change' });

    expect(email.subject).toBe('Your ClinicGate code to confirm your new email address for Demo Clinic');
    expect(email.text.startsWith('Your ClinicGate code to confirm your new email address for Demo Clinic is:')).toBe(true);
  });

  it('writes the code, validity, practice and what to do if unexpected', () => {
    const { subject, text } = formatCodeEmail(signInMessage);

    expect(subject).toBe('Your ClinicGate sign-in code for Demo Clinic');
    expect(extractCode(text)).toBe('012345');
    expect(text).toContain('expires in 10 minutes');
    expect(text).toContain('Demo Clinic');
    expect(text).toContain('If you did not try to sign in, change your password and tell your practice administrator.');
  });

  it('keeps the code out of the subject', () => {
    const { subject } = formatCodeEmail(signInMessage);

    expect(subject).not.toContain('012345');
  });

  it('names a password reset code', () => {
    const { subject, text } = formatCodeEmail({ ...signInMessage, purpose: 'password_reset' });

    expect(subject).toBe('Your ClinicGate password reset code for Demo Clinic');
    expect(text).toContain('If you did not ask to reset your password');
  });

  it('removes line breaks from the practice name', () => {
    const { subject } = formatCodeEmail({ ...signInMessage, practiceName: 'Demo\r\nBcc: someone@example.com' });

    expect(subject).toBe('Your ClinicGate sign-in code for Demo Bcc: someone@example.com');
  });

  it('uses singular for one minute', () => {
    const { text } = formatCodeEmail({ ...signInMessage, expiresInMinutes: 1 });

    expect(text).toContain('expires in 1 minute ');
  });
});

describe('formatCodeSms', () => {
  it('starts with the purpose and contains code and validity', () => {
    const text = formatCodeSms({ ...signInMessage, channel: 'sms' });

    expect(text).toBe("Your ClinicGate sign-in code for Demo Clinic is 012345. It expires in 10 minutes. Don't share it.");
  });

  it('stays within one segment for a long practice name', () => {
    const practiceName = 'Riverside Integrative Acupuncture, Naturopathy and Family Wellness Collective of Greater Springfield';

    const text = formatCodeSms({ ...signInMessage, channel: 'sms', practiceName });

    expect(text.length).toBeLessThanOrEqual(maxSmsTextLength);
    expect(text.startsWith('Your ClinicGate sign-in code for Riverside')).toBe(true);
    expect(text).toContain('... is 012345.');
    expect(text).toContain('It expires in 10 minutes.');
  });

  it('falls back when the practice name is blank', () => {
    const text = formatCodeSms({ ...signInMessage, channel: 'sms', practiceName: ' \n ' });

    expect(text).toContain('for your practice is 012345');
  });

  it('names a password reset code', () => {
    const text = formatCodeSms({ ...signInMessage, channel: 'sms', purpose: 'password_reset' });

    expect(text.startsWith('Your ClinicGate password reset code for Demo Clinic is 012345.')).toBe(true);
  });

  it('says a contact change code confirms the new mobile', () => {
    const text = formatCodeSms({ ...signInMessage, channel: 'sms', to: '+15035550142', purpose: 'contact_change' });

    expect(text).toBe("Your ClinicGate code to confirm your new mobile number for Demo Clinic is 012345. It expires in 10 minutes. Don't share it.");
  });

  it('keeps a contact change code within one segment', () => {
    const text = formatCodeSms({ ...signInMessage, channel: 'sms', purpose: 'contact_change', practiceName: 'Riverside Community Acupuncture and Naturopathic Wellness Center' });

    expect(text.length).toBeLessThanOrEqual(maxSmsTextLength);
    expect(extractCode(text)).toBe('012345');
    expect(text).toContain('code to confirm your new mobile number for Riverside');
  });
});
