import { revokeAccountSetupCodes } from '../account-setup/setup-code';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import type { Db } from '../db/database';
import { sendSecurityNotices } from '../notifications/security-notice';
import type { Practice } from '../practices/practice-repository';
import { locateSignInOrigin } from '../risk/access-pattern';
import type { ServerContext } from '../server-context';
import type { User } from '../users/user-repository';

export interface CredentialChangeInput {
  user: User;
  practice: Practice;
  newPasswordHash: string;
  /** `password_reset` also revokes every remembered workstation, but a change while signed in keeps them. */
  reason: 'password_reset' | 'password_changed';
  /** The session that made the change and stays open; null ends every session. */
  keptSessionId: string | null;
  origin: RequestOrigin;
  now: number;
}

/**
 * Stores a new password hash and ends what the old password opened: the user's sessions (except
 * the one that made a change while signed in), every unfinished code challenge, unused reset
 * token and open setup code and, after a reset, every remembered workstation. Call it inside the
 * transaction that audits the change. It writes one audit row per ended session and revoked workstation.
 */
export function applyPasswordChange(db: Db, input: CredentialChangeInput): { sessionsEnded: number; workstationsRevoked: number } {
  const { user, practice, now, origin } = input;
  // Any password the person sets, by setup code or by reset, ends a pending account setup.
  db.prepare('UPDATE users SET password_hash = ?, password_changed_at = ?, password_setup_pending = 0 WHERE id = ?').run(
    input.newPasswordHash,
    now,
    user.id,
  );
  const auditBase = { occurredAt: now, origin, practiceId: practice.id, userId: user.id };

  const endedSessions = db
    .prepare(
      `UPDATE sessions SET ended_at = ?, end_reason = ?
       WHERE user_id = ? AND ended_at IS NULL AND id IS NOT ?
       RETURNING id`,
    )
    .all(now, input.reason, user.id, input.keptSessionId) as Array<{ id: string }>;
  for (const session of endedSessions) {
    appendAuditEvent(db, { ...auditBase, event: 'session.revoked', outcome: 'success', reason: input.reason, details: { sessionId: session.id } });
  }

  let revokedTrusts: Array<{ id: string }> = [];
  if (input.reason === 'password_reset') {
    revokedTrusts = db
      .prepare('UPDATE device_trusts SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? RETURNING id')
      .all(now, user.id, now) as Array<{ id: string }>;
    for (const trust of revokedTrusts) {
      appendAuditEvent(db, { ...auditBase, event: 'device.revoked', outcome: 'success', reason: input.reason, details: { deviceTrustId: trust.id } });
    }
  }

  // A code or reset token issued under the old password must not outlive it.
  db.prepare('UPDATE otp_challenges SET completed_at = ?, code_hash = NULL WHERE user_id = ? AND completed_at IS NULL').run(now, user.id);
  db.prepare('UPDATE password_reset_tokens SET revoked_at = ? WHERE user_id = ? AND used_at IS NULL AND revoked_at IS NULL').run(now, user.id);
  revokeAccountSetupCodes(db, user.id, now);
  return { sessionsEnded: endedSessions.length, workstationsRevoked: revokedTrusts.length };
}

/** Emails the user that their password changed; call it after the transaction has committed. */
export function notifyPasswordChange(context: ServerContext, input: Pick<CredentialChangeInput, 'user' | 'practice' | 'reason' | 'origin' | 'now'>): void {
  sendSecurityNotices(context, [
    {
      kind: input.reason,
      user: input.user,
      practice: input.practice,
      workstationName: null,
      origin: locateSignInOrigin(context.geoLocator, input.origin.ip),
      occurredAt: input.now,
    },
  ]);
}
