import type { AccountSetupVerifyResponse } from '../../../electron/shared/api';
import { appendAuditEvent, type AuditEvent, type RequestOrigin } from '../audit/audit-log';
import { applyPasswordChange } from '../auth/credential-change';
import { checkNewPassword, describePasswordPolicy } from '../auth/password-policy';
import { toIsoTime } from '../clock';
import { runImmediate, type Db } from '../db/database';
import { maskEmail } from '../delivery/mask-destination';
import { failure, type Failure, type Result } from '../errors/api-error';
import { hashOtpCode } from '../otp/otp-code';
import { toEmailKey } from '../password-reset/reset-request';
import { findPracticeById, type Practice } from '../practices/practice-repository';
import { consumeRateLimit, type RateLimitRule } from '../rate-limit/rate-limit';
import type { ServerContext } from '../server-context';
import { findUserById, findUserByUsername, type User } from '../users/user-repository';
import {
  accountSetupCodeTtlMs,
  checkAccountSetupCode,
  maxWrongSetupCodes,
  recordWrongSetupCode,
  useAccountSetupCode,
  type AccountSetupCode,
} from './setup-code';

/**
 * Wrong codes typed for a username or email that has no setup waiting (unknown, deactivated or
 * already set up). They lock that name the way wrong codes lock a real setup code, so replies do
 * not tell which accounts are waiting for setup.
 */
export const setupAttemptsWithoutAccount: RateLimitRule = { name: 'account-setup-no-account', limit: maxWrongSetupCodes, windowMs: accountSetupCodeTtlMs };

export interface AccountSetupInput {
  /** The username, or the email address the welcome email went to. */
  usernameOrEmail: string;
  code: string;
  origin: RequestOrigin;
}

/**
 * Checks a setup code without using it up, so the person can choose a password next and can come
 * back with the same code if they stop before that. Wrong codes count toward the code's lock.
 */
export function verifyAccountSetupCode(context: ServerContext, input: AccountSetupInput): Result<{ response: AccountSetupVerifyResponse }> {
  const { db, clock } = context;
  const now = clock.now();
  return runImmediate(db, (): Result<{ response: AccountSetupVerifyResponse }> => {
    const checked = checkSetupAttempt(context, input, now);
    if (!checked.ok) {
      return checked;
    }
    const { user, practice, setupCode } = checked;
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.origin,
      practiceId: practice.id,
      userId: user.id,
      event: 'account_setup.code_accepted',
      outcome: 'success',
    });
    return {
      ok: true,
      response: { username: user.username, passwordPolicy: describePasswordPolicy(practice), codeExpiresAt: toIsoTime(setupCode.expiresAt) },
    };
  });
}

/**
 * Sets the first password of an account waiting for setup. The code is checked again and used up in
 * the transaction that stores the password, so two parallel requests with the right code set one
 * password. A password the policy rejects leaves the code usable. It signs no one in: the person
 * then signs in with the new password, and a code when the sign-in rules require one.
 */
export async function completeAccountSetup(
  context: ServerContext,
  input: AccountSetupInput & { newPassword: string },
): Promise<Result<{ userId: string }>> {
  const { db, clock, hasher } = context;
  const checked = runImmediate(db, () => checkSetupAttempt(context, input, clock.now()));
  if (!checked.ok) {
    return checked;
  }

  const { user, practice } = checked;
  const policy = checkNewPassword(input.newPassword, {
    minLength: practice.minPasswordLength,
    username: user.username,
    email: user.email,
    practiceName: practice.name,
  });
  if (!policy.ok) {
    runImmediate(db, () =>
      appendAuditEvent(db, {
        occurredAt: clock.now(),
        origin: input.origin,
        practiceId: practice.id,
        userId: user.id,
        event: 'account_setup.password_rejected',
        outcome: 'failure',
        reason: policy.code.toLowerCase(),
      }),
    );
    return failure(policy.code, policy.details);
  }

  const newPasswordHash = await hasher.hashPassword(input.newPassword);
  const now = clock.now();
  const completed = runImmediate(db, (): Result<{ userId: string }> => {
    const audit = auditFor(db, input.origin, practice, user, now);
    // Checked again under the write lock: a parallel request or a new code may have replaced this one.
    const current = findUserById(db, user.id);
    if (current === undefined || current.status !== 'active' || !current.isPasswordSetupPending) {
      audit({ event: 'account_setup.code_rejected', outcome: 'failure', reason: 'setup_not_pending' });
      return failure('ACCOUNT_SETUP_CODE_INVALID');
    }
    if (now >= checked.setupCode.expiresAt) {
      audit({ event: 'account_setup.code_rejected', outcome: 'failure', reason: 'code_expired' });
      return failure('ACCOUNT_SETUP_CODE_EXPIRED');
    }
    if (!useAccountSetupCode(db, checked.setupCode.id, now)) {
      audit({ event: 'account_setup.code_rejected', outcome: 'failure', reason: 'code_used_or_revoked' });
      return failure('ACCOUNT_SETUP_CODE_INVALID');
    }
    // A waiting account has no sessions or workstations, so the reset rules end nothing here. They
    // still void any unfinished reset and mark the setup done.
    applyPasswordChange(db, { user: current, practice, newPasswordHash, reason: 'password_reset', keptSessionId: null, origin: input.origin, now });
    audit({ event: 'account_setup.completed', outcome: 'success' });
    return { ok: true, userId: current.id };
  });
  if (completed.ok) {
    context.logger.info({ userId: user.id }, 'account setup completed');
  }
  return completed;
}

