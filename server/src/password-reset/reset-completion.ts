import { randomUUID } from 'node:crypto';
import type { PasswordResetVerifyResponse } from '../../../electron/shared/api';
import { appendAuditEvent, type AuditEvent, type RequestOrigin } from '../audit/audit-log';
import { getAccountLockState, recordWrongCodeOnAccount, resetAccountCodeFailures } from '../auth/account-lockout';
import { applyPasswordChange, notifyPasswordChange } from '../auth/credential-change';
import { checkNewPassword, describePasswordPolicy } from '../auth/password-policy';
import { generateSecretToken, hashSecretToken } from '../auth/secret-token';
import { toIsoTime } from '../clock';
import { runImmediate, type Db } from '../db/database';
import { failure, type Failure, type Result } from '../errors/api-error';
import { isOtpCodeMatch } from '../otp/otp-code';
import {
  attemptsRemaining,
  completeOtpChallenge,
  findOtpChallengeByToken,
  isOtpChallengeLocked,
  recordWrongCodeOnChallenge,
  type OtpChallenge,
} from '../otp/otp-challenge';
import { findPracticeById, type Practice } from '../practices/practice-repository';
import type { ServerContext } from '../server-context';
import { findUserById, type User } from '../users/user-repository';
import { findResetDecoyByToken, recordWrongCodeOnDecoy, type ResetDecoy } from './reset-decoy';
import { findResetCodeLimits, type ResetCodeLimits } from './reset-request';

/** How long a reset token allows the password change after the code was accepted. */
export const passwordResetTokenTtlMs = 10 * 60_000;

/**
 * Checks a reset code and, when it is right, consumes the challenge and issues a single-use reset
 * token. Wrong codes count on the challenge and on the account, like sign-in codes, so switching
 * between the two flows buys no extra guesses. It all runs in one immediate transaction.
 */
