import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { generateSecretToken, hashSecretToken } from '../auth/secret-token';

export const maxDeviceNameLength = 100;

/** A remembered workstation as its owner and admins see it. */
export interface DeviceTrust {
  id: string;
  userId: string;
  deviceFingerprint: string;
  /** Workstation name sent at sign-in, the OS host name by default. */
  deviceName: string | null;
  /** Name the user chose; shown instead of `deviceName` when set. */
  label: string | null;
  createdAt: number;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  expiresAt: number;
  revokedAt: number | null;
}

interface DeviceTrustListRow {
  id: string;
  user_id: string;
  device_fingerprint: string;
  device_name: string | null;
  label: string | null;
  created_at: number;
  last_used_at: number | null;
  last_used_ip: string | null;
  expires_at: number;
  revoked_at: number | null;
}

export type DeviceTrustCheck =
  | { status: 'trusted'; deviceTrustId: string }
  | { status: 'absent' }
  | { status: 'rejected'; reason: DeviceTrustRejection };

export type DeviceTrustRejection = 'unknown_token' | 'other_user' | 'fingerprint_mismatch' | 'expired' | 'revoked';

interface DeviceTrustRow {
  id: string;
  user_id: string;
  device_fingerprint: string;
  expires_at: number;
  revoked_at: number | null;
}

/** Issues a token that lets this user skip the code on this workstation until it expires. */
export function createDeviceTrust(
  db: Db,
  input: { userId: string; deviceFingerprint: string; deviceName: string | null; trustDays: number; now: number; ip?: string | null },
): { deviceTrustId: string; token: string; expiresAt: number } {
  const token = generateSecretToken();
  const deviceTrustId = randomUUID();
  const expiresAt = input.now + input.trustDays * 24 * 60 * 60_000;
  db.prepare(
    `INSERT INTO device_trusts (id, token_hash, user_id, device_fingerprint, device_name, created_at, expires_at, last_used_at, last_used_ip)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    deviceTrustId,
    hashSecretToken(token),
    input.userId,
    input.deviceFingerprint,
    input.deviceName,
    input.now,
    expiresAt,
    input.now,
    input.ip ?? null,
  );
  return { deviceTrustId, token, expiresAt };
}

/** Checks a presented token; it counts only for the user and the workstation it was issued to. */
export function checkDeviceTrust(
  db: Db,
  input: { token: string | undefined; userId: string; deviceFingerprint: string; now: number },
): DeviceTrustCheck {
  if (input.token === undefined) {
    return { status: 'absent' };
  }
  const row = db
    .prepare('SELECT id, user_id, device_fingerprint, expires_at, revoked_at FROM device_trusts WHERE token_hash = ?')
    .get(hashSecretToken(input.token)) as DeviceTrustRow | undefined;
  if (row === undefined) {
    return { status: 'rejected', reason: 'unknown_token' };
  }
  if (row.user_id !== input.userId) {
    return { status: 'rejected', reason: 'other_user' };
  }
  if (row.device_fingerprint !== input.deviceFingerprint) {
    return { status: 'rejected', reason: 'fingerprint_mismatch' };
  }
  if (row.revoked_at !== null) {
    return { status: 'rejected', reason: 'revoked' };
  }
  if (input.now >= row.expires_at) {
    return { status: 'rejected', reason: 'expired' };
  }
  return { status: 'trusted', deviceTrustId: row.id };
}

export function markDeviceTrustUsed(db: Db, deviceTrustId: string, now: number, ip: string | null = null): void {
  db.prepare('UPDATE device_trusts SET last_used_at = ?, last_used_ip = ? WHERE id = ?').run(now, ip, deviceTrustId);
}

/** Lists a user's remembered workstations that are neither revoked nor expired, most recently used first. */
export function listActiveDeviceTrusts(db: Db, userId: string, now: number): DeviceTrust[] {
  const rows = db
    .prepare(
      `SELECT * FROM device_trusts WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
       ORDER BY COALESCE(last_used_at, created_at) DESC, id`,
    )
    .all(userId, now) as DeviceTrustListRow[];
  return rows.map(toDeviceTrust);
}

export function findDeviceTrustById(db: Db, deviceTrustId: string): DeviceTrust | undefined {
  const row = db.prepare('SELECT * FROM device_trusts WHERE id = ?').get(deviceTrustId) as DeviceTrustListRow | undefined;
  return row === undefined ? undefined : toDeviceTrust(row);
}

/** Marks the trust revoked; returns false when it already was. */
export function revokeDeviceTrust(db: Db, deviceTrustId: string, now: number): boolean {
  const result = db.prepare('UPDATE device_trusts SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, deviceTrustId);
  return result.changes === 1;
}

/** Revokes every trust of the user that is neither revoked nor expired, and returns the revoked ones. */
export function revokeUserDeviceTrusts(db: Db, input: { userId: string; now: number }): Array<{ id: string; deviceFingerprint: string }> {
  const rows = db
    .prepare(
      `UPDATE device_trusts SET revoked_at = ?
       WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
       RETURNING id, device_fingerprint`,
    )
    .all(input.now, input.userId, input.now) as Array<{ id: string; device_fingerprint: string }>;
  return rows.map((row) => ({ id: row.id, deviceFingerprint: row.device_fingerprint }));
}

/**
 * Revokes the user's earlier trusts on this workstation before it is remembered again, so the
 * list shows each workstation once. Returns how many were replaced and the newest one's label.
 */
export function retireEarlierDeviceTrusts(
  db: Db,
  input: { userId: string; deviceFingerprint: string; now: number },
): { replacedCount: number; label: string | null } {
  const rows = db
    .prepare(
      `UPDATE device_trusts SET revoked_at = ?
       WHERE user_id = ? AND device_fingerprint = ? AND revoked_at IS NULL AND expires_at > ?
       RETURNING label, created_at`,
    )
    .all(input.now, input.userId, input.deviceFingerprint, input.now) as Array<{ label: string | null; created_at: number }>;
  const newest = rows.sort((first, second) => second.created_at - first.created_at)[0];
  return { replacedCount: rows.length, label: newest?.label ?? null };
}

export function renameDeviceTrust(db: Db, deviceTrustId: string, label: string | null): void {
  db.prepare('UPDATE device_trusts SET label = ? WHERE id = ?').run(label, deviceTrustId);
}

function toDeviceTrust(row: DeviceTrustListRow): DeviceTrust {
  return {
    id: row.id,
    userId: row.user_id,
    deviceFingerprint: row.device_fingerprint,
    deviceName: row.device_name,
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    lastUsedIp: row.last_used_ip,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
