import { randomBytes } from 'node:crypto';
import type { Role } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { maskEmail } from '../delivery/mask-destination';
import type { NoticeMessage } from '../delivery/types';
import { failure, type Result } from '../errors/api-error';
import { toEmailKey } from '../password-reset/reset-request';
import { emailPattern, usernamePattern } from '../practices/practice-setup';
import type { Practice } from '../practices/practice-repository';
import type { ServerContext } from '../server-context';
import { createUser, e164Pattern, findUserByUsername, type User } from './user-repository';

export interface NewPracticeUser {
  username: string;
  displayName: string;
  email: string;
  mobile: string | null;
  role: Role;
  preferredChannel: 'email' | 'sms';
}

/**
 * Creates a user of the administrator's practice with a random password that nobody knows, and
 * emails them how to choose their own with "Forgot password?", so no administrator ever sees or
 * sets a password. The email address is required because that first password is set through it.
 */
export async function createPracticeUser(
  context: ServerContext,
  input: { practice: Practice; actorUserId: string; user: NewPracticeUser; origin: RequestOrigin },
): Promise<Result<{ user: User }>> {
  const { db, clock } = context;
  const email = input.user.email.trim().toLowerCase();
  const mobile = input.user.mobile === null || input.user.mobile.trim() === '' ? null : input.user.mobile.trim();
  const problem = checkNewPracticeUser({ ...input.user, email, mobile });
  if (problem !== null) {
    return failure('VALIDATION_FAILED', problem);
  }
  // Nobody learns this password; the person replaces it through a password reset to their email.
  const passwordHash = await context.hasher.hashPassword(randomBytes(32).toString('base64url'));

  const now = clock.now();
  const created = runImmediate(db, (): Result<{ user: User }> => {
    if (findUserByUsername(db, input.user.username) !== undefined) {
      return failure('USER_USERNAME_TAKEN', { field: '/username' });
    }
    const emails = db.prepare('SELECT email FROM users WHERE email IS NOT NULL').all() as Array<{ email: string }>;
    if (emails.some((row) => toEmailKey(row.email) === toEmailKey(email))) {
      return failure('VALIDATION_FAILED', {
        field: '/email',
        problem: 'Another account already uses this email address. Each person needs their own address to reset their password.',
      });
    }
    const user = createUser(db, {
      practiceId: input.practice.id,
      username: input.user.username,
      displayName: input.user.displayName.trim(),
      email,
      mobile,
      role: input.user.role,
      passwordHash,
      preferredChannel: mobile === null ? 'email' : input.user.preferredChannel,
      createdAt: now,
    });
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.origin,
      practiceId: input.practice.id,
      userId: input.actorUserId,
      event: 'user.created',
      outcome: 'success',
      details: { targetUserId: user.id, targetUsername: user.username, role: user.role, email: maskEmail(email) },
    });
    return { ok: true, user };
  });
  if (created.ok) {
    sendAccountCreatedNotice(context, created.user, input.practice, now);
  }
  return created;
}

function checkNewPracticeUser(user: NewPracticeUser): { field: string; problem: string } | null {
  if (!usernamePattern.test(user.username)) {
    return { field: '/username', problem: 'Enter a username of 1 to 64 letters, digits, dots, dashes, underscores or @.' };
  }
  const name = user.displayName.trim();
  if (name.length === 0 || Array.from(name).length > 100) {
    return { field: '/displayName', problem: 'Enter the person\'s name, 1 to 100 characters.' };
  }
  if (user.email.length > 254 || !emailPattern.test(user.email)) {
    return { field: '/email', problem: 'Enter an email address like name@clinic.example. The person sets their password through it.' };
  }
  if (user.mobile !== null && !e164Pattern.test(user.mobile)) {
    return { field: '/mobile', problem: 'Enter the mobile number in international form, like +15035550142, or leave it empty.' };
  }
  if (user.mobile === null && user.preferredChannel === 'sms') {
    return { field: '/preferredChannel', problem: 'Text messages need a mobile number. Add one or choose email.' };
  }
  return null;
}

function sendAccountCreatedNotice(context: ServerContext, user: User, practice: Practice, now: number): void {
  const deliverNotice = context.deliverers.email.deliverNotice?.bind(context.deliverers.email);
  if (deliverNotice === undefined || user.email === null) {
    context.logger.warn({ kind: 'account_created', userId: user.id }, 'security notice skipped, the email deliverer cannot send notices');
    return;
  }
  const message: NoticeMessage = {
    kind: 'account_created',
    to: user.email,
    displayName: user.displayName,
    practiceName: practice.name,
    username: user.username,
    // The account_created text names no workstation or place, so these two fields stay empty.
    workstationName: '',
    location: '',
    occurredAt: toIsoTime(now),
  };
  void Promise.resolve()
    .then(() => deliverNotice(message))
    .catch((error: unknown) => {
      context.logger.warn({ kind: 'account_created', userId: user.id, errorName: error instanceof Error ? error.name : typeof error }, 'security notice delivery failed');
    });
}
