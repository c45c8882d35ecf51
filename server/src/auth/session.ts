import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { runImmediate } from '../db/database';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { failure, type Result } from '../errors/api-error';
import { findPracticeById, type Practice } from '../practices/practice-repository';
import { findUserById, type User } from '../users/user-repository';
import { toIsoTime } from '../clock';
import type { SessionInfo } from '../../../electron/shared/api';
import { generateSecretToken, hashSecretToken } from './secret-token';
import { describePasswordPolicy } from './password-policy';
import { permissionsForRole } from './permissions';

export interface Session {
  id: string;
  userId: string;
  practiceId: string;
  deviceFingerprint: string;
  mfa: boolean;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  endedAt: number | null;
  endReason: SessionEndReason | null;
}

export type SessionEndReason =
  | 'logout'
  | 'expired'
  | 'timed_out'
  | 'device_mismatch'
  | 'device_revoked'
  | 'password_reset'
  | 'password_changed'
  | 'mfa_enforced'
  | 'revoked_by_admin'
  | 'user_deactivated'
  /** Ended by "Sign out everywhere" from another session of the same user. */
  | 'signed_out_everywhere';

interface SessionRow {
  id: string;
  user_id: string;
  practice_id: string;
  device_fingerprint: string;
  mfa: number;
  created_at: number;
  last_activity_at: number;
  expires_at: number;
  ended_at: number | null;
  end_reason: SessionEndReason | null;
}

export interface ValidSession {
  session: Session;
  user: User;
  practice: Practice;
}

