import { appendAuditEvent } from '../audit/audit-log';
import { runImmediate, type Db } from '../db/database';
import { findPracticeByName } from './practice-repository';

/** HIPAA keeps required documentation for six years, so audit rows are kept at least 2190 days. */
export const minimumAuditRetentionDays = 2190;

/** Practice settings that the `set-practice-setting` server command changes, with their database column and range. */
export const changeablePracticeSettings = {
  idle_timeout_minutes: { column: 'idle_timeout_minutes', min: 1, max: 1440 },
  absolute_timeout_minutes: { column: 'absolute_timeout_minutes', min: 1, max: 10_080 },
  audit_retention_days: { column: 'audit_retention_days', min: 1, max: 36_500 },
} as const;

export type ChangeablePracticeSetting = keyof typeof changeablePracticeSettings;

export interface PracticeSettingChange {
  practiceName: string;
  setting: string;
  value: string;
  /** Required to set audit_retention_days below the six-year minimum; the change is audited as an override. */
  allowBelowMinimum: boolean;
  /** Person or account that made the change, such as the operating-system account that ran the command. */
  changedBy: string;
  now: number;
}

export type PracticeSettingChangeResult =
  | { ok: true; setting: ChangeablePracticeSetting; oldValue: number; newValue: number }
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
    const practice = findPracticeByName(db, change.practiceName);
    if (practice === undefined) {
      return { ok: false, problem: `No practice named ${JSON.stringify(change.practiceName)} exists on this server.` };
    }
    const row = db.prepare(`SELECT ${rule.column} AS value FROM practices WHERE id = ?`).get(practice.id) as { value: number };
    db.prepare(`UPDATE practices SET ${rule.column} = ? WHERE id = ?`).run(newValue, practice.id);
    appendAuditEvent(db, {
      occurredAt: change.now,
      origin: { ip: null, deviceFingerprint: null },
      practiceId: practice.id,
      event: 'settings.changed',
      outcome: 'success',
      reason: isBelowRetentionMinimum ? 'retention_minimum_override' : null,
      details: { setting, oldValue: row.value, newValue, changedBy: change.changedBy, via: 'server_command' },
    });
    return { ok: true, setting, oldValue: row.value, newValue };
  });
}

function isChangeableSetting(name: string): name is ChangeablePracticeSetting {
  return Object.hasOwn(changeablePracticeSettings, name);
}
