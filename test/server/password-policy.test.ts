import { describe, expect, it } from 'vitest';
import { isBlocklistedPassword } from '../../server/src/auth/password-blocklist';
import { checkNewPassword, describePasswordPolicy, type PasswordContext } from '../../server/src/auth/password-policy';

const context: PasswordContext = { minLength: 12, username: 'jordan.lee', email: 'jordan@lakeside.example', practiceName: 'Lakeside Acupuncture' };

function ruleFor(password: string, overrides: Partial<PasswordContext> = {}): string {
  const check = checkNewPassword(password, { ...context, ...overrides });
  return check.ok ? 'ok' : check.code;
}

describe('password policy', () => {
  it('rejects a password shorter than the practice minimum', () => {
    const check = checkNewPassword('eleven char', context);

    expect(check).toEqual({ ok: false, code: 'PASSWORD_TOO_SHORT', details: { minPasswordLength: 12 } });
  });

  it('never lets the minimum fall below eight', () => {
    expect(ruleFor('seven c', { minLength: 4 })).toBe('PASSWORD_TOO_SHORT');
    expect(ruleFor('eight ch', { minLength: 4 })).toBe('ok');
    expect(describePasswordPolicy({ minPasswordLength: 4 })).toEqual({ minLength: 8, maxLength: 1024 });
  });

  it('accepts 64 characters and rejects more than 1024', () => {
    expect(ruleFor('a quiet river bends twice '.repeat(3).slice(0, 64))).toBe('ok');
    expect(ruleFor('xyz '.repeat(257))).toBe('PASSWORD_TOO_LONG');
  });

  it('counts code points after NFKC, not UTF-16 units', () => {
    const emoji = '🌲🍁🌊🌙🌵🍄🌻🐝🦉🐢🌈'; // 11 code points, 22 UTF-16 units

    expect(emoji.length).toBe(22);
    expect(ruleFor(emoji)).toBe('PASSWORD_TOO_SHORT');
    expect(ruleFor(`${emoji}🍂`)).toBe('ok');
  });

  it('accepts any Unicode without composition rules', () => {
    expect(ruleFor('all lower case words here')).toBe('ok');
    expect(ruleFor('пароль для клиники')).toBe('ok');
    expect(ruleFor('café crème brûlée à midi')).toBe('ok');
  });

  it('rejects common and breached passwords with appended digits', () => {
    expect(ruleFor('password1234')).toBe('PASSWORD_BLOCKLISTED');
    expect(ruleFor('Sunshine2024!')).toBe('PASSWORD_BLOCKLISTED');
    expect(ruleFor('ＰＡＳＳＷＯＲＤ1234')).toBe('PASSWORD_BLOCKLISTED');
    expect(isBlocklistedPassword('qwertyuiop')).toBe(true);
  });

  it('rejects one or two repeated characters', () => {
    expect(ruleFor('zzzzzzzzzzzzzz')).toBe('PASSWORD_REPETITIVE');
    expect(ruleFor('xyxyxyxyxyxyxy')).toBe('PASSWORD_REPETITIVE');
  });

  it('rejects the username, email name and practice name', () => {
    expect(ruleFor('my name is jordan.lee!')).toBe('PASSWORD_CONTAINS_CONTEXT');
    expect(ruleFor('Jordan-Lee rules the day')).toBe('PASSWORD_CONTAINS_CONTEXT');
    expect(ruleFor('welcome to lakeside 2026')).toBe('PASSWORD_CONTAINS_CONTEXT');
    expect(ruleFor('best acupuncture in town')).toBe('PASSWORD_CONTAINS_CONTEXT');
  });

  it('ignores context words shorter than four characters', () => {
    expect(ruleFor('the lee shore at dawn', { username: 'lee' })).toBe('ok');
  });
});
