import { randomUUID } from 'node:crypto';
import type { OtpChannel } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import type { ValidSession } from '../auth/session';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { maskDestination } from '../delivery/mask-destination';
import { DeliveryError } from '../delivery/types';
import { failure, type Result } from '../errors/api-error';
import { codeSendWindowMs, deliverWithTimeout, secondsUntilCooldownEnds, secondsUntilSendCapAllows } from '../otp/code-sending';
import { generateOtpCode, hashOtpCode, isOtpCodeMatch, otpCodeTtlMs } from '../otp/otp-code';
import { sendContactChangedNotices } from '../notifications/contact-changed-notice';
import { emailPattern } from '../practices/practice-setup';
import { consumeRateLimit, passwordFailuresPerAccountRule, peekRateLimit } from '../rate-limit/rate-limit';
import type { ServerContext } from '../server-context';
import { e164Pattern, findUserById, toUsernameKey } from './user-repository';

export interface ContactChangeStarted {
  channel: OtpChannel;
  destination: string;
  codeExpiresAt: string;
  resendAvailableAt: string;
}

interface ContactChangeRow {
  id: string;
  channel: OtpChannel;
  new_value: string;
  code_hash: string;
  created_at: number;
  code_expires_at: number;
  wrong_attempts: number;
}

/**
 * Starts a change of the signed-in user's own email or mobile: checks the current password, then
 * sends a code to the new value. The account keeps its old value, and codes keep going there,
 * until `verifyContactChange` accepts that code.
 */
