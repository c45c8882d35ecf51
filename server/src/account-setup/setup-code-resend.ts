import { randomUUID } from 'node:crypto';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { failure, type Failure, type Result } from '../errors/api-error';
import { findPracticeById, type Practice } from '../practices/practice-repository';
import type { ServerContext } from '../server-context';
import { toUserSummary, type UserSummary } from '../users/user-administration';
import { findUserById, type User } from '../users/user-repository';
import { accountSetupCodeTtlMs, generateAccountSetupCode, storeAccountSetupCode } from './setup-code';
import { auditAccountSetupEmail, sendAccountSetupEmail } from './setup-code-email';
import { finishSetupCodeSend, reserveSetupCodeSend, secondsUntilSetupCodeCooldownEnds } from './setup-code-sends';

/**
 * Emails a user of the administrator's practice a new setup code and then revokes the previous
 * one, for a welcome email that expired, was locked by wrong codes or never arrived. The
 * practice's resend cooldown applies between two setup code emails to one user. The email leaves
 * before the new code is stored, so a failed delivery leaves the previous code working. A user of
 * another practice reads as not found, as for the other user actions.
 */
export async function resendAccountSetupCode(
  context: ServerContext,
  request: { practiceId: string; actorUserId: string; targetUserId: string; origin: RequestOrigin },
): Promise<Result<{ user: UserSummary; codeExpiresAt: string }>> {
  const { db, clock } = context;
  const now = clock.now();
  const reserved = runImmediate(db, (): Result<{ user: User; practice: Practice; sendId: string }> => {
    const checked = checkResendTarget(findUserById(db, request.targetUserId), request.practiceId);
    if (!checked.ok) {
      return checked;
    }
    const practice = findPracticeById(db, request.practiceId);
    if (practice === undefined) {
      return failure('USER_NOT_FOUND');
    }
    const cooldownWait = secondsUntilSetupCodeCooldownEnds(db, checked.user.id, practice.resendCooldownSeconds, now);
    if (cooldownWait !== null) {
      appendAuditEvent(db, {
        occurredAt: now,
        origin: request.origin,
        practiceId: practice.id,
        userId: checked.user.id,
        event: 'request.rate_limited',
        outcome: 'failure',
        reason: 'otp_resend_cooldown',
        details: { purpose: 'account_setup', requestedByUserId: request.actorUserId },
      });
      return failure('OTP_RESEND_COOLDOWN', { retryAfterSeconds: cooldownWait });
    }
    return { ok: true, user: checked.user, practice, sendId: reserveSetupCodeSend(db, checked.user.id, now) };
  });
  if (!reserved.ok) {
    if (reserved.code === 'OTP_RESEND_COOLDOWN') {
      context.logger.warn({ userId: request.targetUserId, requestedByUserId: request.actorUserId }, 'setup code resend rejected during the cooldown');
    }
    return reserved;
  }

  return emailNewSetupCode(context, { ...reserved, actorUserId: request.actorUserId, origin: request.origin, reason: 'resent_by_admin' });
}

/**
 * Emails a new setup code to the address an administrator has just set for a user who is still
 * waiting for setup, and returns whether the code was sent and stored. `updatePracticeUserDetails`
 * revoked the code sent to the old address and reserved `sendId` in the transaction that changed the
 * address. No cooldown applies, because the new address has not received a code yet.
 */
export async function sendSetupCodeToNewEmail(
  context: ServerContext,
  request: { practiceId: string; actorUserId: string; targetUserId: string; sendId: string; origin: RequestOrigin },
): Promise<boolean> {
  const { db, clock } = context;
  const user = findUserById(db, request.targetUserId);
  const practice = findPracticeById(db, request.practiceId);
  if (user === undefined || practice === undefined) {
    runImmediate(db, () => finishSetupCodeSend(db, request.sendId, 'failed', clock.now()));
    return false;
  }
  const issued = await emailNewSetupCode(context, {
    user,
    practice,
    sendId: request.sendId,
    actorUserId: request.actorUserId,
    origin: request.origin,
    reason: 'email_changed',
  });
  return issued.ok;
}

/**
 * Emails a new setup code and, once the email has left, stores it, which revokes every earlier
 * code. `sendId` is the pending send row that the caller reserved.
 */
async function emailNewSetupCode(
  context: ServerContext,
  input: { user: User; practice: Practice; sendId: string; actorUserId: string; origin: RequestOrigin; reason: 'resent_by_admin' | 'email_changed' },
): Promise<Result<{ user: UserSummary; codeExpiresAt: string }>> {
  const { db, clock } = context;
  const { user, practice } = input;
  const now = clock.now();
  const setupCodeId = randomUUID();
  const code = generateAccountSetupCode(context.randomInt);
  const codeExpiresAt = now + accountSetupCodeTtlMs;
  const outcome = await sendAccountSetupEmail(context, { user, practice, code, codeExpiresAt });

  return runImmediate(db, (): Result<{ user: UserSummary; codeExpiresAt: string }> => {
    const auditNow = clock.now();
    finishSetupCodeSend(db, input.sendId, outcome.isSent ? 'sent' : 'failed', auditNow);
    auditAccountSetupEmail(db, { outcome, user, origin: input.origin, now: auditNow });
    if (!outcome.isSent) {
      return failure('ACCOUNT_SETUP_EMAIL_FAILED');
    }
    // Checked again under the write lock: while the email was on its way, the person may have
    // finished setup, or an administrator may have replaced the address it went to.
    const current = checkResendTarget(findUserById(db, user.id), practice.id);
    if (!current.ok) {
      return current;
    }
    if (current.user.email !== user.email) {
      return failure('ACCOUNT_SETUP_EMAIL_CHANGED');
    }
    const setupCode = storeAccountSetupCode(db, context.otpSecret, { id: setupCodeId, userId: current.user.id, code, now });
    appendAuditEvent(db, {
      occurredAt: auditNow,
      origin: input.origin,
      practiceId: practice.id,
      userId: current.user.id,
      event: 'account_setup.code_issued',
      outcome: 'success',
      reason: input.reason,
      details: { issuedByUserId: input.actorUserId, expiresAt: toIsoTime(setupCode.expiresAt) },
    });
    return { ok: true, user: toUserSummary(current.user, auditNow), codeExpiresAt: toIsoTime(setupCode.expiresAt) };
  });
}

function checkResendTarget(target: User | undefined, practiceId: string): { ok: true; user: User } | Failure {
  if (target === undefined || target.practiceId !== practiceId) {
    return failure('USER_NOT_FOUND');
  }
  if (target.status !== 'active') {
    return failure('ACCOUNT_SETUP_USER_DEACTIVATED');
  }
  if (!target.isPasswordSetupPending) {
    return failure('ACCOUNT_SETUP_NOT_PENDING');
  }
  return { ok: true, user: target };
}
