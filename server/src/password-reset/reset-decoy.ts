import { randomUUID } from 'node:crypto';
import { generateSecretToken, hashSecretToken } from '../auth/secret-token';
import type { Db } from '../db/database';

/**
 * A reset attempt for an email that names no active, unlocked account. It keeps the state a real
 * attempt would (sends, wrong codes, lock, expiry), so every reply matches a real attempt's, but no
 * code exists and none can be right.
 */
export interface ResetDecoy {
  id: string;
  emailKey: string;
  deviceFingerprint: string;
  createdAt: number;
  expiresAt: number;
  wrongAttempts: number;
  lockedAt: number | null;
  codeIssuedAt: number | null;
  codeExpiresAt: number | null;
}

interface ResetDecoyRow {
  id: string;
  email_key: string;
  device_fingerprint: string;
  created_at: number;
  expires_at: number;
  wrong_attempts: number;
  locked_at: number | null;
  code_issued_at: number | null;
  code_expires_at: number | null;
}

export function createResetDecoy(db: Db, input: { emailKey: string; deviceFingerprint: string; now: number; expiresAt: number }): { token: string; decoy: ResetDecoy } {
  const token = generateSecretToken();
  const id = randomUUID();
  db.prepare(
    `INSERT INTO password_reset_decoys (id, token_hash, email_key, device_fingerprint, created_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(id, hashSecretToken(token), input.emailKey, input.deviceFingerprint, input.now, input.expiresAt);
  return { token, decoy: findResetDecoyById(db, id) as ResetDecoy };
}

export function findResetDecoyByToken(db: Db, token: string): ResetDecoy | undefined {
  const row = db.prepare('SELECT * FROM password_reset_decoys WHERE token_hash = ?').get(hashSecretToken(token)) as ResetDecoyRow | undefined;
  return row === undefined ? undefined : toResetDecoy(row);
}

/** Returns the time of the newest decoy send for this attempt, or null. */
export function findLastDecoySend(db: Db, decoyId: string): number | null {
  const row = db.prepare('SELECT MAX(requested_at) AS last FROM password_reset_decoy_sends WHERE decoy_id = ?').get(decoyId) as { last: number | null };
  return row.last;
}

/** Lists the times of decoy sends for the email since `since`, oldest first, as the hourly cap needs. */
export function listDecoySendTimes(db: Db, emailKey: string, since: number): number[] {
  const rows = db
    .prepare('SELECT requested_at FROM password_reset_decoy_sends WHERE email_key = ? AND requested_at > ? ORDER BY requested_at')
    .all(emailKey, since) as Array<{ requested_at: number }>;
  return rows.map((row) => row.requested_at);
}

/**
 * Records a send as a real attempt stores a code: the code time moves, and a lock, or a count
 * already at `maxWrongCodes`, clears.
 */
export function recordDecoySend(db: Db, decoy: ResetDecoy, input: { now: number; codeExpiresAt: number; maxWrongCodes: number }): void {
  db.prepare('INSERT INTO password_reset_decoy_sends (decoy_id, email_key, requested_at) VALUES (?, ?, ?)').run(decoy.id, decoy.emailKey, input.now);
  db.prepare(
    `UPDATE password_reset_decoys SET code_issued_at = @now, code_expires_at = @codeExpiresAt,
       wrong_attempts = CASE WHEN locked_at IS NULL AND wrong_attempts < @max THEN wrong_attempts ELSE 0 END, locked_at = NULL
     WHERE id = @id`,
  ).run({ now: input.now, codeExpiresAt: input.codeExpiresAt, max: input.maxWrongCodes, id: decoy.id });
}

export function recordWrongCodeOnDecoy(db: Db, decoyId: string, input: { now: number; maxWrongCodes: number }): { wrongAttempts: number; isLocked: boolean } {
  const row = db
    .prepare(
      `UPDATE password_reset_decoys SET
         wrong_attempts = wrong_attempts + 1,
         locked_at = CASE WHEN wrong_attempts + 1 >= @max THEN @now ELSE locked_at END
       WHERE id = @id
       RETURNING wrong_attempts, locked_at`,
    )
    .get({ max: input.maxWrongCodes, now: input.now, id: decoyId }) as { wrong_attempts: number; locked_at: number | null };
  return { wrongAttempts: row.wrong_attempts, isLocked: row.locked_at !== null };
}

function findResetDecoyById(db: Db, id: string): ResetDecoy | undefined {
  const row = db.prepare('SELECT * FROM password_reset_decoys WHERE id = ?').get(id) as ResetDecoyRow | undefined;
  return row === undefined ? undefined : toResetDecoy(row);
}

function toResetDecoy(row: ResetDecoyRow): ResetDecoy {
  return {
    id: row.id,
    emailKey: row.email_key,
    deviceFingerprint: row.device_fingerprint,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    wrongAttempts: row.wrong_attempts,
    lockedAt: row.locked_at,
    codeIssuedAt: row.code_issued_at,
    codeExpiresAt: row.code_expires_at,
  };
}
