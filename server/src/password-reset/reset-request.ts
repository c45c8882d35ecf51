import { randomUUID } from 'node:crypto';
import type { PasswordResetCodeSent } from '../../../electron/shared/api';
import { appendAuditEvent, type AuditEvent, type RequestOrigin } from '../audit/audit-log';
import { getAccountLockState } from '../auth/account-lockout';
import { toIsoTime } from '../clock';
import { runImmediate, type Db } from '../db/database';
import { maskEmail } from '../delivery/mask-destination';
import { DeliveryError, type CodeMessage } from '../delivery/types';
import { failure, type Result } from '../errors/api-error';
import {
  codeSendWindowMs,
  deliverWithTimeout,
  finishOtpSend,
  listUserSendTimes,
  secondsUntilCooldownEnds,
  secondsUntilSendCapAllows,
} from '../otp/code-sending';
import { generateOtpCode, hashOtpCode, otpCodeTtlMs } from '../otp/otp-code';
import { createOtpChallenge, findOtpChallengeByToken, otpChallengeTtlMs, storeOtpCode, type OtpChallenge } from '../otp/otp-challenge';
import { findPracticeById, type Practice } from '../practices/practice-repository';
import { findStrictestCodeLimits } from '../practices/strictest-code-limits';
import type { ServerContext } from '../server-context';
import { findUserById, type User } from '../users/user-repository';
import { createResetDecoy, findLastDecoySend, findResetDecoyByToken, listDecoySendTimes, recordDecoySend, type ResetDecoy } from './reset-decoy';

/** The code limits of the reset flow, the same for every email address. */
export interface ResetCodeLimits {
  resendCooldownSeconds: number;
  codeSendsPerHour: number;
  wrongCodesPerChallenge: number;
}

/** A code to email once the reply has gone, so mail relay latency never shows in the reply time. */
interface PendingResetEmail {
  sendId: string;
  challengeId: string;
  user: User;
  practice: Practice;
  code: string;
}

/**
 * Starts a password reset for an email address. The reply is the same whether the address names an
 * active account, a locked or deactivated one, several accounts, or none: every case writes a
 * challenge or decoy row, a send record and an audit row in one transaction, and the code email
 * leaves only after the reply, so neither the body nor the timing tells them apart.
 */
export function requestPasswordReset(
  context: ServerContext,
  input: { email: string; deviceFingerprint: string; origin: RequestOrigin },
): Result<{ response: PasswordResetCodeSent }> {
  const { db, clock } = context;
  const now = clock.now();
  const emailKey = toEmailKey(input.email);
  const maskedEmail = maskEmail(emailKey);
  // The code is generated and hashed in every case, so the work per request is the same.
  const code = generateOtpCode(context.randomInt);

  const started = runImmediate(db, () => {
    const audit = (event: Omit<AuditEvent, 'occurredAt' | 'origin' | 'event'>): void =>
      appendAuditEvent(db, { occurredAt: now, origin: input.origin, event: 'password_reset.requested', ...event, details: { email: maskedEmail, ...event.details } });
    const limits = findResetCodeLimits(db);
    const account = findResetAccount(db, emailKey, now);

    if (!account.ok) {
      const { token } = createResetDecoy(db, { emailKey, deviceFingerprint: input.deviceFingerprint, now, expiresAt: now + otpChallengeTtlMs });
      const decoy = findResetDecoyByToken(db, token) as ResetDecoy;
      hashOtpCode(context.otpSecret, decoy.id, code);
      const sendTimes = listDecoySendTimes(db, emailKey, now - codeSendWindowMs);
      const isCapped = sendTimes.length >= limits.codeSendsPerHour;
      if (!isCapped) {
        recordDecoySend(db, decoy, { now, codeExpiresAt: now + otpCodeTtlMs, maxWrongCodes: limits.wrongCodesPerChallenge });
      }
      for (const user of account.users) {
        audit({ practiceId: user.practiceId, userId: user.id, outcome: 'failure', reason: account.reason });
      }
      if (account.users.length === 0) {
        audit({ outcome: 'failure', reason: account.reason });
      }
      return { token, email: null, limits };
    }

    const { user, practice } = account;
    const { token, challenge } = createOtpChallenge(db, {
      userId: user.id,
      deviceFingerprint: input.deviceFingerprint,
      deviceName: null,
      purpose: 'password_reset',
      reason: 'password_reset',
      now,
    });
    const codeHash = hashOtpCode(context.otpSecret, challenge.id, code);
    if (listUserSendTimes(db, user.id, now).length >= limits.codeSendsPerHour) {
      audit({ practiceId: practice.id, userId: user.id, outcome: 'failure', reason: 'otp_send_limit' });
      return { token, email: null, limits };
    }
    const sendId = reserveResetSend(db, challenge, now);
    storeOtpCode(db, { challengeId: challenge.id, codeHash, channel: 'email', now, codeExpiresAt: now + otpCodeTtlMs, maxWrongCodes: limits.wrongCodesPerChallenge });
    audit({ practiceId: practice.id, userId: user.id, outcome: 'success' });
    return { token, email: { sendId, challengeId: challenge.id, user, practice, code } satisfies PendingResetEmail, limits };
  });

  if (started.email !== null) {
    emailResetCodeLater(context, started.email, input.origin);
  }
  return {
    ok: true,
    response: {
      challengeToken: started.token,
      destination: maskedEmail,
      codeExpiresAt: toIsoTime(now + otpCodeTtlMs),
      resendAvailableAt: toIsoTime(now + started.limits.resendCooldownSeconds * 1000),
      expiresAt: toIsoTime(now + otpChallengeTtlMs),
    },
  };
}

