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
  created_at: number;
}

export type PracticeSettings = Pick<
  Practice,
  'requireMfaAlways' | 'deviceTrustDays' | 'idleTimeoutMinutes' | 'absoluteTimeoutMinutes' | 'minPasswordLength'
>;

export const defaultPracticeSettings: PracticeSettings = {
  requireMfaAlways: false,
  deviceTrustDays: 30,
  idleTimeoutMinutes: 15,
  absoluteTimeoutMinutes: 720,
  minPasswordLength: 12,
};

export function createPractice(db: Db, input: { name: string; createdAt: number } & Partial<PracticeSettings>): Practice {
  const practice: Practice = { ...defaultPracticeSettings, ...input, id: randomUUID() };
  db.prepare(
    `INSERT INTO practices
       (id, name, require_mfa_always, device_trust_days, idle_timeout_minutes, absolute_timeout_minutes, min_password_length, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    practice.id,
    practice.name,
    practice.requireMfaAlways ? 1 : 0,
    practice.deviceTrustDays,
    practice.idleTimeoutMinutes,
    practice.absoluteTimeoutMinutes,
    practice.minPasswordLength,
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
       absolute_timeout_minutes = ?, min_password_length = ? WHERE id = ?`,
  ).run(
    next.requireMfaAlways ? 1 : 0,
    next.deviceTrustDays,
    next.idleTimeoutMinutes,
    next.absoluteTimeoutMinutes,
    next.minPasswordLength,
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
    createdAt: row.created_at,
  };
}