export function verifyPasswordResetCode(
  context: ServerContext,
  input: { challengeToken: string; code: string; deviceFingerprint: string; origin: RequestOrigin },
): Result<{ response: PasswordResetVerifyResponse }> {
  const { db, clock } = context;
  const now = clock.now();
  return runImmediate(db, (): Result<{ response: PasswordResetVerifyResponse }> => {
    const limits = findResetCodeLimits(db);
    const challenge = findOtpChallengeByToken(db, input.challengeToken);
    if (challenge === undefined || challenge.purpose !== 'password_reset') {
      const decoy = findResetDecoyByToken(db, input.challengeToken);
      return decoy === undefined ? failure('OTP_CHALLENGE_INVALID') : rejectDecoyCode(db, decoy, { ...input, now, limits });
    }
    const user = findUserById(db, challenge.userId);
    const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
    if (user === undefined || practice === undefined) {
      return failure('OTP_CHALLENGE_INVALID');
    }
    const audit = (event: Omit<AuditEvent, 'occurredAt' | 'origin' | 'practiceId' | 'userId'>): void =>
      appendAuditEvent(db, { occurredAt: now, origin: input.origin, practiceId: practice.id, userId: user.id, ...event });
    const reject = (reason: string, result: Failure): Failure => {
      audit({ event: 'otp.rejected', outcome: 'failure', reason, details: { purpose: 'password_reset' } });
      return result;
    };

    if (now >= challenge.expiresAt) {
      return reject('challenge_expired', failure('OTP_CHALLENGE_EXPIRED'));
    }
    if (challenge.deviceFingerprint !== input.deviceFingerprint || challenge.completedAt !== null || user.status !== 'active') {
      return reject(challenge.completedAt !== null ? 'challenge_completed' : 'challenge_not_usable', failure('OTP_CHALLENGE_INVALID'));
    }
    // An account lock reads as a locked challenge here, which is what a decoy attempt shows too.
    if (getAccountLockState(user, now).isLocked || isOtpChallengeLocked(challenge, limits.wrongCodesPerChallenge)) {
      return reject('challenge_locked', failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 }));
    }
    if (challenge.codeHash === null || challenge.codeExpiresAt === null) {
      return reject('no_code_sent', failure('OTP_NO_CODE_SENT'));
    }
    if (now >= challenge.codeExpiresAt) {
      return reject('code_expired', failure('OTP_CODE_EXPIRED'));
    }

    if (!isOtpCodeMatch(context.otpSecret, challenge.id, input.code, challenge.codeHash)) {
      return recordWrongResetCode(context, { challenge, user, practice, limits, now, audit });
    }

    if (!completeOtpChallenge(db, challenge.id, now)) {
      return reject('challenge_completed', failure('OTP_CHALLENGE_INVALID'));
    }
    resetAccountCodeFailures(db, user.id);
    db.prepare('UPDATE password_reset_tokens SET revoked_at = ? WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL').run(now, user.id);
    const resetToken = generateSecretToken();
    const expiresAt = now + passwordResetTokenTtlMs;
    db.prepare(
      `INSERT INTO password_reset_tokens (id, token_hash, user_id, challenge_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(randomUUID(), hashSecretToken(resetToken), user.id, challenge.id, now, expiresAt);
    audit({ event: 'password_reset.code_accepted', outcome: 'success', details: { channel: 'email' } });
    return { ok: true, response: { resetToken, expiresAt: toIsoTime(expiresAt), passwordPolicy: describePasswordPolicy(practice) } };
  });
}

/**
 * Sets the new password with a reset token, then ends every session, forgets every remembered
 * workstation, and invalidates every code and reset token of the user. It does not sign in: the
 * user signs in again, with a code when one is required as usual. A rejected password leaves the
 * token usable, so the person can try another one.
 */
export async function completePasswordReset(
  context: ServerContext,
  input: { challengeToken: string; resetToken: string; newPassword: string; deviceFingerprint: string; origin: RequestOrigin },
): Promise<Result<{ userId: string }>> {
  const { db, clock, hasher } = context;
  const checked = runImmediate(db, () => findUsableResetToken(db, input, clock.now()));
  if (!checked.ok) {
    runImmediate(db, () => auditRejectedReset(db, input.origin, checked, clock.now()));
    return checked.failure;
  }

  const { user, practice } = checked;
  const policy = checkNewPassword(input.newPassword, {
    minLength: practice.minPasswordLength,
    username: user.username,
    email: user.email,
    practiceName: practice.name,
  });
  if (!policy.ok) {
    runImmediate(db, () => auditRejectedReset(db, input.origin, { user, reason: policy.code.toLowerCase() }, clock.now()));
    return failure(policy.code, policy.details);
  }

  const newPasswordHash = await hasher.hashPassword(input.newPassword);
  const now = clock.now();
  const completed = runImmediate(db, (): Result<{ userId: string }> => {
    // Checked again under the write lock: a parallel request may have used the token meanwhile.
    const current = findUsableResetToken(db, input, now);
    if (!current.ok) {
      auditRejectedReset(db, input.origin, current, now);
      return current.failure;
    }
    db.prepare('UPDATE password_reset_tokens SET used_at = ? WHERE id = ?').run(now, current.tokenId);
    const effects = applyPasswordChange(db, {
      user: current.user,
      practice: current.practice,
      newPasswordHash,
      reason: 'password_reset',
      keptSessionId: null,
      origin: input.origin,
      now,
    });
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.origin,
      practiceId: current.practice.id,
      userId: current.user.id,
      event: 'password_reset.completed',
      outcome: 'success',
      details: { sessionsEnded: effects.sessionsEnded, workstationsRevoked: effects.workstationsRevoked },
    });
    return { ok: true, userId: current.user.id };
  });
  if (completed.ok) {
    notifyPasswordChange(context, { user, practice, reason: 'password_reset', origin: input.origin, now });
    context.logger.info({ userId: user.id }, 'password reset completed');
  }
  return completed;
}

type UsableResetToken =
  | { ok: true; tokenId: string; user: User; practice: Practice }
  | { ok: false; failure: Failure; reason: string; user: User | null };

function findUsableResetToken(db: Db, input: { challengeToken: string; resetToken: string; deviceFingerprint: string }, now: number): UsableResetToken {
  const row = db.prepare('SELECT * FROM password_reset_tokens WHERE token_hash = ?').get(hashSecretToken(input.resetToken)) as
    | { id: string; user_id: string; challenge_id: string; expires_at: number; used_at: number | null; revoked_at: number | null }
    | undefined;
  const challenge = findOtpChallengeByToken(db, input.challengeToken);
  const user = row === undefined ? undefined : findUserById(db, row.user_id);
  const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
  const invalid = (reason: string): UsableResetToken => ({ ok: false, failure: failure('PASSWORD_RESET_TOKEN_INVALID'), reason, user: user ?? null });

  if (row === undefined || user === undefined || practice === undefined) {
    return invalid('unknown_reset_token');
  }
  // The token must belong to the reset attempt that carries it, which names the same user.
  if (challenge === undefined || challenge.id !== row.challenge_id || challenge.userId !== row.user_id) {
    return invalid('reset_token_of_another_attempt');
  }
  if (challenge.deviceFingerprint !== input.deviceFingerprint) {
    return invalid('device_mismatch');
  }
  if (row.used_at !== null) {
    return { ok: false, failure: failure('PASSWORD_RESET_TOKEN_USED'), reason: 'reset_token_used', user };
  }
  if (row.revoked_at !== null || user.status !== 'active') {
    return invalid(row.revoked_at !== null ? 'reset_token_revoked' : 'account_deactivated');
  }
  if (now >= row.expires_at) {
    return { ok: false, failure: failure('PASSWORD_RESET_TOKEN_EXPIRED'), reason: 'reset_token_expired', user };
  }
  return { ok: true, tokenId: row.id, user, practice };
}

function auditRejectedReset(db: Db, origin: RequestOrigin, rejection: { reason: string; user: User | null }, now: number): void {
  appendAuditEvent(db, {
    occurredAt: now,
    origin,
    practiceId: rejection.user?.practiceId ?? null,
    userId: rejection.user?.id ?? null,
    event: 'password_reset.rejected',
    outcome: 'failure',
    reason: rejection.reason,
  });
}

function recordWrongResetCode(
  context: ServerContext,
  input: {
    challenge: OtpChallenge;
    user: User;
    practice: Practice;
    limits: ResetCodeLimits;
    now: number;
    audit: (event: Omit<AuditEvent, 'occurredAt' | 'origin' | 'practiceId' | 'userId'>) => void;
  },
): Failure {
  const { db, logger } = context;
  const { challenge, user, practice, limits, now, audit } = input;
  const challengeCount = recordWrongCodeOnChallenge(db, { challengeId: challenge.id, now, maxWrongCodes: limits.wrongCodesPerChallenge });
  // The account counts toward its own practice's lockout step, as wrong sign-in codes do.
  const accountCount = recordWrongCodeOnAccount(db, { userId: user.id, now, wrongCodesPerLockout: practice.wrongCodesPerAccountLockout });
  const details = { purpose: 'password_reset', challengeWrongCodes: challengeCount.wrongAttempts, accountWrongCodes: accountCount.failures };
  audit({ event: 'otp.rejected', outcome: 'failure', reason: 'wrong_code', details });
  if (challengeCount.isLocked) {
    audit({ event: 'otp.challenge_locked', outcome: 'success', reason: 'too_many_wrong_codes', details });
  }
  if (accountCount.lock.isLocked) {
    const lockedUntil = accountCount.lock.lockedUntil;
    audit({
      event: 'account.locked',
      outcome: 'success',
      reason: lockedUntil === null ? 'until_admin_unlocks' : 'timed',
      details: { ...details, lockedUntil: lockedUntil === null ? null : toIsoTime(lockedUntil) },
    });
    logger.warn({ userId: user.id, lockedUntil }, 'account locked after wrong codes');
    return failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 });
  }
  if (challengeCount.isLocked) {
    return failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 });
  }
  return failure('OTP_CODE_INVALID', { attemptsRemaining: attemptsRemaining(challengeCount, limits.wrongCodesPerChallenge) });
}

/** Answers a code for a decoy attempt exactly as a real attempt answers a wrong one. */
function rejectDecoyCode(
  db: Db,
  decoy: ResetDecoy,
  input: { deviceFingerprint: string; origin: RequestOrigin; now: number; limits: ResetCodeLimits },
): Failure {
  const { now, limits } = input;
  const reject = (reason: string, result: Failure): Failure => {
    appendAuditEvent(db, { occurredAt: now, origin: input.origin, event: 'otp.rejected', outcome: 'failure', reason, details: { purpose: 'password_reset', decoy: true } });
    return result;
  };
  if (now >= decoy.expiresAt) {
    return reject('challenge_expired', failure('OTP_CHALLENGE_EXPIRED'));
  }
  if (decoy.deviceFingerprint !== input.deviceFingerprint) {
    return reject('challenge_not_usable', failure('OTP_CHALLENGE_INVALID'));
  }
  if (isOtpChallengeLocked(decoy, limits.wrongCodesPerChallenge)) {
    return reject('challenge_locked', failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 }));
  }
  if (decoy.codeIssuedAt === null || decoy.codeExpiresAt === null) {
    return reject('no_code_sent', failure('OTP_NO_CODE_SENT'));
  }
  if (now >= decoy.codeExpiresAt) {
    return reject('code_expired', failure('OTP_CODE_EXPIRED'));
  }
  const count = recordWrongCodeOnDecoy(db, decoy.id, { now, maxWrongCodes: limits.wrongCodesPerChallenge });
  reject('wrong_code', failure('OTP_CODE_INVALID'));
  if (count.isLocked) {
    return failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 });
  }
  return failure('OTP_CODE_INVALID', { attemptsRemaining: attemptsRemaining(count, limits.wrongCodesPerChallenge) });
}
