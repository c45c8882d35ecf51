import { randomUUID } from 'node:crypto';
import type { OtpChannel, SendCodeResponse } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { getAccountLockState, retryAfterLock } from '../auth/account-lockout';
import { toIsoTime } from '../clock';
import { runImmediate, type Db } from '../db/database';
import { maskDestination } from '../delivery/mask-destination';
import { DeliveryError, type CodeDeliverer, type CodeMessage, type DeliveryReceipt } from '../delivery/types';
import { failure, type Result } from '../errors/api-error';
import { findPracticeById, type Practice } from '../practices/practice-repository';
import type { ServerContext } from '../server-context';
import { findUserById, type User } from '../users/user-repository';
import { generateOtpCode, hashOtpCode, otpCodeTtlMs } from './otp-code';
import {
  attemptsRemaining,
  destinationForChannel,
  findOtpChallengeByToken,
  listChannelOptions,
  storeOtpCode,
  type OtpChallenge,
} from './otp-challenge';

/** The rolling window of the hourly code cap (practice setting `code_sends_per_hour`). */
export const codeSendWindowMs = 60 * 60_000;

interface SendReservation {
  sendId: string;
  challenge: OtpChallenge;
  user: User;
  practice: Practice;
  destination: string;
  requestedAt: number;
  sendsInWindow: number;
}

/**
 * Sends a new code for a challenge. The cooldown and hourly cap are checked and a pending send row
 * is written in one immediate transaction before delivery, so two parallel requests cannot both
 * pass. The new code's hash is stored only after the deliverer succeeds, so a failed delivery
 * leaves the previous code usable.
 */
export async function sendOtpCode(
  context: ServerContext,
  input: { challengeToken: string; channel: OtpChannel; origin: RequestOrigin },
): Promise<Result<{ response: SendCodeResponse }>> {
  const { db, clock } = context;
  const reservation = reserveOtpSend(db, { ...input, now: clock.now() });
  if (!reservation.ok) {
    return reservation;
  }

  const { challenge, user, practice, destination } = reservation;
  const maskedDestination = maskDestination(input.channel, destination);
  const code = generateOtpCode(context.randomInt);
  const message: CodeMessage = {
    channel: input.channel,
    to: destination,
    code,
    purpose: 'sign_in',
    practiceName: practice.name,
    expiresInMinutes: otpCodeTtlMs / 60_000,
  };
  const auditBase = { origin: input.origin, practiceId: practice.id, userId: user.id };

  let receipt: DeliveryReceipt;
  try {
    receipt = await deliverWithTimeout(context.deliverers[input.channel], message, context.deliveryTimeoutMs);
  } catch (error) {
    const reason = error instanceof DeliveryError ? error.reason : 'unexpected';
    if (!(error instanceof DeliveryError)) {
      // The message of an unexpected error may quote the destination, so only its type is logged.
      const errorName = error instanceof Error ? error.name : typeof error;
      context.logger.error({ channel: input.channel, errorName }, 'deliverer threw an unexpected error');
    }
    const now = clock.now();
    runImmediate(db, () => {
      finishOtpSend(db, reservation.sendId, 'failed', now);
      appendAuditEvent(db, {
        ...auditBase,
        occurredAt: now,
        event: 'otp.delivery_failed',
        outcome: 'failure',
        reason,
        details: { channel: input.channel, destination: maskedDestination },
      });
    });
    context.logger.warn({ channel: input.channel, destination: maskedDestination, reason }, 'code delivery failed');
    const otherChannels = listChannelOptions(user)
      .map((option) => option.channel)
      .filter((channel) => channel !== input.channel);
    return failure('DELIVERY_FAILED', { channels: otherChannels });
  }

  const now = clock.now();
  const codeExpiresAt = now + otpCodeTtlMs;
  const stored = runImmediate(db, () => {
    finishOtpSend(db, reservation.sendId, 'sent', now);
    const current = findOtpChallengeByToken(db, input.challengeToken);
    if (current === undefined || current.completedAt !== null) {
      return undefined;
    }
    const updated = storeOtpCode(db, {
      challengeId: challenge.id,
      codeHash: hashOtpCode(context.otpSecret, challenge.id, code),
      channel: input.channel,
      now,
      codeExpiresAt,
      maxWrongCodes: practice.wrongCodesPerChallenge,
    });
    appendAuditEvent(db, {
      ...auditBase,
      occurredAt: now,
      event: 'otp.sent',
      outcome: 'success',
      details: { channel: input.channel, destination: maskedDestination, transport: receipt.transport },
    });
    return updated;
  });
  if (stored === undefined) {
    return failure('OTP_CHALLENGE_INVALID');
  }
  context.logger.info({ channel: input.channel, destination: maskedDestination, transport: receipt.transport }, 'code sent');

  return {
    ok: true,
    response: {
      channel: input.channel,
      destination: maskedDestination,
      codeExpiresAt: toIsoTime(codeExpiresAt),
      resendAvailableAt: toIsoTime(reservation.requestedAt + practice.resendCooldownSeconds * 1000),
      sendsRemainingThisHour: Math.max(0, practice.codeSendsPerHour - reservation.sendsInWindow),
      attemptsRemaining: attemptsRemaining(stored, practice.wrongCodesPerChallenge),
    },
  };
}

