import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { runImmediate, type Db } from '../db/database';
import { findPracticeById, findPracticeByName } from './practice-repository';

/** HIPAA keeps required documentation for six years, so audit rows are kept at least 2190 days. */
export const minimumAuditRetentionDays = 2190;

/**
 * Practice settings that the `set-practice-setting` server command and the Security pane change, with
 * their database column and range. `require_mfa_always` is 0 (risk-based) or 1 (a code at every sign-in).
 */
export const changeablePracticeSettings = {
  idle_timeout_minutes: { column: 'idle_timeout_minutes', min: 1, max: 1440 },
  absolute_timeout_minutes: { column: 'absolute_timeout_minutes', min: 1, max: 10_080 },
  audit_retention_days: { column: 'audit_retention_days', min: 1, max: 36_500 },
  device_trust_days: { column: 'device_trust_days', min: 1, max: 365 },
  // NIST SP 800-63B requires at least 8 characters for a password chosen by its user.
  min_password_length: { column: 'min_password_length', min: 8, max: 128 },
  require_mfa_always: { column: 'require_mfa_always', min: 0, max: 1 },
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
    return { ok: false, problem: `${setting}: expected a whole number from ${rule.min} to ${rule.max}, got ${JSON.stringify(change.value)}.` };
  }
  const isBelowRetentionMinimum = setting === 'audit_retention_days' && newValue < minimumAuditRetentionDays;
  if (isBelowRetentionMinimum && !change.allowBelowMinimum) {
    return {
      ok: false,
      problem:
        `audit_retention_days: ${newValue} is below the ${minimumAuditRetentionDays}-day (six-year) minimum for audit records. ` +
        'Pass --allow-below-minimum to lower it anyway; the override is recorded in the audit log.',
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

function isChangeableSetting(name: string): name is ChangeablePracticeSetting {
  return Object.hasOwn(changeablePracticeSettings, name);
}
