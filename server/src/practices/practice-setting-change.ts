import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { runImmediate, type Db } from '../db/database';
import { defaultPracticeSettings, findPracticeById, findPracticeByName } from './practice-repository';

/** HIPAA keeps required documentation for six years, so audit rows are kept at least 2190 days. */
export const minimumAuditRetentionDays = 2190;

/**
 * Practice settings that the `set-practice-setting` server command and the Security pane change, with
 * their database column and range. `require_mfa_always` is 0 (risk-based) or 1 (a code at every sign-in).
 *
 * The code and password limits may only be made stricter. Their product default is the loosest
 * value allowed, called the safe floor, and `safeFloorReason` gives the reason nothing looser is allowed.
 * For `resend_cooldown_seconds` a lower value is looser; for the others a higher one is.
 */
export const changeablePracticeSettings = {
  idle_timeout_minutes: { column: 'idle_timeout_minutes', min: 1, max: 1440 },
  absolute_timeout_minutes: { column: 'absolute_timeout_minutes', min: 1, max: 10_080 },
  audit_retention_days: { column: 'audit_retention_days', min: 1, max: 36_500 },
  device_trust_days: { column: 'device_trust_days', min: 1, max: 365 },
  // NIST SP 800-63B requires at least 8 characters for a password chosen by its user.
  min_password_length: { column: 'min_password_length', min: 8, max: 128 },
  require_mfa_always: { column: 'require_mfa_always', min: 0, max: 1 },
  resend_cooldown_seconds: {
    column: 'resend_cooldown_seconds',
    min: defaultPracticeSettings.resendCooldownSeconds,
    max: 300,
    isLowerLooser: true,
    safeFloorReason: 'a shorter wait lets anyone at the code screen flood a phone or mailbox with codes.',
  },
  code_sends_per_hour: {
    column: 'code_sends_per_hour',
    min: 1,
    max: defaultPracticeSettings.codeSendsPerHour,
    safeFloorReason: 'each new code after a locked challenge allows more guesses, and each code is a text or email to the person.',
  },
  wrong_codes_per_challenge: {
    column: 'wrong_codes_per_challenge',
    min: 1,
    max: defaultPracticeSettings.wrongCodesPerChallenge,
    safeFloorReason: 'every extra wrong code allowed raises the chance of guessing a 6-digit code.',
  },
  wrong_codes_per_account_lockout: {
    column: 'wrong_codes_per_account_lockout',
    min: 3,
    max: defaultPracticeSettings.wrongCodesPerAccountLockout,
    safeFloorReason:
      'the fifth lockout, after 5 times this many consecutive wrong codes, lasts until an administrator unlocks the account, ' +
      'and a higher value would allow more than 50 wrong codes before that.',
    strictLimitReason: 'fewer would lock people out after a few typing mistakes.',
  },
  failed_passwords_per_account: {
    column: 'failed_passwords_per_account',
    min: 3,
    max: defaultPracticeSettings.failedPasswordsPerAccount,
    safeFloorReason: 'more wrong passwords per 15 minutes make guessing a password faster.',
    strictLimitReason: 'fewer would let anyone who knows a username block its sign-in with a few wrong passwords.',
  },
} as const;

export type ChangeablePracticeSetting = keyof typeof changeablePracticeSettings;

export interface PracticeSettingChange {
  /** The practice by name (server command); ignored when `practiceId` is given. */
  practiceName?: string;
  /** The practice by id (Security pane, where the admin's own practice is the only choice). */
  practiceId?: string;
  setting: string;
  value: string;
  /** Required to set audit_retention_days below the six-year minimum; the change is audited as an override. */
  allowBelowMinimum: boolean;
  /** Person or account that made the change, such as the operating-system account that ran the command. */
  changedBy: string;
  now: number;
  /** The signed-in administrator who made the change in the app; absent for the server command. */
  actorUserId?: string;
  origin?: RequestOrigin;
}

export type PracticeSettingChangeResult =
  | { ok: true; setting: ChangeablePracticeSetting; oldValue: number; newValue: number; sessionsEnded: number }
  | { ok: false; problem: string };

