import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { generateSecretToken, hashSecretToken } from '../auth/secret-token';

export const maxDeviceNameLength = 100;

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
  input: { userId: string; deviceFingerprint: string; deviceName: string | null; trustDays: number; now: number },
): { deviceTrustId: string; token: string; expiresAt: number } {
  const token = generateSecretToken();
  const deviceTrustId = randomUUID();
  const expiresAt = input.now + input.trustDays * 24 * 60 * 60_000;
  db.prepare(
    `INSERT INTO device_trusts (id, token_hash, user_id, device_fingerprint, device_name, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  ).run(deviceTrustId, hashSecretToken(token), input.userId, input.deviceFingerprint, input.deviceName, input.now, expiresAt);
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

export function markDeviceTrustUsed(db: Db, deviceTrustId: string, now: number): void {
  db.prepare('UPDATE device_trusts SET last_used_at = ? WHERE id = ?').run(now, deviceTrustId);
}

export function revokeDeviceTrust(db: Db, deviceTrustId: string, now: number): void {
  db.prepare('UPDATE device_trusts SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, deviceTrustId);
}