/**
 * Emails a new code for a reset attempt, replacing the previous one. The cooldown and the hourly
 * cap apply as for sign-in codes, and to decoy attempts in the same way.
 */
export function resendPasswordResetCode(
  context: ServerContext,
  input: { challengeToken: string; deviceFingerprint: string; origin: RequestOrigin },
): Result<{ response: PasswordResetCodeSent }> {
  const { db, clock } = context;
  const now = clock.now();
  const code = generateOtpCode(context.randomInt);

  const result = runImmediate(db, (): Result<{ response: PasswordResetCodeSent; email: PendingResetEmail | null }> => {
    const limits = findResetCodeLimits(db);
    const challenge = findOtpChallengeByToken(db, input.challengeToken);
    if (challenge === undefined || challenge.purpose !== 'password_reset') {
      const decoy = findResetDecoyByToken(db, input.challengeToken);
      return decoy === undefined ? failure('OTP_CHALLENGE_INVALID') : resendDecoyCode(db, decoy, { ...input, now, limits });
    }
    const user = findUserById(db, challenge.userId);
    const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
    if (user === undefined || practice === undefined || challenge.completedAt !== null || challenge.deviceFingerprint !== input.deviceFingerprint) {
      return failure('OTP_CHALLENGE_INVALID');
    }
    if (now >= challenge.expiresAt) {
      return failure('OTP_CHALLENGE_EXPIRED');
    }
    const lastSend = db
      .prepare(`SELECT MAX(requested_at) AS last FROM otp_sends WHERE challenge_id = ? AND status IN ('pending', 'sent')`)
      .get(challenge.id) as { last: number | null };
    const cooldown = checkCooldown(lastSend.last, limits, now);
    if (cooldown !== null) {
      return cooldown;
    }
    const sendTimes = listUserSendTimes(db, user.id, now);
    if (sendTimes.length >= limits.codeSendsPerHour) {
      return sendLimitFailure(sendTimes, limits, now);
    }
    const response = codeSentResponse(input.challengeToken, maskEmail(toEmailKey(user.email ?? '')), challenge.expiresAt, limits, now);
    // NOTE: an account locked or deactivated after the request gets the usual reply but no email,
    // and no cooldown starts, unlike a decoy attempt.
    if (user.status !== 'active' || getAccountLockState(user, now).isLocked) {
      appendAuditEvent(db, { occurredAt: now, origin: input.origin, practiceId: practice.id, userId: user.id, event: 'password_reset.requested', outcome: 'failure', reason: user.status !== 'active' ? 'account_deactivated' : 'account_locked', details: { resend: true } });
      return { ok: true, response, email: null };
    }
    const sendId = reserveResetSend(db, challenge, now);
    storeOtpCode(db, {
      challengeId: challenge.id,
      codeHash: hashOtpCode(context.otpSecret, challenge.id, code),
      channel: 'email',
      now,
      codeExpiresAt: now + otpCodeTtlMs,
      maxWrongCodes: limits.wrongCodesPerChallenge,
    });
    appendAuditEvent(db, { occurredAt: now, origin: input.origin, practiceId: practice.id, userId: user.id, event: 'password_reset.requested', outcome: 'success', details: { resend: true } });
    return { ok: true, response, email: { sendId, challengeId: challenge.id, user, practice, code } };
  });

  if (!result.ok) {
    return result;
  }
  if (result.email !== null) {
    emailResetCodeLater(context, result.email, input.origin);
  }
  return { ok: true, response: result.response };
}

