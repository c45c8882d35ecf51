import type { ChangePasswordResponse } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { runImmediate } from '../db/database';
import { failure, type Result } from '../errors/api-error';
import { consumeRateLimit, passwordFailuresPerAccountRule, peekRateLimit } from '../rate-limit/rate-limit';
import type { ServerContext } from '../server-context';
import { toUsernameKey } from '../users/user-repository';
import { applyPasswordChange, notifyPasswordChange } from './credential-change';
import { checkNewPassword } from './password-policy';
import type { ValidSession } from './session';

/**
 * Changes the signed-in user's password after checking the current one. Wrong current passwords
 * count toward the same per-username limit as the sign-in password step. The session that made the
 * change stays open, every other session of the user ends, and remembered workstations stay.
 */
export async function changePassword(
  context: ServerContext,
  input: { valid: ValidSession; currentPassword: string; newPassword: string; origin: RequestOrigin },
): Promise<Result<{ response: ChangePasswordResponse }>> {
  const { db, clock, hasher } = context;
  const { user, practice, session } = input.valid;
  const usernameKey = toUsernameKey(user.username);
  const passwordFailures = passwordFailuresPerAccountRule(practice.failedPasswordsPerAccount);
  const auditBase = { origin: input.origin, practiceId: practice.id, userId: user.id };
  const auditRejection = (reason: string): void =>
    runImmediate(db, () => appendAuditEvent(db, { ...auditBase, occurredAt: clock.now(), event: 'password.change_rejected', outcome: 'failure', reason }));

  const limit = peekRateLimit(db, passwordFailures, usernameKey, clock.now());
  if (!limit.allowed) {
    auditRejection('password_failures_per_account');
    return failure('RATE_LIMITED', { retryAfterSeconds: limit.retryAfterSeconds });
  }
  if (!(await hasher.verifyPassword(user.passwordHash, input.currentPassword))) {
    runImmediate(db, () => consumeRateLimit(db, passwordFailures, usernameKey, clock.now()));
    auditRejection('wrong_current_password');
    return failure('AUTH_CURRENT_PASSWORD_INVALID');
  }
  const policy = checkNewPassword(input.newPassword, {
    minLength: practice.minPasswordLength,
    username: user.username,
    email: user.email,
    practiceName: practice.name,
  });
  if (!policy.ok) {
    auditRejection(policy.code.toLowerCase());
    return failure(policy.code, policy.details);
  }

  const newPasswordHash = await hasher.hashPassword(input.newPassword);
  const now = clock.now();
  const changed = runImmediate(db, (): Result<{ response: ChangePasswordResponse }> => {
    // The session may have ended while the hashes were computed, for example by a reset elsewhere.
    const row = db.prepare('SELECT ended_at FROM sessions WHERE id = ?').get(session.id) as { ended_at: number | null } | undefined;
    if (row === undefined || row.ended_at !== null) {
      return failure('SESSION_INVALID');
    }
    const effects = applyPasswordChange(db, { user, practice, newPasswordHash, reason: 'password_changed', keptSessionId: session.id, origin: input.origin, now });
    appendAuditEvent(db, { ...auditBase, occurredAt: now, event: 'password.changed', outcome: 'success', details: { otherSessionsEnded: effects.sessionsEnded } });
    return { ok: true, response: { otherSessionsEnded: effects.sessionsEnded } };
  });
  if (changed.ok) {
    notifyPasswordChange(context, { user, practice, reason: 'password_changed', origin: input.origin, now });
    context.logger.info({ userId: user.id, otherSessionsEnded: changed.response.otherSessionsEnded }, 'password changed');
  }
  return changed;
}