/** Creates a session row; call inside the transaction that writes its `session.created` audit row. */
export function createSession(
  db: Db,
  input: { user: User; practice: Practice; deviceFingerprint: string; mfa: boolean; now: number },
): { token: string; session: Session } {
  const token = generateSecretToken();
  const session: Session = {
    id: randomUUID(),
    userId: input.user.id,
    practiceId: input.practice.id,
    deviceFingerprint: input.deviceFingerprint,
    mfa: input.mfa,
    createdAt: input.now,
    lastActivityAt: input.now,
    expiresAt: input.now + input.practice.absoluteTimeoutMinutes * 60_000,
    endedAt: null,
    endReason: null,
  };
  db.prepare(
    `INSERT INTO sessions (id, token_hash, user_id, practice_id, device_fingerprint, mfa, created_at, last_activity_at, expires_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    session.id,
    hashSecretToken(token),
    session.userId,
    session.practiceId,
    session.deviceFingerprint,
    session.mfa ? 1 : 0,
    session.createdAt,
    session.lastActivityAt,
    session.expiresAt,
  );
  return { token, session };
}

/**
 * Checks a session token for a request from `deviceFingerprint`. The first request that finds a
 * session past its idle or absolute limit ends it and audits why. A background request (polling)
 * does not count as activity, so it never pushes the idle limit forward.
 */
export function validateSession(
  db: Db,
  input: { token: string; deviceFingerprint: string; isBackground: boolean; now: number; origin: RequestOrigin },
): Result<ValidSession> {
  return runImmediate(db, () => {
    const row = db.prepare('SELECT * FROM sessions WHERE token_hash = ?').get(hashSecretToken(input.token)) as SessionRow | undefined;
    if (row === undefined) {
      return failure('SESSION_INVALID');
    }
    const session = toSession(row);
    if (session.endReason === 'expired' || session.endReason === 'timed_out') {
      return failure('SESSION_EXPIRED');
    }
    if (session.endReason === 'password_reset' || session.endReason === 'password_changed') {
      return failure('SESSION_PASSWORD_CHANGED');
    }
    if (session.endReason === 'mfa_enforced') {
      return failure('SESSION_MFA_REQUIRED');
    }
    if (session.endReason === 'revoked_by_admin') {
      return failure('SESSION_REVOKED_BY_ADMIN');
    }
    // Only the holder of the session token learns these reasons, and they concern that holder's own account.
    if (session.endReason === 'user_deactivated') {
      return failure('SESSION_ACCOUNT_DEACTIVATED');
    }
    if (session.endReason === 'signed_out_everywhere') {
      return failure('SESSION_SIGNED_OUT_EVERYWHERE');
    }
    if (session.endedAt !== null) {
      return failure('SESSION_INVALID');
    }
    const user = findUserById(db, session.userId);
    const practice = findPracticeById(db, session.practiceId);
    if (user === undefined || practice === undefined) {
      return failure('SESSION_INVALID');
    }
    const auditBase = { occurredAt: input.now, origin: input.origin, practiceId: practice.id, userId: user.id };

    // A token presented from another workstation has leaked, so the session ends for everyone.
    if (session.deviceFingerprint !== input.deviceFingerprint) {
      endSession(db, session.id, 'device_mismatch', input.now);
      appendAuditEvent(db, { ...auditBase, event: 'session.device_mismatch', outcome: 'failure', reason: 'device_mismatch' });
      return failure('SESSION_DEVICE_MISMATCH');
    }
    if (input.now >= session.expiresAt) {
      endSession(db, session.id, 'expired', input.now);
      appendAuditEvent(db, { ...auditBase, event: 'session.expired', outcome: 'success', reason: 'absolute_timeout' });
      return failure('SESSION_EXPIRED');
    }
    if (input.now >= idleExpiresAt(session, practice)) {
      endSession(db, session.id, 'timed_out', input.now);
      appendAuditEvent(db, { ...auditBase, event: 'session.timed_out', outcome: 'success', reason: 'idle_timeout' });
      return failure('SESSION_EXPIRED');
    }
    if (!input.isBackground) {
      db.prepare('UPDATE sessions SET last_activity_at = ? WHERE id = ?').run(input.now, session.id);
      session.lastActivityAt = input.now;
    }
    return { ok: true, session, user, practice };
  });
}

export function revokeSession(db: Db, valid: ValidSession, input: { now: number; origin: RequestOrigin }): void {
  runImmediate(db, () => {
    endSession(db, valid.session.id, 'logout', input.now);
    appendAuditEvent(db, {
      occurredAt: input.now,
      origin: input.origin,
      practiceId: valid.practice.id,
      userId: valid.user.id,
      event: 'session.revoked',
      outcome: 'success',
      reason: 'logout',
    });
  });
}

/**
 * Ends a session because the desktop app locked after the practice's idle period. It is audited as
 * `session.timed_out` like a time-out the server notices itself, with a reason telling them apart.
 */
export function timeOutSession(db: Db, valid: ValidSession, input: { now: number; origin: RequestOrigin }): void {
  runImmediate(db, () => {
    endSession(db, valid.session.id, 'timed_out', input.now);
    appendAuditEvent(db, {
      occurredAt: input.now,
      origin: input.origin,
      practiceId: valid.practice.id,
      userId: valid.user.id,
      event: 'session.timed_out',
      outcome: 'success',
      reason: 'client_idle_lock',
      details: { idleTimeoutMinutes: valid.practice.idleTimeoutMinutes },
    });
  });
}

/**
 * Ends every open session of a user on one workstation, because its trust was revoked, and returns
 * their ids so the caller can audit each. Call inside the transaction that revokes the trust.
 */
export function endDeviceSessions(db: Db, input: { userId: string; deviceFingerprint: string; now: number }): string[] {
  const rows = db
    .prepare(
      `UPDATE sessions SET ended_at = ?, end_reason = 'device_revoked'
       WHERE user_id = ? AND device_fingerprint = ? AND ended_at IS NULL
       RETURNING id`,
    )
    .all(input.now, input.userId, input.deviceFingerprint) as Array<{ id: string }>;
  return rows.map((row) => row.id);
}

export function toSessionInfo(session: Session, user: User, practice: Practice): SessionInfo {
  return {
    user: {
      id: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      permissions: permissionsForRole(user.role),
    },
    practice: { id: practice.id, name: practice.name },
    createdAt: toIsoTime(session.createdAt),
    idleExpiresAt: toIsoTime(Math.min(idleExpiresAt(session, practice), session.expiresAt)),
    expiresAt: toIsoTime(session.expiresAt),
    mfa: session.mfa,
    idleTimeoutMinutes: practice.idleTimeoutMinutes,
    passwordPolicy: describePasswordPolicy(practice),
  };
}

function idleExpiresAt(session: Session, practice: Practice): number {
  return session.lastActivityAt + practice.idleTimeoutMinutes * 60_000;
}

function endSession(db: Db, sessionId: string, reason: SessionEndReason, now: number): void {
  db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL').run(now, reason, sessionId);
}

function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    practiceId: row.practice_id,
    deviceFingerprint: row.device_fingerprint,
    mfa: row.mfa === 1,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    expiresAt: row.expires_at,
    endedAt: row.ended_at,
    endReason: row.end_reason,
  };
}
