import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';

export interface Practice {
  id: string;
  name: string;
  requireMfaAlways: boolean;
  deviceTrustDays: number;
  idleTimeoutMinutes: number;
  absoluteTimeoutMinutes: number;
  minPasswordLength: number;
  /** Wait between two code sends for one challenge or contact change. */
  resendCooldownSeconds: number;
  /** Codes sent to one user in a rolling hour, sign-in and password reset together. */
  codeSendsPerHour: number;
  /** Wrong codes that lock a challenge until a new code is sent. */
  wrongCodesPerChallenge: number;
  /** Consecutive wrong codes on the account that start each lockout step. */
  wrongCodesPerAccountLockout: number;
  /** Wrong passwords for one username in a 15-minute window. */
  failedPasswordsPerAccount: number;
  createdAt: number;
}

interface PracticeRow {
  id: string;
  name: string;
  require_mfa_always: number;
  device_trust_days: number;
  idle_timeout_minutes: number;
  absolute_timeout_minutes: number;
  min_password_length: number;
  resend_cooldown_seconds: number;
  code_sends_per_hour: number;
  wrong_codes_per_challenge: number;
  wrong_codes_per_account_lockout: number;
  failed_passwords_per_account: number;
  created_at: number;
}

export type PracticeSettings = Pick<
  Practice,
  'requireMfaAlways' | 'deviceTrustDays' | 'idleTimeoutMinutes' | 'absoluteTimeoutMinutes' | 'minPasswordLength' | keyof PracticeCodeLimits
>;

/** The code and password limits of a practice. Each default below is also the loosest value allowed. */
export type PracticeCodeLimits = Pick<
  Practice,
  'resendCooldownSeconds' | 'codeSendsPerHour' | 'wrongCodesPerChallenge' | 'wrongCodesPerAccountLockout' | 'failedPasswordsPerAccount'
>;

export const defaultPracticeSettings: PracticeSettings = {
  requireMfaAlways: false,
  deviceTrustDays: 30,
  idleTimeoutMinutes: 15,
  absoluteTimeoutMinutes: 720,
  minPasswordLength: 12,
  resendCooldownSeconds: 30,
  codeSendsPerHour: 5,
  wrongCodesPerChallenge: 5,
  wrongCodesPerAccountLockout: 10,
  failedPasswordsPerAccount: 10,
};

export function createPractice(db: Db, input: { name: string; createdAt: number } & Partial<PracticeSettings>): Practice {
  const practice: Practice = { ...defaultPracticeSettings, ...input, id: randomUUID() };
  db.prepare(
    `INSERT INTO practices
       (id, name, require_mfa_always, device_trust_days, idle_timeout_minutes, absolute_timeout_minutes, min_password_length,
        resend_cooldown_seconds, code_sends_per_hour, wrong_codes_per_challenge, wrong_codes_per_account_lockout,
        failed_passwords_per_account, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    practice.id,
    practice.name,
    practice.requireMfaAlways ? 1 : 0,
    practice.deviceTrustDays,
    practice.idleTimeoutMinutes,
    practice.absoluteTimeoutMinutes,
    practice.minPasswordLength,
    practice.resendCooldownSeconds,
    practice.codeSendsPerHour,
    practice.wrongCodesPerChallenge,
    practice.wrongCodesPerAccountLockout,
    practice.failedPasswordsPerAccount,
    practice.createdAt,
  );
  return practice;
}

export function findPracticeById(db: Db, id: string): Practice | undefined {
  const row = db.prepare('SELECT * FROM practices WHERE id = ?').get(id) as PracticeRow | undefined;
  return row === undefined ? undefined : toPractice(row);
}

export function findPracticeByName(db: Db, name: string): Practice | undefined {
  const row = db.prepare('SELECT * FROM practices WHERE name = ?').get(name) as PracticeRow | undefined;
  return row === undefined ? undefined : toPractice(row);
}

export function updatePracticeSettings(db: Db, id: string, settings: Partial<PracticeSettings>): void {
  const current = findPracticeById(db, id);
  if (current === undefined) {
    throw new Error(`practice ${id} not found; pass the id of an existing practice`);
  }
  const next = { ...current, ...settings };
  db.prepare(
    `UPDATE practices SET require_mfa_always = ?, device_trust_days = ?, idle_timeout_minutes = ?,
       absolute_timeout_minutes = ?, min_password_length = ?, resend_cooldown_seconds = ?, code_sends_per_hour = ?,
       wrong_codes_per_challenge = ?, wrong_codes_per_account_lockout = ?, failed_passwords_per_account = ? WHERE id = ?`,
  ).run(
    next.requireMfaAlways ? 1 : 0,
    next.deviceTrustDays,
    next.idleTimeoutMinutes,
    next.absoluteTimeoutMinutes,
    next.minPasswordLength,
    next.resendCooldownSeconds,
    next.codeSendsPerHour,
    next.wrongCodesPerChallenge,
    next.wrongCodesPerAccountLockout,
    next.failedPasswordsPerAccount,
    id,
  );
}

function toPractice(row: PracticeRow): Practice {
  return {
    id: row.id,
    name: row.name,
    requireMfaAlways: row.require_mfa_always === 1,
    deviceTrustDays: row.device_trust_days,
    idleTimeoutMinutes: row.idle_timeout_minutes,
    absoluteTimeoutMinutes: row.absolute_timeout_minutes,
    minPasswordLength: row.min_password_length,
    resendCooldownSeconds: row.resend_cooldown_seconds,
    codeSendsPerHour: row.code_sends_per_hour,
    wrongCodesPerChallenge: row.wrong_codes_per_challenge,
    wrongCodesPerAccountLockout: row.wrong_codes_per_account_lockout,
    failedPasswordsPerAccount: row.failed_passwords_per_account,
    createdAt: row.created_at,
  };
}