/** Validates and applies one practice setting, writing its `settings.changed` audit row in the same transaction. */
export function changePracticeSetting(db: Db, change: PracticeSettingChange): PracticeSettingChangeResult {
  if (!isChangeableSetting(change.setting)) {
    const names = Object.keys(changeablePracticeSettings).join(', ');
    return { ok: false, problem: `Unknown setting ${JSON.stringify(change.setting)}; expected one of ${names}.` };
  }
  const setting = change.setting;
  const rule = changeablePracticeSettings[setting];
  const newValue = /^[0-9]{1,6}$/.test(change.value) ? Number(change.value) : Number.NaN;
  if (!Number.isInteger(newValue) || newValue < rule.min || newValue > rule.max) {
    const expected = `${setting}: expected a whole number from ${rule.min} to ${rule.max}, got ${JSON.stringify(change.value)}.`;
    return { ok: false, problem: `${expected}${describeRangeReason(rule, newValue)}` };
  }
  const isBelowRetentionMinimum = setting === 'audit_retention_days' && newValue < minimumAuditRetentionDays;
  if (isBelowRetentionMinimum && !change.allowBelowMinimum) {
    // Only the server command can override the minimum, so the Security pane's message names the command, not its flag.
    const override =
      change.actorUserId === undefined
        ? 'Pass --allow-below-minimum to lower it anyway; the override is recorded in the audit log.'
        : 'A shorter period can only be set by the server command, where the override is recorded in the audit log.';
    return {
      ok: false,
      problem: `audit_retention_days: ${newValue} is below the ${minimumAuditRetentionDays}-day (six-year) minimum for audit records. ${override}`,
    };
  }

  return runImmediate(db, () => {
    const practice = change.practiceId === undefined ? findPracticeByName(db, change.practiceName ?? '') : findPracticeById(db, change.practiceId);
    if (practice === undefined) {
      return { ok: false, problem: `No practice named ${JSON.stringify(change.practiceName ?? change.practiceId)} exists on this server.` };
    }
    const row = db.prepare(`SELECT ${rule.column} AS value FROM practices WHERE id = ?`).get(practice.id) as { value: number };
    db.prepare(`UPDATE practices SET ${rule.column} = ? WHERE id = ?`).run(newValue, practice.id);
    const origin = change.origin ?? { ip: null, deviceFingerprint: null };
    appendAuditEvent(db, {
      occurredAt: change.now,
      origin,
      practiceId: practice.id,
      userId: change.actorUserId ?? null,
      event: 'settings.changed',
      outcome: 'success',
      reason: isBelowRetentionMinimum ? 'retention_minimum_override' : null,
      details: {
        setting,
        oldValue: row.value,
        newValue,
        changedBy: change.changedBy,
        via: change.actorUserId === undefined ? 'server_command' : 'settings_pane',
      },
    });
    const isEnforcementTurnedOn = setting === 'require_mfa_always' && row.value === 0 && newValue === 1;
    const sessionsEnded = isEnforcementTurnedOn ? endSessionsWithoutMfa(db, practice.id, origin, change.now) : 0;
    return { ok: true, setting, oldValue: row.value, newValue, sessionsEnded };
  });
}

/**
 * Ends every open session of the practice that began without a code, because enforcement applies
 * at once. The next request with such a token gets SESSION_MFA_REQUIRED, so the app can say why.
 */
function endSessionsWithoutMfa(db: Db, practiceId: string, origin: RequestOrigin, now: number): number {
  const ended = db
    .prepare(
      `UPDATE sessions SET ended_at = ?, end_reason = 'mfa_enforced'
       WHERE practice_id = ? AND mfa = 0 AND ended_at IS NULL AND expires_at > ?
       RETURNING id, user_id`,
    )
    .all(now, practiceId, now) as Array<{ id: string; user_id: string }>;
  for (const session of ended) {
    appendAuditEvent(db, {
      occurredAt: now,
      origin,
      practiceId,
      userId: session.user_id,
      event: 'session.revoked',
      outcome: 'success',
      reason: 'mfa_enforced',
      details: { sessionId: session.id },
    });
  }
  return ended.length;
}

/** Returns the sentence that explains why a value beyond one end of a code or password limit's range is rejected. */
function describeRangeReason(rule: (typeof changeablePracticeSettings)[ChangeablePracticeSetting], value: number): string {
  if (!('safeFloorReason' in rule) || Number.isNaN(value)) {
    return '';
  }
  const isLowerLooser = 'isLowerLooser' in rule && rule.isLowerLooser;
  const isLooser = isLowerLooser ? value < rule.min : value > rule.max;
  if (isLooser) {
    const floor = isLowerLooser ? rule.min : rule.max;
    return ` ${value} is looser than the safe floor of ${floor}, which is also the product default: ${rule.safeFloorReason}`;
  }
  if (!('strictLimitReason' in rule)) {
    return '';
  }
  return ` ${isLowerLooser ? `Above ${rule.max}` : `Below ${rule.min}`} is not allowed: ${rule.strictLimitReason}`;
}

function isChangeableSetting(name: string): name is ChangeablePracticeSetting {
  return Object.hasOwn(changeablePracticeSettings, name);
}
