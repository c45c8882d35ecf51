import { randomInt, randomUUID } from 'node:crypto';
import { accountSetupCodeLength } from '../../../electron/shared/api';
import type { Db } from '../db/database';
import { hashOtpCode, isOtpCodeMatch, type RandomIntSource } from '../otp/otp-code';

/**
 * How long an emailed setup code works: 72 hours, so a new employee who gets the email on a Friday
 * can still use it on Monday morning. Sign-in and reset codes live 10 minutes.
 */
export const accountSetupCodeTtlMs = 72 * 60 * 60_000;

/** Wrong codes that lock a setup code until an administrator sends a new one, as for a sign-in code. */
export const maxWrongSetupCodes = 5;

/** Accepted setup codes: exactly `accountSetupCodeLength` ASCII digits. */
export const accountSetupCodePattern = `^[0-9]{${accountSetupCodeLength}}$`;

/**
 * Generates a setup code of 8 random digits. It lives 72 hours instead of 10 minutes, so it gets 8
 * digits instead of 6. With 5 wrong tries per code, a blind guess succeeds with a probability of 5
 * in 100 million instead of 5 in a million. The margin matters because someone can try every
 * account that is waiting for setup. Digits alone keep it easy to type on any keyboard or phone and
 * to read aloud (no O/0 or l/1).
 */
export function generateAccountSetupCode(randomIntSource: RandomIntSource = randomInt): string {
  return String(randomIntSource(0, 10 ** accountSetupCodeLength)).padStart(accountSetupCodeLength, '0');
}

/** A setup code row, without its hash. */
export interface AccountSetupCode {
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  wrongAttempts: number;
  lockedAt: number | null;
}

/** Outcome of comparing a typed code with the user's open setup code. */
export type SetupCodeCheck =
  | { status: 'match'; setupCode: AccountSetupCode }
  | { status: 'expired'; setupCode: AccountSetupCode }
  | { status: 'locked'; setupCode: AccountSetupCode }
  | { status: 'wrong'; setupCode: AccountSetupCode }
  | { status: 'none' };

interface AccountSetupCodeRow {
  id: string;
  user_id: string;
  code_hash: string | null;
  created_at: number;
  expires_at: number;
  wrong_attempts: number;
  locked_at: number | null;
}

/**
 * Stores a new setup code for the user and revokes every earlier one that is still open, so only the
 * newest code works. Call it inside a transaction. `id` may be chosen by the caller, because the
 * code's HMAC is keyed with it and the email can leave before the row is written.
 */
export function storeAccountSetupCode(
  db: Db,
  secret: Buffer,
  input: { userId: string; code: string; now: number; id?: string },
): AccountSetupCode {
  const setupCode: AccountSetupCode = {
    id: input.id ?? randomUUID(),
    userId: input.userId,
    createdAt: input.now,
    expiresAt: input.now + accountSetupCodeTtlMs,
    wrongAttempts: 0,
    lockedAt: null,
  };
  revokeAccountSetupCodes(db, input.userId, input.now);
  db.prepare(
    `INSERT INTO account_setup_codes (id, user_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
  ).run(setupCode.id, setupCode.userId, hashOtpCode(secret, setupCode.id, input.code), setupCode.createdAt, setupCode.expiresAt);
  return setupCode;
}

/**
 * Compares `code` with the user's newest setup code that is neither used nor revoked. It only
 * reads; `recordWrongSetupCode` counts a wrong one. An expired code reads as `expired` only when the
 * typed code is its right one, so someone without the code cannot learn that a setup is waiting.
 */
export function checkAccountSetupCode(db: Db, secret: Buffer, input: { userId: string; code: string; now: number }): SetupCodeCheck {
  const row = db
    .prepare(
      `SELECT * FROM account_setup_codes WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL
       ORDER BY created_at DESC, rowid DESC LIMIT 1`,
    )
    .get(input.userId) as AccountSetupCodeRow | undefined;
  if (row === undefined) {
    return { status: 'none' };
  }
  const setupCode = toAccountSetupCode(row);
  if (row.locked_at !== null || row.code_hash === null) {
    return { status: 'locked', setupCode };
  }
  if (!isOtpCodeMatch(secret, row.id, input.code, row.code_hash)) {
    return { status: 'wrong', setupCode };
  }
  return input.now >= row.expires_at ? { status: 'expired', setupCode } : { status: 'match', setupCode };
}

/** Counts one wrong code; at the limit it locks the code and drops its hash. */
export function recordWrongSetupCode(db: Db, setupCodeId: string, now: number): { wrongAttempts: number; isLocked: boolean } {
  const row = db
    .prepare(
      `UPDATE account_setup_codes SET
         wrong_attempts = wrong_attempts + 1,
         locked_at = CASE WHEN wrong_attempts + 1 >= @max THEN @now ELSE locked_at END,
         code_hash = CASE WHEN wrong_attempts + 1 >= @max THEN NULL ELSE code_hash END
       WHERE id = @id
       RETURNING wrong_attempts, locked_at`,
    )
    .get({ max: maxWrongSetupCodes, now, id: setupCodeId }) as { wrong_attempts: number; locked_at: number | null };
  return { wrongAttempts: row.wrong_attempts, isLocked: row.locked_at !== null };
}

/**
 * Marks the code used and drops its hash. The `used_at IS NULL` condition makes this the single
 * winner when two requests carry the right code, because only one UPDATE changes the row.
 */
export function useAccountSetupCode(db: Db, setupCodeId: string, now: number): boolean {
  const result = db
    .prepare('UPDATE account_setup_codes SET used_at = ?, code_hash = NULL WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL')
    .run(now, setupCodeId);
  return result.changes === 1;
}

/** Revokes every open setup code of the user; returns how many there were. */
export function revokeAccountSetupCodes(db: Db, userId: string, now: number): number {
  return db
    .prepare('UPDATE account_setup_codes SET revoked_at = ?, code_hash = NULL WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL')
    .run(now, userId).changes;
}

function toAccountSetupCode(row: AccountSetupCodeRow): AccountSetupCode {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    wrongAttempts: row.wrong_attempts,
    lockedAt: row.locked_at,
  };
}