type SetupAttempt = { ok: true; user: User; practice: Practice; setupCode: AccountSetupCode } | Failure;

/** Checks the typed name and code, counts and audits a failure, and returns the account on a match. */
function checkSetupAttempt(context: ServerContext, input: AccountSetupInput, now: number): SetupAttempt {
  const { db } = context;
  const user = findSetupAccount(db, input.usernameOrEmail);
  const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
  if (user === undefined || practice === undefined || user.status !== 'active' || !user.isPasswordSetupPending) {
    return rejectAttemptWithoutAccount(context, input, user, now);
  }

  const check = checkAccountSetupCode(db, context.otpSecret, { userId: user.id, code: input.code, now });
  const audit = auditFor(db, input.origin, practice, user, now);
  switch (check.status) {
    case 'none':
      return rejectAttemptWithoutAccount(context, input, user, now);
    case 'locked':
      audit({ event: 'account_setup.code_rejected', outcome: 'failure', reason: 'code_locked' });
      return failure('ACCOUNT_SETUP_CODE_LOCKED', { attemptsRemaining: 0 });
    case 'expired':
      audit({ event: 'account_setup.code_rejected', outcome: 'failure', reason: 'code_expired' });
      return failure('ACCOUNT_SETUP_CODE_EXPIRED');
    case 'wrong': {
      const count = recordWrongSetupCode(db, check.setupCode.id, now);
      audit({ event: 'account_setup.code_rejected', outcome: 'failure', reason: 'wrong_code', details: { wrongCodes: count.wrongAttempts, locked: count.isLocked } });
      if (count.isLocked) {
        context.logger.warn({ userId: user.id }, 'setup code locked after wrong codes');
        return failure('ACCOUNT_SETUP_CODE_LOCKED', { attemptsRemaining: 0 });
      }
      return failure('ACCOUNT_SETUP_CODE_INVALID', { attemptsRemaining: maxWrongSetupCodes - count.wrongAttempts });
    }
    case 'match':
      return { ok: true, user, practice, setupCode: check.setupCode };
  }
}

/**
 * Rejects a name with no setup waiting the way a real setup rejects a wrong code: the same error,
 * the same attempts left, and a lock after 5 tries, counted per typed name. It also computes one
 * HMAC, as a real check does.
 */
function rejectAttemptWithoutAccount(context: ServerContext, input: AccountSetupInput, user: User | undefined, now: number): Failure {
  const { db } = context;
  hashOtpCode(context.otpSecret, setupAttemptsWithoutAccount.name, input.code);
  const count = consumeRateLimit(db, setupAttemptsWithoutAccount, toEmailKey(input.usernameOrEmail), now).count;
  let reason = 'unknown_account';
  if (user !== undefined) {
    reason = user.status !== 'active' ? 'account_deactivated' : 'setup_not_pending';
  }
  appendAuditEvent(db, {
    occurredAt: now,
    origin: input.origin,
    practiceId: user?.practiceId ?? null,
    userId: user?.id ?? null,
    // An email address typed as the name is masked, because audit rows never hold a full address.
    username: input.usernameOrEmail.includes('@') ? maskEmail(input.usernameOrEmail) : input.usernameOrEmail,
    event: 'account_setup.code_rejected',
    outcome: 'failure',
    reason,
    details: { wrongCodes: count },
  });
  if (count >= maxWrongSetupCodes) {
    return failure('ACCOUNT_SETUP_CODE_LOCKED', { attemptsRemaining: 0 });
  }
  return failure('ACCOUNT_SETUP_CODE_INVALID', { attemptsRemaining: maxWrongSetupCodes - count });
}

/**
 * Finds the account a setup attempt names: by username first, then by email address when exactly
 * one account has it. Every address is compared in JavaScript, as the password reset does, because
 * SQLite's lower() folds ASCII only.
 */
function findSetupAccount(db: Db, usernameOrEmail: string): User | undefined {
  const name = usernameOrEmail.trim();
  const byUsername = findUserByUsername(db, name);
  if (byUsername !== undefined || !name.includes('@')) {
    return byUsername;
  }
  const emailKey = toEmailKey(name);
  const rows = db.prepare('SELECT id, email FROM users WHERE email IS NOT NULL').all() as Array<{ id: string; email: string }>;
  const matches = rows.filter((row) => toEmailKey(row.email) === emailKey);
  return matches.length === 1 && matches[0] !== undefined ? findUserById(db, matches[0].id) : undefined;
}

function auditFor(
  db: Db,
  origin: RequestOrigin,
  practice: Practice,
  user: User,
  now: number,
): (event: Omit<AuditEvent, 'occurredAt' | 'origin' | 'practiceId' | 'userId'>) => void {
  return (event) => appendAuditEvent(db, { occurredAt: now, origin, practiceId: practice.id, userId: user.id, ...event });
}
