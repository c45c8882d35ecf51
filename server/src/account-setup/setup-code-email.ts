import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { toIsoTime } from '../clock';
import type { Db } from '../db/database';
import { maskEmail } from '../delivery/mask-destination';
import { DeliveryError, type CodeMessage, type DeliveryReceipt } from '../delivery/types';
import { deliverWithTimeout } from '../otp/code-sending';
import type { Practice } from '../practices/practice-repository';
import type { ServerContext } from '../server-context';
import type { User } from '../users/user-repository';
import { accountSetupCodeTtlMs } from './setup-code';

/** Whether the welcome email left the server; `reason` is a DeliveryError reason or `no_email`. */
export type SetupEmailOutcome = { isSent: true; transport: DeliveryReceipt['transport'] } | { isSent: false; reason: string };

/**
 * Emails a new account's welcome message with its setup code, within the delivery time-out. A
 * delivery failure is logged, without the code or the full address, and returned as the outcome.
 */
export async function sendAccountSetupEmail(
  context: ServerContext,
  input: { user: User; practice: Practice; code: string; codeExpiresAt: number },
): Promise<SetupEmailOutcome> {
  const { user } = input;
  const { logger } = context;
  if (user.email === null) {
    logger.warn({ userId: user.id, purpose: 'account_setup' }, 'setup code not sent, the user has no email address');
    return { isSent: false, reason: 'no_email' };
  }
  const destination = maskEmail(user.email);
  const message: CodeMessage = {
    channel: 'email',
    to: user.email,
    code: input.code,
    purpose: 'account_setup',
    practiceName: input.practice.name,
    expiresInMinutes: accountSetupCodeTtlMs / 60_000,
    newAccount: { username: user.username, displayName: user.displayName, codeExpiresAt: toIsoTime(input.codeExpiresAt) },
  };

  try {
    const receipt = await deliverWithTimeout(context.deliverers.email, message, context.deliveryTimeoutMs);
    logger.info({ userId: user.id, channel: 'email', destination, purpose: 'account_setup' }, 'code sent');
    return { isSent: true, transport: receipt.transport };
  } catch (error) {
    const reason = error instanceof DeliveryError ? error.reason : 'unexpected';
    // The message of an unexpected error may quote the address, so only its type is logged.
    const errorName = error instanceof Error ? error.name : typeof error;
    logger.warn({ userId: user.id, channel: 'email', destination, purpose: 'account_setup', reason, errorName }, 'code delivery failed');
    return { isSent: false, reason };
  }
}

/** Audits a welcome email as `otp.sent` or `otp.delivery_failed`, as other code emails are. */
export function auditAccountSetupEmail(
  db: Db,
  input: { outcome: SetupEmailOutcome; user: User; origin: RequestOrigin; now: number },
): void {
  const { outcome, user } = input;
  const details = { channel: 'email', destination: user.email === null ? null : maskEmail(user.email), purpose: 'account_setup' };
  appendAuditEvent(db, {
    occurredAt: input.now,
    origin: input.origin,
    practiceId: user.practiceId,
    userId: user.id,
    ...(outcome.isSent
      ? { event: 'otp.sent', outcome: 'success', details: { ...details, transport: outcome.transport } }
      : { event: 'otp.delivery_failed', outcome: 'failure', reason: outcome.reason, details }),
  });
}
