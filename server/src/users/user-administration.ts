import type { OtpChannel, Role } from '../../../electron/shared/api';
import { revokeAccountSetupCodes } from '../account-setup/setup-code';
import { reserveSetupCodeSend } from '../account-setup/setup-code-sends';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { getAccountLockState } from '../auth/account-lockout';
import { runImmediate, type Db } from '../db/database';
import { maskEmail, maskMobile } from '../delivery/mask-destination';
import { revokeUserDeviceTrusts } from '../devices/device-trust';
import { failure, type Result } from '../errors/api-error';
import { toEmailKey } from '../password-reset/reset-request';
import { emailPattern } from '../practices/practice-setup';
import { e164Pattern, findUserById, unlockUser, type User } from './user-repository';

export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  status: 'active' | 'deactivated';
  isLocked: boolean;
  /** Masked. */
  email: string | null;
  /** Masked. */
  mobile: string | null;
  /** True until the user chooses a password with their setup code. */
  isSetupPending: boolean;
  /** The channel that receives sign-in codes first, at the masked `email` or, for `sms`, the masked `mobile`. */
  preferredChannel: OtpChannel;
}

export type UserAdministrationAction = 'deactivate' | 'reactivate' | 'unlock' | 'revoke_sessions' | 'change_role';

export interface UserAdministrationRequest {
  practiceId: string;
  actorUserId: string;
  targetUserId: string;
  action: UserAdministrationAction;
  /** Only for `change_role`. */
  role?: Role;
  now: number;
  origin: RequestOrigin;
}

