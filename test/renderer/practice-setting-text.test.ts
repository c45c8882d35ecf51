import { describe, expect, it } from 'vitest';
import {
  codeLimitSettingNames,
  describeNumberSettingProblem,
  describeNumberSettingRange,
  describeSettingProblem,
  limitSettingNames,
  parseNumberSetting,
} from '../../renderer/src/format/practice-setting-text';

const internalNamePattern = /\b[a-z]+(?:_[a-z]+)+\b/;

describe('number setting problems', () => {
  it('names the label, range and reason', () => {
    const input = { name: 'wrong_codes_per_account_lockout', text: '12', min: 3, max: 10 } as const;
    const serverProblem =
      'wrong_codes_per_account_lockout: expected a whole number from 3 to 10, got "12". 12 is looser than the safe floor of 10, ' +
      'which is also the product default: the fifth lockout, after 5 times this many consecutive wrong codes, lasts until an ' +
      'administrator unlocks the account, and a higher value would allow more than 50 wrong codes before that.';

    const message = describeNumberSettingProblem(input, serverProblem);

    expect(message).toBe(
      'Wrong codes in a row before the account locks: enter a whole number from 3 to 10 codes. 12 is looser than the safe floor of 10, ' +
        'which is also the product default: the fifth lockout, after 5 times this many consecutive wrong codes, lasts until an ' +
        'administrator unlocks the account, and a higher value would allow more than 50 wrong codes before that.',
    );
  });

  it('gives the range without a reason', () => {
    const input = { name: 'idle_timeout_minutes', text: '0', min: 1, max: 1440 } as const;

    const message = describeNumberSettingProblem(input, 'idle_timeout_minutes: expected a whole number from 1 to 1440, got "0".');

    expect(message).toBe('Idle time-out: enter a whole number from 1 to 1440 minutes.');
  });

  it('gives the range for a non-number', () => {
    const input = { name: 'idle_timeout_minutes', text: 'ten', min: 1, max: 1440 } as const;

    const message = describeNumberSettingProblem(input, 'idle_timeout_minutes: enter a whole number.');

    expect(message).toBe('Idle time-out: enter a whole number from 1 to 1440 minutes.');
  });

  it('keeps a problem inside the range', () => {
    const input = { name: 'audit_retention_days', text: '100', min: 1, max: 36_500 } as const;

    const message = describeNumberSettingProblem(input, 'audit_retention_days: 100 is below the 2190-day (six-year) minimum for audit records.');

    expect(message).toBe('Audit log retention: 100 is below the 2190-day (six-year) minimum for audit records.');
  });

  it.each([...limitSettingNames, ...codeLimitSettingNames])('hides the internal name %s', (name) => {
    const input = { name, text: '999999', min: 1, max: 5 };

    const message = describeNumberSettingProblem(input, `${name}: expected a whole number from 1 to 5, got "999999".`);

    expect(message).not.toMatch(internalNamePattern);
    expect(message).toBe(describeNumberSettingRange(input));
  });

  it('replaces a setting named mid-sentence', () => {
    const input = { name: 'absolute_timeout_minutes', text: '5', min: 1, max: 10_080 } as const;

    const message = describeNumberSettingProblem(input, 'absolute_timeout_minutes: must be at least idle_timeout_minutes.');

    expect(message).toBe('Session lifetime: must be at least Idle time-out.');
  });
});

describe('other setting problems', () => {
  it('labels a trusted networks problem', () => {
    const message = describeSettingProblem(
      'trusted_networks',
      'trusted_networks: "office" is not an IPv4 or IPv6 CIDR block; write it like 203.0.113.0/24 or 2001:db8::/48.',
    );

    expect(message).toBe('Trusted networks: "office" is not an IPv4 or IPv6 CIDR block; write it like 203.0.113.0/24 or 2001:db8::/48.');
  });

  it('labels an enforcement problem', () => {
    const message = describeSettingProblem('require_mfa_always', 'require_mfa_always: expected a whole number from 0 to 1, got "2".');

    expect(message).toBe('Require MFA for every sign-in: expected a whole number from 0 to 1, got "2".');
  });
});

describe('parseNumberSetting', () => {
  it.each([
    ['10', 10],
    [' 3 ', 3],
    ['2', null],
    ['11', null],
    ['ten', null],
    ['4.5', null],
    ['-4', null],
    ['', null],
  ])('reads %j as %j for 3 to 10', (text, expected) => {
    const value = parseNumberSetting({ name: 'wrong_codes_per_account_lockout', text, min: 3, max: 10 });

    expect(value).toBe(expected);
  });
});