/**
 * Returns the reset flow's limits: the strictest on the server, for every address alike, because a
 * stand-in attempt for an unknown address has no practice whose values it could copy (see
 * `findStrictestCodeLimits`). The wrong-code limit per attempt also stays at or below the
 * account lockout step. So on an account without earlier wrong codes, the lockout comes no sooner
 * than the attempt's own lock, and the reply is OTP_CHALLENGE_LOCKED, as a stand-in attempt's is.
 */
export function findResetCodeLimits(db: Db): ResetCodeLimits {
  const strictest = findStrictestCodeLimits(db);
  return {
    resendCooldownSeconds: strictest.resendCooldownSeconds,
    codeSendsPerHour: strictest.codeSendsPerHour,
    wrongCodesPerChallenge: Math.min(strictest.wrongCodesPerChallenge, strictest.wrongCodesPerAccountLockout),
  };
}

/** NFKC, trimmed and lower-cased, the form in which reset requests match registered addresses. */
export function toEmailKey(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase();
}

type ResetAccount =
  | { ok: true; user: User; practice: Practice }
  | { ok: false; reason: 'unknown_email' | 'account_deactivated' | 'account_locked' | 'email_not_unique'; users: User[] };

/**
 * Finds the one account a reset may proceed for. Every account row is read and compared in
 * JavaScript, because SQLite's lower() folds ASCII only; a practice server holds few accounts.
 */
function findResetAccount(db: Db, emailKey: string, now: number): ResetAccount {
  const rows = db.prepare('SELECT id, email FROM users WHERE email IS NOT NULL').all() as Array<{ id: string; email: string }>;
  const users = rows
    .filter((row) => toEmailKey(row.email) === emailKey)
    .map((row) => findUserById(db, row.id))
    .filter((user): user is User => user !== undefined);
  const [user] = users;
  if (user === undefined) {
    return { ok: false, reason: 'unknown_email', users };
  }
  // NOTE: two accounts that share one address cannot tell which one to reset, so neither is.
  if (users.length > 1) {
    return { ok: false, reason: 'email_not_unique', users };
  }
  if (user.status !== 'active') {
    return { ok: false, reason: 'account_deactivated', users };
  }
  // A reset code would be a way around a lockout earned by wrong codes.
  if (getAccountLockState(user, now).isLocked) {
    return { ok: false, reason: 'account_locked', users };
  }
  const practice = findPracticeById(db, user.practiceId);
  if (practice === undefined) {
    return { ok: false, reason: 'unknown_email', users };
  }
  return { ok: true, user, practice };
}

function resendDecoyCode(
  db: Db,
  decoy: ResetDecoy,
  input: { challengeToken: string; deviceFingerprint: string; origin: RequestOrigin; now: number; limits: ResetCodeLimits },
): Result<{ response: PasswordResetCodeSent; email: null }> {
  const { now, limits } = input;
  if (decoy.deviceFingerprint !== input.deviceFingerprint) {
    return failure('OTP_CHALLENGE_INVALID');
  }
  if (now >= decoy.expiresAt) {
    return failure('OTP_CHALLENGE_EXPIRED');
  }
  const cooldown = checkCooldown(findLastDecoySend(db, decoy.id), limits, now);
  if (cooldown !== null) {
    return cooldown;
  }
  const sendTimes = listDecoySendTimes(db, decoy.emailKey, now - codeSendWindowMs);
  if (sendTimes.length >= limits.codeSendsPerHour) {
    return sendLimitFailure(sendTimes, limits, now);
  }
  recordDecoySend(db, decoy, { now, codeExpiresAt: now + otpCodeTtlMs, maxWrongCodes: limits.wrongCodesPerChallenge });
  appendAuditEvent(db, { occurredAt: now, origin: input.origin, event: 'password_reset.requested', outcome: 'failure', reason: 'unknown_email', details: { resend: true } });
  return { ok: true, response: codeSentResponse(input.challengeToken, maskEmail(decoy.emailKey), decoy.expiresAt, limits, now), email: null };
}

