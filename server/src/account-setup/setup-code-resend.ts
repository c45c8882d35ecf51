import { randomUUID } from 'node:crypto';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { failure, type Failure, type Result } from '../errors/api-error';
import { findPracticeById } from '../practices/practice-repository';
import type { ServerContext } from '../server-context';
import { toUserSummary, type UserSummary } from '../users/user-administration';
import { findUserById, type User } from '../users/user-repository';
import { accountSetupCodeTtlMs, generateAccountSetupCode, storeAccountSetupCode } from './setup-code';
import { auditAccountSetupEmail, sendAccountSetupEmail } from './setup-code-email';

/**
 * Emails a user of the administrator's practice a new setup code and then revokes the previous
 * one, for a welcome email that expired, was locked by wrong codes or never arrived. The email
 * leaves before the new code is stored, so a failed delivery leaves the previous code working. A
 * user of another practice reads as not found, as for the other user actions.
 */
export async function resendAccountSetupCode(
  context: ServerContext,
  request: { practiceId: string; actorUserId: string; targetUserId: string; origin: RequestOrigin },
): Promise<Result<{ user: UserSummary; codeExpiresAt: string }>> {
  const { db, clock } = context;
  const checked = checkResendTarget(findUserById(db, request.targetUserId), request.practiceId);
  if (!checked.ok) {
    return checked;
  }
  const practice = findPracticeById(db, request.practiceId);
  if (practice === undefined) {
    return failure('USER_NOT_FOUND');
  }

  const now = clock.now();
  const setupCodeId = randomUUID();
  const code = generateAccountSetupCode(context.randomInt);
  const codeExpiresAt = now + accountSetupCodeTtlMs;
  const outcome = await sendAccountSetupEmail(context, { user: checked.user, practice, code, codeExpiresAt });

  return runImmediate(db, (): Result<{ user: UserSummary; codeExpiresAt: string }> => {
    const auditNow = clock.now();
    auditAccountSetupEmail(db, { outcome, user: checked.user, origin: request.origin, now: auditNow });
    if (!outcome.isSent) {
      return failure('ACCOUNT_SETUP_EMAIL_FAILED');
    }
    // Checked again under the write lock: the person may have finished setup while the email was on its way.
    const current = checkResendTarget(findUserById(db, request.targetUserId), request.practiceId);
    if (!current.ok) {
      return current;
    }
    const setupCode = storeAccountSetupCode(db, context.otpSecret, { id: setupCodeId, userId: current.user.id, code, now });
    appendAuditEvent(db, {
      occurredAt: auditNow,
      origin: request.origin,
      practiceId: request.practiceId,
      userId: current.user.id,
      event: 'account_setup.code_issued',
      outcome: 'success',
      reason: 'resent_by_admin',
      details: { issuedByUserId: request.actorUserId, expiresAt: toIsoTime(setupCode.expiresAt) },
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
