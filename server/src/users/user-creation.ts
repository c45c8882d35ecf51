import { randomBytes } from 'node:crypto';
import type { Role } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { auditAccountSetupEmail, sendAccountSetupEmail, type SetupEmailOutcome } from '../account-setup/setup-code-email';
import { generateAccountSetupCode, storeAccountSetupCode } from '../account-setup/setup-code';
import { finishSetupCodeSend, reserveSetupCodeSend } from '../account-setup/setup-code-sends';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { maskEmail } from '../delivery/mask-destination';
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
 * Creates a user of the administrator's practice whose password setup is pending, with a setup code
 * stored in the same transaction, then emails the code in a welcome message. Until the person uses
 * the code (or "Forgot password?") the account holds a random password hash that nobody knows and
 * the password step rejects it, so no administrator ever sees or sets a password. The email address
 * is required because the code goes there. A failed email leaves the user created with
 * `setupEmailSent` false, and the administrator can send a new code.
 */
export async function createPracticeUser(
  context: ServerContext,
  input: { practice: Practice; actorUserId: string; user: NewPracticeUser; origin: RequestOrigin },
): Promise<Result<{ user: User; setupEmailSent: boolean }>> {
  const { db, clock } = context;
  const email = input.user.email.trim().toLowerCase();
  const mobile = input.user.mobile === null || input.user.mobile.trim() === '' ? null : input.user.mobile.trim();
  const problem = checkNewPracticeUser({ ...input.user, email, mobile });
  if (problem !== null) {
    return failure('VALIDATION_FAILED', problem);
  }
  // Nobody learns this password. It only fills the column; the password step rejects the account until setup.
  const passwordHash = await context.hasher.hashPassword(randomBytes(32).toString('base64url'));
  const code = generateAccountSetupCode(context.randomInt);

  const now = clock.now();
  const created = runImmediate(db, (): Result<{ user: User; codeExpiresAt: number; sendId: string }> => {
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
      isPasswordSetupPending: true,
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
    const setupCode = storeAccountSetupCode(db, context.otpSecret, { userId: user.id, code, now });
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.origin,
      practiceId: input.practice.id,
      userId: user.id,
      event: 'account_setup.code_issued',
      outcome: 'success',
      reason: 'user_created',
      details: { issuedByUserId: input.actorUserId, expiresAt: toIsoTime(setupCode.expiresAt) },
    });
    // The welcome email starts the resend cooldown, so "Send a new setup code" right after creating the user waits.
    const sendId = reserveSetupCodeSend(db, user.id, now);
    return { ok: true, user, codeExpiresAt: setupCode.expiresAt, sendId };
  });
  if (!created.ok) {
    return created;
  }

  const outcome = await sendAccountSetupEmail(context, { user: created.user, practice: input.practice, code, codeExpiresAt: created.codeExpiresAt });
  recordEmailOutcome(context, { outcome, user: created.user, sendId: created.sendId, origin: input.origin });
  return { ok: true, user: created.user, setupEmailSent: outcome.isSent };
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
    return { field: '/email', problem: 'Enter an email address like name@clinic.example. The setup code for choosing a password goes there.' };
  }
  if (user.mobile !== null && !e164Pattern.test(user.mobile)) {
    return { field: '/mobile', problem: 'Enter the mobile number in international form, like +15035550142, or leave it empty.' };
  }
  if (user.mobile === null && user.preferredChannel === 'sms') {
    return { field: '/preferredChannel', problem: 'Text messages need a mobile number. Add one or choose email.' };
  }
  return null;
}

function recordEmailOutcome(
  context: ServerContext,
  input: { outcome: SetupEmailOutcome; user: User; sendId: string; origin: RequestOrigin },
): void {
  const { db, clock } = context;
  try {
    runImmediate(db, () => {
      const now = clock.now();
      finishSetupCodeSend(db, input.sendId, input.outcome.isSent ? 'sent' : 'failed', now);
      auditAccountSetupEmail(db, { outcome: input.outcome, user: input.user, origin: input.origin, now });
    });
  } catch (error) {
    // The database may already be closed when the server stopped while the relay was still responding.
    context.logger.error({ errorName: error instanceof Error ? error.name : typeof error }, 'setup code delivery outcome not recorded');
  }
}