function codeSentResponse(challengeToken: string, destination: string, expiresAt: number, limits: ResetCodeLimits, now: number): PasswordResetCodeSent {
  return {
    challengeToken,
    destination,
    codeExpiresAt: toIsoTime(now + otpCodeTtlMs),
    resendAvailableAt: toIsoTime(now + limits.resendCooldownSeconds * 1000),
    expiresAt: toIsoTime(expiresAt),
  };
}

function checkCooldown(lastSentAt: number | null, limits: ResetCodeLimits, now: number): ReturnType<typeof failure> | null {
  const retryAfterSeconds = secondsUntilCooldownEnds(lastSentAt, limits.resendCooldownSeconds, now);
  return retryAfterSeconds === null ? null : failure('OTP_RESEND_COOLDOWN', { retryAfterSeconds });
}

/** Builds the hourly-cap failure. Sign-in and reset codes share a user's cap, and a stand-in attempt counts its own sends. */
function sendLimitFailure(sendTimes: readonly number[], limits: ResetCodeLimits, now: number): ReturnType<typeof failure> {
  return failure('OTP_SEND_LIMIT_REACHED', { retryAfterSeconds: secondsUntilSendCapAllows(sendTimes, limits.codeSendsPerHour, now) });
}

function reserveResetSend(db: Db, challenge: OtpChallenge, now: number): string {
  const sendId = randomUUID();
  db.prepare(`INSERT INTO otp_sends (id, challenge_id, user_id, channel, status, requested_at) VALUES (?, ?, ?, 'email', 'pending', ?)`).run(
    sendId,
    challenge.id,
    challenge.userId,
    now,
  );
  return sendId;
}

/**
 * Emails the code in the background and records the outcome. A failed delivery is audited and
 * logged; the person sees no code arrive and can resend after the cooldown.
 */
function emailResetCodeLater(context: ServerContext, email: PendingResetEmail, origin: RequestOrigin): void {
  const { db, clock, logger } = context;
  const to = email.user.email ?? '';
  const maskedDestination = maskEmail(to);
  const message: CodeMessage = {
    channel: 'email',
    to,
    code: email.code,
    purpose: 'password_reset',
    practiceName: email.practice.name,
    expiresInMinutes: otpCodeTtlMs / 60_000,
  };
  const auditBase = { origin, practiceId: email.practice.id, userId: email.user.id };
  const recordOutcome = (work: () => void): void => {
    try {
      runImmediate(db, work);
    } catch (error) {
      // The database may already be closed when the server stopped while the relay was still answering.
      logger.error({ errorName: error instanceof Error ? error.name : typeof error }, 'reset code delivery outcome not recorded');
    }
  };

  void deliverWithTimeout(context.deliverers.email, message, context.deliveryTimeoutMs).then(
    (receipt) => {
      const now = clock.now();
      recordOutcome(() => {
        finishOtpSend(db, email.sendId, 'sent', now);
        appendAuditEvent(db, { ...auditBase, occurredAt: now, event: 'otp.sent', outcome: 'success', details: { channel: 'email', destination: maskedDestination, transport: receipt.transport, purpose: 'password_reset' } });
      });
      logger.info({ channel: 'email', destination: maskedDestination, purpose: 'password_reset' }, 'code sent');
    },
    (error: unknown) => {
      const reason = error instanceof DeliveryError ? error.reason : 'unexpected';
      const now = clock.now();
      recordOutcome(() => {
        finishOtpSend(db, email.sendId, 'failed', now);
        appendAuditEvent(db, { ...auditBase, occurredAt: now, event: 'otp.delivery_failed', outcome: 'failure', reason, details: { channel: 'email', destination: maskedDestination, purpose: 'password_reset' } });
      });
      logger.warn({ channel: 'email', destination: maskedDestination, reason, purpose: 'password_reset' }, 'code delivery failed');
    },
  );
}