export async function requestContactChange(
  context: ServerContext,
  input: { valid: ValidSession; channel: OtpChannel; newValue: string; currentPassword: string; origin: RequestOrigin },
): Promise<Result<{ response: ContactChangeStarted }>> {
  const { db, clock, hasher } = context;
  const { user, practice } = input.valid;
  const usernameKey = toUsernameKey(user.username);
  const field = input.channel === 'email' ? '/email' : '/mobile';
  const newValue = input.channel === 'email' ? input.newValue.trim().toLowerCase() : input.newValue.trim();
  const auditRejection = (reason: string): void =>
    runImmediate(db, () =>
      appendAuditEvent(db, {
        occurredAt: clock.now(),
        origin: input.origin,
        practiceId: practice.id,
        userId: user.id,
        event: 'user.changed',
        outcome: 'failure',
        reason,
        details: { action: 'contact_change_requested', channel: input.channel },
      }),
    );

  if (input.channel === 'email' ? newValue.length > 254 || !emailPattern.test(newValue) : !e164Pattern.test(newValue)) {
    const problem =
      input.channel === 'email'
        ? 'Enter an email address like name@clinic.example.'
        : 'Enter the mobile number in international form, starting with + and the country code, like +15035550142.';
    return failure('VALIDATION_FAILED', { field, problem });
  }
  const passwordFailures = passwordFailuresPerAccountRule(practice.failedPasswordsPerAccount);
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

  const now = clock.now();
  const code = generateOtpCode(context.randomInt);
  const reserved = runImmediate(db, (): Result<{ changeId: string }> => {
    const sendTimes = (
      db
        .prepare('SELECT created_at FROM contact_changes WHERE user_id = ? AND created_at > ? ORDER BY created_at')
        .all(user.id, now - codeSendWindowMs) as Array<{ created_at: number }>
    ).map((row) => row.created_at);
    const cooldownWait = secondsUntilCooldownEnds(sendTimes.at(-1) ?? null, practice.resendCooldownSeconds, now);
    if (cooldownWait !== null) {
      return failure('OTP_RESEND_COOLDOWN', { retryAfterSeconds: cooldownWait });
    }
    if (sendTimes.length >= practice.codeSendsPerHour) {
      return failure('OTP_SEND_LIMIT_REACHED', { retryAfterSeconds: secondsUntilSendCapAllows(sendTimes, practice.codeSendsPerHour, now) });
    }
    // Only the latest request can be verified, so an older code stops working once a new one is sent.
    db.prepare('UPDATE contact_changes SET completed_at = ? WHERE user_id = ? AND completed_at IS NULL').run(now, user.id);
    const changeId = randomUUID();
    db.prepare(
      `INSERT INTO contact_changes (id, user_id, channel, new_value, code_hash, created_at, code_expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(changeId, user.id, input.channel, newValue, hashOtpCode(context.otpSecret, changeId, code), now, now + otpCodeTtlMs);
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.origin,
      practiceId: practice.id,
      userId: user.id,
      event: 'user.changed',
      outcome: 'success',
      reason: 'contact_change_requested',
      details: { channel: input.channel, newValue: maskDestination(input.channel, newValue) },
    });
    return { ok: true, changeId };
  });
  if (!reserved.ok) {
    return reserved;
  }

  try {
    await deliverWithTimeout(
      context.deliverers[input.channel],
      { channel: input.channel, to: newValue, code, purpose: 'contact_change', practiceName: practice.name, expiresInMinutes: otpCodeTtlMs / 60_000 },
      context.deliveryTimeoutMs,
    );
  } catch (error) {
    const reason = error instanceof DeliveryError ? error.reason : 'unexpected';
    context.logger.warn({ userId: user.id, channel: input.channel, reason }, 'contact change code delivery failed');
    return failure('DELIVERY_FAILED');
  }
  context.logger.info({ userId: user.id, channel: input.channel, destination: maskDestination(input.channel, newValue) }, 'contact change code sent');
  return {
    ok: true,
    response: {
      channel: input.channel,
      destination: maskDestination(input.channel, newValue),
      codeExpiresAt: toIsoTime(now + otpCodeTtlMs),
      resendAvailableAt: toIsoTime(now + practice.resendCooldownSeconds * 1000),
    },
  };
}

/**
 * Checks the code sent to the new email or mobile and, when it matches, stores the new value and
 * sends notices to the old destinations. The previous email address gets one for every change, and
 * the previous mobile number gets a text when the mobile number changed. The practice's wrong-code limit per challenge (5 by default)
 * ends the request, as for a sign-in challenge.
 */
export function verifyContactChange(
  context: ServerContext,
  input: { valid: ValidSession; channel: OtpChannel; code: string; origin: RequestOrigin },
): Result<{ channel: OtpChannel; destination: string }> {
  const { db, clock } = context;
  const { user, practice } = input.valid;
  const now = clock.now();
  const audit = (outcome: 'success' | 'failure', reason: string, details: Record<string, string | number | null> = {}): void =>
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.origin,
      practiceId: practice.id,
      userId: user.id,
      event: 'user.changed',
      outcome,
      reason,
      details: { channel: input.channel, ...details },
    });

  const verified = runImmediate(db, (): Result<{ oldEmail: string | null; oldMobile: string | null; oldValue: string | null; newValue: string }> => {
    const change = db
      .prepare('SELECT * FROM contact_changes WHERE user_id = ? AND channel = ? AND completed_at IS NULL ORDER BY created_at DESC LIMIT 1')
      .get(user.id, input.channel) as ContactChangeRow | undefined;
    if (change === undefined) {
      return failure('OTP_NO_CODE_SENT');
    }
    if (now >= change.code_expires_at) {
      audit('failure', 'otp_code_expired');
      return failure('OTP_CODE_EXPIRED');
    }
    if (change.wrong_attempts >= practice.wrongCodesPerChallenge) {
      return failure('OTP_CHALLENGE_LOCKED');
    }
    if (!isOtpCodeMatch(context.otpSecret, change.id, input.code, change.code_hash)) {
      const wrongAttempts = change.wrong_attempts + 1;
      db.prepare('UPDATE contact_changes SET wrong_attempts = ? WHERE id = ?').run(wrongAttempts, change.id);
      audit('failure', 'otp_code_invalid', { wrongAttempts });
      if (wrongAttempts >= practice.wrongCodesPerChallenge) {
        return failure('OTP_CHALLENGE_LOCKED');
      }
      return failure('OTP_CODE_INVALID', { attemptsRemaining: practice.wrongCodesPerChallenge - wrongAttempts });
    }
    // The values on file now, not those read with the session, name the destinations to notify.
    const before = findUserById(db, user.id) ?? user;
    const oldValue = input.channel === 'email' ? before.email : before.mobile;
    db.prepare('UPDATE contact_changes SET completed_at = ? WHERE id = ?').run(now, change.id);
    db.prepare(`UPDATE users SET ${input.channel === 'email' ? 'email' : 'mobile'} = ? WHERE id = ?`).run(change.new_value, user.id);
    audit('success', 'contact_changed', {
      oldValue: oldValue === null ? null : maskDestination(input.channel, oldValue),
      newValue: maskDestination(input.channel, change.new_value),
    });
    return { ok: true, oldEmail: before.email, oldMobile: before.mobile, oldValue, newValue: change.new_value };
  });
  if (!verified.ok) {
    return verified;
  }

  const destination = maskDestination(input.channel, verified.newValue);
  sendContactChangedNotices(context, {
    userId: user.id,
    displayName: user.displayName,
    practiceName: practice.name,
    oldEmail: verified.oldEmail,
    oldMobile: verified.oldMobile,
    changes: verified.oldValue === verified.newValue ? [] : [{ channel: input.channel, newValue: verified.newValue }],
    changedBy: 'owner',
    occurredAt: now,
  });
  context.logger.info({ userId: user.id, channel: input.channel, destination }, 'contact changed');
  return { ok: true, channel: input.channel, destination };
}