/** Lists a practice's users, optionally only those whose username or name contains `search` (ignoring case). */
export function listPracticeUsers(db: Db, input: { practiceId: string; search: string; now: number }): UserSummary[] {
  const pattern = `%${input.search.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  const rows = db
    .prepare(
      `SELECT id FROM users WHERE practice_id = ?
         AND (lower(username) LIKE ? ESCAPE '\\' OR lower(display_name) LIKE ? ESCAPE '\\')
       ORDER BY lower(display_name), id`,
    )
    .all(input.practiceId, pattern, pattern) as Array<{ id: string }>;
  const users: UserSummary[] = [];
  for (const row of rows) {
    const user = findUserById(db, row.id);
    if (user !== undefined) {
      users.push(toUserSummary(user, input.now));
    }
  }
  return users;
}

/**
 * Applies one administrator action to a user of the administrator's own practice and audits it as
 * `user.changed`. A user of another practice reads as not found, so ids reveal nothing.
 * Deactivating and `revoke_sessions` end the user's sessions and revoke their remembered
 * workstations, each audited as `device.revoked`, so a reactivated user needs a code again.
 */
export function administerUser(db: Db, request: UserAdministrationRequest): Result<{ user: UserSummary; sessionsEnded: number }> {
  return runImmediate(db, () => {
    const target = findUserById(db, request.targetUserId);
    if (target === undefined || target.practiceId !== request.practiceId) {
      return failure('USER_NOT_FOUND');
    }
    const isRemovingAdmin =
      target.role === 'practice_admin' &&
      target.status === 'active' &&
      (request.action === 'deactivate' || (request.action === 'change_role' && request.role !== 'practice_admin'));
    if (isRemovingAdmin && countActiveAdmins(db, request.practiceId) <= 1) {
      return failure('USER_LAST_ADMIN');
    }

    const actorUsername = findUserById(db, request.actorUserId)?.username ?? null;
    let sessionsEnded = 0;
    const details: Record<string, string | number | null> = { action: request.action };
    switch (request.action) {
      case 'deactivate':
        db.prepare(`UPDATE users SET status = 'deactivated' WHERE id = ?`).run(target.id);
        sessionsEnded = endUserSessions(db, target.id, 'user_deactivated', request.now);
        details.devicesRevoked = revokeAndAuditDeviceTrusts(db, { request, target, actorUsername, reason: 'user_deactivated' });
        break;
      case 'reactivate':
        db.prepare(`UPDATE users SET status = 'active' WHERE id = ?`).run(target.id);
        break;
      case 'unlock':
        unlockUser(db, target.id);
        break;
      case 'revoke_sessions':
        sessionsEnded = endUserSessions(db, target.id, 'revoked_by_admin', request.now);
        details.devicesRevoked = revokeAndAuditDeviceTrusts(db, { request, target, actorUsername, reason: 'practice_admin' });
        break;
      case 'change_role':
        details.oldValue = target.role;
        details.newValue = request.role ?? target.role;
        db.prepare('UPDATE users SET role = ? WHERE id = ?').run(request.role ?? target.role, target.id);
        break;
    }
    details.sessionsEnded = sessionsEnded;
    appendAuditEvent(db, {
      occurredAt: request.now,
      origin: request.origin,
      practiceId: request.practiceId,
      userId: request.actorUserId,
      event: 'user.changed',
      outcome: 'success',
      reason: request.action,
      details: { ...details, targetUserId: target.id, targetUsername: target.username },
    });
    const updated = findUserById(db, target.id) ?? target;
    return { ok: true, user: toUserSummary(updated, request.now), sessionsEnded };
  });
}

function countActiveAdmins(db: Db, practiceId: string): number {
  const row = db
    .prepare(`SELECT COUNT(*) AS count FROM users WHERE practice_id = ? AND role = 'practice_admin' AND status = 'active'`)
    .get(practiceId) as { count: number };
  return row.count;
}

function endUserSessions(db: Db, userId: string, reason: 'revoked_by_admin' | 'user_deactivated', now: number): number {
  return db.prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE user_id = ? AND ended_at IS NULL').run(now, reason, userId).changes;
}

/** Revokes the target's remembered workstations and writes a `device.revoked` row, under the target, for each. */
function revokeAndAuditDeviceTrusts(
  db: Db,
  input: { request: UserAdministrationRequest; target: User; actorUsername: string | null; reason: 'practice_admin' | 'user_deactivated' },
): number {
  const { request, target } = input;
  const revoked = revokeUserDeviceTrusts(db, { userId: target.id, now: request.now });
  for (const trust of revoked) {
    appendAuditEvent(db, {
      occurredAt: request.now,
      origin: request.origin,
      practiceId: request.practiceId,
      userId: target.id,
      event: 'device.revoked',
      outcome: 'success',
      reason: input.reason,
      details: {
        deviceTrustId: trust.id,
        device: trust.deviceFingerprint.slice(0, 12),
        actorUserId: request.actorUserId,
        actorUsername: input.actorUsername,
      },
    });
  }
  return revoked.length;
}

export function toUserSummary(user: User, now: number): UserSummary {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    role: user.role,
    status: user.status,
    isLocked: getAccountLockState(user, now).isLocked,
    email: user.email === null ? null : maskEmail(user.email),
    mobile: user.mobile === null ? null : maskMobile(user.mobile),
    isSetupPending: user.isPasswordSetupPending,
    preferredChannel: user.preferredChannel,
  };
}

export interface PracticeUserDetailsChange {
  displayName?: string;
  email?: string;
  /** An E.164 number, or null to remove it. */
  mobile?: string | null;
}

/** The contacts an administrator changed, unmasked, so that the caller can tell the old destinations after commit. */
export interface ReplacedContacts {
  oldEmail: string | null;
  oldMobile: string | null;
  /** Only the contacts whose value differs from before; a new value of null means removed. */
  changes: Array<{ channel: OtpChannel; newValue: string | null }>;
}

/**
 * The setup code change for a user who was still waiting for setup when their email changed. The
 * code sent to the old address is revoked. `sendId` reserves the email of a new code to the new
 * address (see `sendSetupCodeToNewEmail`), or is null for a deactivated user, who gets no email.
 */
export interface SetupCodeReplacement {
  sendId: string | null;
}

/**
 * Changes a practice user's name or contact details, as an administrator helping someone who lost
 * access to their old address. A removed mobile also moves their preferred channel to email.
 * A new email or mobile is used for codes at once, without a code sent to it first, because the
 * administrator vouches for it after checking it with the person. Someone who lost their phone could
 * not receive a verification code anyway. The caller sends notices to the old destinations from
 * `replacedContacts` once this has committed. The audit row records old and new values masked.
 * For a user still waiting for setup, a new email also revokes the setup code sent to the old
 * address, and the caller emails a new one as `setupCodeReplacement` describes.
 */
export function updatePracticeUserDetails(
  db: Db,
  request: { practiceId: string; actorUserId: string; targetUserId: string; change: PracticeUserDetailsChange; now: number; origin: RequestOrigin },
): Result<{ user: UserSummary; replacedContacts: ReplacedContacts; setupCodeReplacement: SetupCodeReplacement | null }> {
  const { change } = request;
  const email = change.email?.trim().toLowerCase();
  const mobile = change.mobile === undefined || change.mobile === null ? change.mobile : change.mobile.trim();
  const displayName = change.displayName?.trim();
  if (displayName !== undefined && (displayName.length === 0 || Array.from(displayName).length > 100)) {
    return failure('VALIDATION_FAILED', { field: '/displayName', problem: "Enter the person's name, 1 to 100 characters." });
  }
  if (email !== undefined && (email.length > 254 || !emailPattern.test(email))) {
    return failure('VALIDATION_FAILED', { field: '/email', problem: 'Enter an email address like name@clinic.example.' });
  }
  if (mobile !== undefined && mobile !== null && !e164Pattern.test(mobile)) {
    return failure('VALIDATION_FAILED', { field: '/mobile', problem: 'Enter the mobile number in international form, like +15035550142.' });
  }

  return runImmediate(db, () => {
    const target = findUserById(db, request.targetUserId);
    if (target === undefined || target.practiceId !== request.practiceId) {
      return failure('USER_NOT_FOUND');
    }
    const next = {
      displayName: displayName ?? target.displayName,
      email: email ?? target.email,
      mobile: mobile === undefined ? target.mobile : mobile,
    };
    if (next.email !== null && next.email !== target.email && isEmailUsedByAnotherUser(db, next.email, target.id)) {
      return failure('VALIDATION_FAILED', {
        field: '/email',
        problem: 'Another account already uses this email address. Each person needs their own address to reset their password.',
      });
    }
    const preferredChannel = next.mobile === null ? 'email' : target.preferredChannel;
    db.prepare('UPDATE users SET display_name = ?, email = ?, mobile = ?, preferred_channel = ? WHERE id = ?').run(
      next.displayName,
      next.email,
      next.mobile,
      preferredChannel,
      target.id,
    );
    const isEmailChanged = next.email !== target.email;
    let setupCodeReplacement: SetupCodeReplacement | null = null;
    let setupCodesRevoked = 0;
    if (isEmailChanged && target.isPasswordSetupPending) {
      // The administrator replaced the address as wrong, so the setup code sent there stops working now.
      setupCodesRevoked = revokeAccountSetupCodes(db, target.id, request.now);
      setupCodeReplacement = { sendId: target.status === 'active' ? reserveSetupCodeSend(db, target.id, request.now) : null };
    }
    appendAuditEvent(db, {
      occurredAt: request.now,
      origin: request.origin,
      practiceId: request.practiceId,
      userId: request.actorUserId,
      event: 'user.changed',
      outcome: 'success',
      reason: 'details_changed',
      details: {
        targetUserId: target.id,
        targetUsername: target.username,
        displayNameChanged: next.displayName !== target.displayName,
        email: next.email === null ? null : maskEmail(next.email),
        mobile: next.mobile === null ? null : maskMobile(next.mobile),
        oldEmail: target.email === null ? null : maskEmail(target.email),
        oldMobile: target.mobile === null ? null : maskMobile(target.mobile),
        ...(setupCodeReplacement === null ? {} : { setupCodesRevoked }),
      },
    });
    const changes: ReplacedContacts['changes'] = [];
    if (isEmailChanged) {
      changes.push({ channel: 'email', newValue: next.email });
    }
    if (next.mobile !== target.mobile) {
      changes.push({ channel: 'sms', newValue: next.mobile });
    }
    return {
      ok: true,
      user: toUserSummary(findUserById(db, target.id) ?? target, request.now),
      replacedContacts: { oldEmail: target.email, oldMobile: target.mobile, changes },
      setupCodeReplacement,
    };
  });
}

function isEmailUsedByAnotherUser(db: Db, email: string, userId: string): boolean {
  const rows = db.prepare('SELECT email FROM users WHERE email IS NOT NULL AND id != ?').all(userId) as Array<{ email: string }>;
  return rows.some((row) => toEmailKey(row.email) === toEmailKey(email));
}
