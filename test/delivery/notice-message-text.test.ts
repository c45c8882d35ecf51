import { describe, expect, it } from 'vitest';
import { maxSmsTextLength } from '../../server/src/delivery/code-message-text';
import { formatNoticeEmail, formatNoticeSms } from '../../server/src/delivery/notice-message-text';
import type { NoticeMessage } from '../../server/src/delivery/types';

const mobileChanged: NoticeMessage = {
  kind: 'contact_changed',
  to: '+15550100002',
  displayName: 'Casey Clinician',
  practiceName: 'Riverside Acupuncture',
  workstationName: '',
  location: '',
  occurredAt: '2026-01-05T09:00:00.000Z',
  changedContact: { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'owner' },
};
// A record keyed by every kind, so the type check fails when a kind is added to or removed from NoticeMessage without this list.
const noticeKindsListed: Record<NoticeMessage['kind'], true> = {
  workstation_remembered: true,
  unusual_location_sign_in: true,
  password_reset: true,
  password_changed: true,
  contact_changed: true,
};
const noticeKinds = Object.keys(noticeKindsListed) as Array<NoticeMessage['kind']>;

describe('notice SMS text', () => {
  it('names the practice and the change', () => {
    expect(formatNoticeSms(mobileChanged)).toBe(
      'ClinicGate: the mobile number on your Riverside Acupuncture account was changed. If this was not you, contact your practice.',
    );
  });

  it('says an administrator made the change', () => {
    const text = formatNoticeSms({ ...mobileChanged, changedContact: { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'practice_admin' } });

    expect(text).toBe(
      'ClinicGate: your practice administrator changed the mobile number on your Riverside Acupuncture account. If you did not ask for this, contact your practice.',
    );
  });

  it('says a removed number was removed', () => {
    const text = formatNoticeSms({ ...mobileChanged, changedContact: { channel: 'sms', maskedNewValue: null, changedBy: 'practice_admin' } });

    expect(text).toContain('removed the mobile number from your Riverside Acupuncture account');
  });

  it('shortens a long practice name to one segment', () => {
    const practiceName = 'The Riverside Community Acupuncture and Integrative Naturopathic Medicine Collective';

    const text = formatNoticeSms({ ...mobileChanged, practiceName, changedContact: { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'practice_admin' } });

    expect(text.length).toBeLessThanOrEqual(maxSmsTextLength);
    expect(text).toContain('your The Riverside Commun');
    expect(text).toContain('...');
    expect(text.endsWith('If you did not ask for this, contact your practice.')).toBe(true);
  });

  it('strips line breaks from the practice name', () => {
    const text = formatNoticeSms({ ...mobileChanged, practiceName: 'Riverside\r\nAcupuncture\u0007' });

    expect(text).toContain('your Riverside Acupuncture account');
    expect(text).not.toMatch(/[\r\n\u0007]/);
  });

  it.each(noticeKinds)('keeps codes and links out of the %s text', (kind) => {
    const text = formatNoticeSms({ ...mobileChanged, kind });

    expect(text.startsWith('ClinicGate: ')).toBe(true);
    expect(text.length).toBeLessThanOrEqual(maxSmsTextLength);
    expect(text).not.toMatch(/\d/);
    expect(text).not.toMatch(/https?:|www\./);
  });
});

describe('notice email text', () => {
  it.each(noticeKinds)('ends the %s email with what to do if it was you', (kind) => {
    const email = formatNoticeEmail({ ...mobileChanged, kind, to: 'casey@clinic.example' });

    expect(email.text).toMatch(/\n(If it was you|If you asked for it), there is nothing to do\.\n/);
    expect(email.text).not.toMatch(/\d{6}/);
  });

  it('explains locations only when one is shown', () => {
    const contactEmail = formatNoticeEmail({ ...mobileChanged, to: 'casey@clinic.example' });
    const signInEmail = formatNoticeEmail({ ...mobileChanged, kind: 'unusual_location_sign_in', to: 'casey@clinic.example', location: 'London, England, United Kingdom' });

    expect(contactEmail.text).not.toContain('location');
    expect(contactEmail.text).toContain('Sent automatically by ClinicGate for Riverside Acupuncture.\n');
    expect(signInEmail.text).toContain('Approximate location: London, England, United Kingdom');
    expect(signInEmail.text).toContain('Sent automatically by ClinicGate for Riverside Acupuncture. Locations come from an offline IP database and are approximate.');
  });
});

describe('contact change email text', () => {
  it('tells the owner to act if it was not them', () => {
    const email = formatNoticeEmail({ ...mobileChanged, to: 'casey@clinic.example' });

    expect(email.text).toContain('The mobile number for sign-in codes on your ClinicGate account was changed to ***-***-0142.');
    expect(email.text).toContain('If this was not you, tell your practice administrator now and change your password.');
  });

  it('names the administrator as the one who changed it', () => {
    const email = formatNoticeEmail({
      ...mobileChanged,
      to: 'casey@clinic.example',
      changedContact: { channel: 'email', maskedNewValue: 'c•••@clinic.example', changedBy: 'practice_admin' },
    });

    expect(email.text).toContain('Your practice administrator changed the email address for sign-in codes on your ClinicGate account to c•••@clinic.example.');
    expect(email.text).toContain('If you did not ask for this change, tell your practice administrator now.');
    expect(email.text).not.toContain('If it was you');
  });

  it('says codes go by email after a removal', () => {
    const email = formatNoticeEmail({
      ...mobileChanged,
      to: 'casey@clinic.example',
      changedContact: { channel: 'sms', maskedNewValue: null, changedBy: 'practice_admin' },
    });

    expect(email.text).toContain('Your practice administrator removed the mobile number from your ClinicGate account, so sign-in codes now go to your email address.');
  });
});
