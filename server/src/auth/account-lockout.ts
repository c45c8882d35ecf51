import type { Db } from '../db/database';
import type { User } from '../users/user-repository';

/**
 * Account escalation for wrong one-time codes. Every N consecutive wrong codes on the account,
 * counted across challenges, lock it for the next duration below; N is the practice's
 * `wrong_codes_per_account_lockout` (3 to 10, default 10). A new code does not reset the count,
 * but a successful sign-in does. The fifth lockout, at the latest the 5 × N-th wrong code (50 by
 * default), lasts until an admin unlocks the account, well under the 100 failed attempts that
 * NIST SP 800-63B allows per account.
 */
export const timedLockoutDurationsMs: readonly number[] = [15 * 60_000, 60 * 60_000, 4 * 60 * 60_000, 24 * 60 * 60_000];
export const adminLockoutLevel = timedLockoutDurationsMs.length + 1;

export type AccountLockState = { isLocked: false } | { isLocked: true; lockedUntil: number | null };

export function getAccountLockState(user: Pick<User, 'lockedUntil' | 'lockoutLevel'>, now: number): AccountLockState {
  if (user.lockoutLevel >= adminLockoutLevel) {
    return { isLocked: true, lockedUntil: null };
  }
  if (user.lockedUntil !== null && now < user.lockedUntil) {
    return { isLocked: true, lockedUntil: user.lockedUntil };
  }
  return { isLocked: false };
}

/**
 * Counts one wrong code and, on every `wrongCodesPerLockout`-th, locks the account; returns the new
 * lock if one started. The count is not reset by a lock, so after the practice changes the step
 * the next lock comes at the next multiple of the new step, at most one step away.
 */
export function recordWrongCodeOnAccount(
  db: Db,
  input: { userId: string; now: number; wrongCodesPerLockout: number },
): { failures: number; lock: AccountLockState } {
  const { userId, now, wrongCodesPerLockout } = input;
  const row = db
    .prepare(
      `UPDATE users SET consecutive_code_failures = consecutive_code_failures + 1 WHERE id = ?
       RETURNING consecutive_code_failures AS failures, lockout_level AS level`,
    )
    .get(userId) as { failures: number; level: number };
  if (row.failures % wrongCodesPerLockout !== 0) {
    return { failures: row.failures, lock: { isLocked: false } };
  }

  const level = Math.min(row.level + 1, adminLockoutLevel);
  const duration = timedLockoutDurationsMs[level - 1];
  const isAdminLockout = row.failures >= adminLockoutLevel * wrongCodesPerLockout || duration === undefined;
  const lockedUntil = isAdminLockout ? null : now + duration;
  db.prepare('UPDATE users SET lockout_level = ?, locked_until = ? WHERE id = ?').run(
    isAdminLockout ? adminLockoutLevel : level,
    lockedUntil,
    userId,
  );
  return { failures: row.failures, lock: { isLocked: true, lockedUntil } };
}

export function retryAfterLock(lock: AccountLockState, now: number): { retryAfterSeconds: number } | undefined {
  if (!lock.isLocked || lock.lockedUntil === null) {
    return undefined;
  }
  return { retryAfterSeconds: Math.max(1, Math.ceil((lock.lockedUntil - now) / 1000)) };
}

export function resetAccountCodeFailures(db: Db, userId: string): void {
  db.prepare('UPDATE users SET consecutive_code_failures = 0, lockout_level = 0, locked_until = NULL WHERE id = ?').run(userId);
}
