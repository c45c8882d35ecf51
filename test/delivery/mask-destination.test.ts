import { describe, expect, it } from 'vitest';
import { maskDestination, maskEmail, maskMobile } from '../../server/src/delivery/mask-destination';

describe('maskEmail', () => {
  it('keeps the first character and the domain', () => {
    expect(maskEmail('alice@clinic.example')).toBe('a•••@clinic.example');
  });

  it('masks a one-character local part the same way', () => {
    expect(maskEmail('a@clinic.example')).toBe('a•••@clinic.example');
  });

  it('uses the last @ for quoted local parts', () => {
    expect(maskEmail('"bob@home"@clinic.example')).toBe('"•••@clinic.example');
  });

  it('keeps a whole non-ASCII first character', () => {
    expect(maskEmail('😀smile@clinic.example')).toBe('😀•••@clinic.example');
  });

  it('removes invisible characters before masking', () => {
    expect(maskEmail('\u202Ealice@clinic.example\n')).toBe('a•••@clinic.example');
  });

  it.each([
    ['', 'empty'],
    ['alice', 'no @'],
    ['@clinic.example', 'no local part'],
    ['alice@', 'no domain'],
    ['   ', 'only spaces'],
  ])('reveals nothing for %j (%s)', (value) => {
    expect(maskEmail(value)).toBe('•••');
  });

  it('returns a mask for a non-string value', () => {
    expect(maskEmail(undefined as unknown as string)).toBe('•••');
  });
});

describe('maskMobile', () => {
  it('keeps the last four digits', () => {
    expect(maskMobile('+15550100003')).toBe('***-***-0003');
  });

  it('ignores punctuation in the number', () => {
    expect(maskMobile('+1 (555) 010-0042')).toBe('***-***-0042');
  });

  it.each(['', '+1', '12345', '+1234-56', 'not a number'])('reveals no digit of short value %j', (value) => {
    expect(maskMobile(value)).toBe('***-***-****');
  });

  it('reveals the last four of a seven-digit number', () => {
    expect(maskMobile('6834002')).toBe('***-***-4002');
  });

  it('returns a mask for a non-string value', () => {
    expect(maskMobile(42 as unknown as string)).toBe('***-***-****');
  });
});

describe('maskDestination', () => {
  it('masks by channel', () => {
    expect(maskDestination('email', 'bob@clinic.example')).toBe('b•••@clinic.example');
    expect(maskDestination('sms', '+15550100077')).toBe('***-***-0077');
  });
});