function reserveOtpSend(
  db: Db,
  input: { challengeToken: string; channel: OtpChannel; origin: RequestOrigin; now: number },
): Result<SendReservation> {
  const { now } = input;
  return runImmediate(db, () => {
    const challenge = findOtpChallengeByToken(db, input.challengeToken);
    // A reset challenge sends its codes through the reset routes, by email only.
    if (challenge === undefined || challenge.completedAt !== null || challenge.purpose !== 'sign_in') {
      return failure('OTP_CHALLENGE_INVALID');
    }
    if (now >= challenge.expiresAt) {
      return failure('OTP_CHALLENGE_EXPIRED');
    }
    const user = findUserById(db, challenge.userId);
    const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
    if (user === undefined || practice === undefined) {
      return failure('OTP_CHALLENGE_INVALID');
    }
    if (user.status !== 'active') {
      return failure('AUTH_ACCOUNT_DISABLED');
    }
    const lock = getAccountLockState(user, now);
    if (lock.isLocked) {
      return failure('AUTH_ACCOUNT_LOCKED', retryAfterLock(lock, now));
    }
    const destination = destinationForChannel(user, input.channel);
    if (destination === null) {
      return failure('OTP_CHANNEL_UNAVAILABLE', { channels: listChannelOptions(user).map((option) => option.channel) });
    }

    const auditLimit = (reason: string): void =>
      appendAuditEvent(db, {
        occurredAt: now,
        origin: input.origin,
        practiceId: practice.id,
        userId: user.id,
        event: 'request.rate_limited',
        outcome: 'failure',
        reason,
        details: { channel: input.channel },
      });

    // Failed sends are left out here: a provider outage must not make the user wait to retry.
    const lastSend = db
      .prepare(
        `SELECT requested_at FROM otp_sends WHERE challenge_id = ? AND status IN ('pending', 'sent')
         ORDER BY requested_at DESC LIMIT 1`,
      )
      .get(challenge.id) as { requested_at: number } | undefined;
    const cooldownWait = secondsUntilCooldownEnds(lastSend?.requested_at ?? null, practice.resendCooldownSeconds, now);
    if (cooldownWait !== null) {
      auditLimit('otp_resend_cooldown');
      return failure('OTP_RESEND_COOLDOWN', { retryAfterSeconds: cooldownWait });
    }

    // Failed sends count here, so a broken channel cannot be used to send unlimited attempts.
    const sendTimes = listUserSendTimes(db, user.id, now);
    if (sendTimes.length >= practice.codeSendsPerHour) {
      auditLimit('otp_send_limit');
      return failure('OTP_SEND_LIMIT_REACHED', { retryAfterSeconds: secondsUntilSendCapAllows(sendTimes, practice.codeSendsPerHour, now) });
    }

    const sendId = randomUUID();
    db.prepare(
      `INSERT INTO otp_sends (id, challenge_id, user_id, channel, status, requested_at) VALUES (?, ?, ?, ?, 'pending', ?)`,
    ).run(sendId, challenge.id, user.id, input.channel, now);
    return { ok: true, sendId, challenge, user, practice, destination, requestedAt: now, sendsInWindow: sendTimes.length + 1 };
  });
}

/** Lists the times of the user's code sends of every purpose in the rolling hour, oldest first. */
export function listUserSendTimes(db: Db, userId: string, now: number): number[] {
  const rows = db
    .prepare('SELECT requested_at FROM otp_sends WHERE user_id = ? AND requested_at > ? ORDER BY requested_at')
    .all(userId, now - codeSendWindowMs) as Array<{ requested_at: number }>;
  return rows.map((row) => row.requested_at);
}

/** Returns the seconds left of the resend cooldown after the last send, or null when a send may go now. */
export function secondsUntilCooldownEnds(lastSentAt: number | null, cooldownSeconds: number, now: number): number | null {
  const availableAt = lastSentAt === null ? now : lastSentAt + cooldownSeconds * 1000;
  return now < availableAt ? Math.ceil((availableAt - now) / 1000) : null;
}

/**
 * Returns the seconds until the hourly cap allows another send, given the send times in the
 * rolling hour, oldest first. After a practice lowers its cap there can be more sends in the hour
 * than the cap, so the wait lasts until enough of them have left the hour, not only the oldest.
 */
export function secondsUntilSendCapAllows(sendTimes: readonly number[], sendsPerHour: number, now: number): number {
  const lastToLeave = sendTimes[Math.max(0, sendTimes.length - sendsPerHour)] ?? now;
  return Math.max(1, Math.ceil((lastToLeave + codeSendWindowMs - now) / 1000));
}

export function finishOtpSend(db: Db, sendId: string, status: 'sent' | 'failed', now: number): void {
  db.prepare('UPDATE otp_sends SET status = ?, finished_at = ? WHERE id = ?').run(status, now, sendId);
}

/** Bounds a deliverer call so a hanging SMTP relay or SMS provider still gets the user a prompt answer. */
export async function deliverWithTimeout(deliverer: CodeDeliverer, message: CodeMessage, timeoutMs: number): Promise<DeliveryReceipt> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new DeliveryError(message.channel, 'timeout', `delivery did not finish within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([deliverer.deliver(message), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
