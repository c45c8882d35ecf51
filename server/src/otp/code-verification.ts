import type { VerifyCodeResponse } from '../../../electron/shared/api';
import { appendAuditEvent, type AuditEvent, type RequestOrigin } from '../audit/audit-log';
import { getAccountLockState, recordWrongCodeOnAccount, resetAccountCodeFailures, retryAfterLock } from '../auth/account-lockout';
import { createSession, toSessionInfo } from '../auth/session';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { createDeviceTrust, renameDeviceTrust, retireEarlierDeviceTrusts } from '../devices/device-trust';
import { failure, type Result } from '../errors/api-error';
import { sendSecurityNotices, type SecurityNotice } from '../notifications/security-notice';
import { findPracticeById } from '../practices/practice-repository';
import { locateSignInOrigin, recordSignInLocation } from '../risk/access-pattern';
import type { ServerContext } from '../server-context';
import { findUserById } from '../users/user-repository';
import { isOtpCodeMatch } from './otp-code';
import {
  attemptsRemaining,
  completeOtpChallenge,
  findOtpChallengeByToken,
  isOtpChallengeLocked,
  recordWrongCodeOnChallenge,
} from './otp-challenge';

export interface VerifyCodeInput {
  challengeToken: string;
  code: string;
  deviceFingerprint: string;
  rememberDevice: boolean;
  deviceName?: string;
  origin: RequestOrigin;
}

/**
 * Checks a code and, when it is right, consumes the challenge and creates the session. Everything
 * runs synchronously in one immediate transaction: the checks, the counters, the session, the
 * device trust and their audit rows commit together or not at all. Security notices (a new
 * remembered workstation, a sign-in from an unusual location) go out only after the commit.
 */
export function verifyOtpCode(context: ServerContext, input: VerifyCodeInput): Result<{ response: VerifyCodeResponse }> {
  const { db, clock } = context;
  const now = clock.now();
  const notices: SecurityNotice[] = [];
  const result = runImmediate(db, (): Result<{ response: VerifyCodeResponse }> => {
    const challenge = findOtpChallengeByToken(db, input.challengeToken);
    const audit = (event: Omit<AuditEvent, 'occurredAt' | 'origin'>): void =>
      appendAuditEvent(db, { occurredAt: now, origin: input.origin, userId: challenge?.userId ?? null, ...event });

    if (challenge === undefined) {
      audit({ event: 'otp.rejected', outcome: 'failure', reason: 'unknown_challenge' });
      return failure('OTP_CHALLENGE_INVALID');
    }
    // A reset code proves only access to the mailbox, never the password, so it must not sign in.
    if (challenge.purpose !== 'sign_in') {
      audit({ event: 'otp.rejected', outcome: 'failure', reason: 'reset_challenge_on_sign_in' });
      return failure('OTP_CHALLENGE_INVALID');
    }
    const user = findUserById(db, challenge.userId);
    const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
    if (user === undefined || practice === undefined) {
      return failure('OTP_CHALLENGE_INVALID');
    }
    const reject = (reason: string): void => audit({ practiceId: practice.id, event: 'otp.rejected', outcome: 'failure', reason });

    if (now >= challenge.expiresAt) {
      reject('challenge_expired');
      return failure('OTP_CHALLENGE_EXPIRED');
    }
    if (challenge.deviceFingerprint !== input.deviceFingerprint) {
      reject('device_mismatch');
      return failure('OTP_CHALLENGE_INVALID');
    }
    if (challenge.completedAt !== null) {
      reject('challenge_completed');
      return failure('OTP_CHALLENGE_INVALID');
    }
    if (user.status !== 'active') {
      reject('account_deactivated');
      return failure('AUTH_ACCOUNT_DISABLED');
    }
    const lock = getAccountLockState(user, now);
    if (lock.isLocked) {
      reject('account_locked');
      return failure('AUTH_ACCOUNT_LOCKED', retryAfterLock(lock, now));
    }
    if (isOtpChallengeLocked(challenge, practice.wrongCodesPerChallenge)) {
      reject('challenge_locked');
      return failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 });
    }
    if (challenge.codeHash === null || challenge.codeExpiresAt === null) {
      reject('no_code_sent');
      return failure('OTP_NO_CODE_SENT');
    }
    if (now >= challenge.codeExpiresAt) {
      reject('code_expired');
      return failure('OTP_CODE_EXPIRED');
    }

    if (!isOtpCodeMatch(context.otpSecret, challenge.id, input.code, challenge.codeHash)) {
      const challengeCount = recordWrongCodeOnChallenge(db, { challengeId: challenge.id, now, maxWrongCodes: practice.wrongCodesPerChallenge });
      const accountCount = recordWrongCodeOnAccount(db, { userId: user.id, now, wrongCodesPerLockout: practice.wrongCodesPerAccountLockout });
      const details = { challengeWrongCodes: challengeCount.wrongAttempts, accountWrongCodes: accountCount.failures };
      audit({ practiceId: practice.id, event: 'otp.rejected', outcome: 'failure', reason: 'wrong_code', details });
      if (challengeCount.isLocked) {
        audit({ practiceId: practice.id, event: 'otp.challenge_locked', outcome: 'success', reason: 'too_many_wrong_codes', details });
      }
      if (accountCount.lock.isLocked) {
        const lockedUntil = accountCount.lock.lockedUntil;
        audit({
          practiceId: practice.id,
          event: 'account.locked',
          outcome: 'success',
          reason: lockedUntil === null ? 'until_admin_unlocks' : 'timed',
          details: { ...details, lockedUntil: lockedUntil === null ? null : toIsoTime(lockedUntil) },
        });
        context.logger.warn({ userId: user.id, lockedUntil }, 'account locked after wrong codes');
        return failure('AUTH_ACCOUNT_LOCKED', retryAfterLock(accountCount.lock, now));
      }
      if (challengeCount.isLocked) {
        return failure('OTP_CHALLENGE_LOCKED', { attemptsRemaining: 0 });
      }
      return failure('OTP_CODE_INVALID', { attemptsRemaining: attemptsRemaining(challengeCount, practice.wrongCodesPerChallenge) });
    }

    if (!completeOtpChallenge(db, challenge.id, now)) {
      reject('challenge_completed');
      return failure('OTP_CHALLENGE_INVALID');
    }
    resetAccountCodeFailures(db, user.id);
    audit({ practiceId: practice.id, event: 'otp.accepted', outcome: 'success', details: { channel: challenge.codeChannel } });
    const { token, session } = createSession(db, { user, practice, deviceFingerprint: input.deviceFingerprint, mfa: true, now });
    audit({ practiceId: practice.id, event: 'session.created', outcome: 'success', details: { mfa: true } });
    const origin = locateSignInOrigin(context.geoLocator, input.origin.ip);
    recordSignInLocation(db, { practiceId: practice.id, userId: user.id, origin, now });
    const workstationName = input.deviceName ?? challenge.deviceName;
    if (challenge.isUnusualLocation) {
      notices.push({ kind: 'unusual_location_sign_in', user, practice, workstationName, origin, occurredAt: now });
    }

    const response: VerifyCodeResponse = { session: { token, info: toSessionInfo(session, user, practice) } };
    if (input.rememberDevice) {
      const earlier = retireEarlierDeviceTrusts(db, { userId: user.id, deviceFingerprint: input.deviceFingerprint, now });
      const trust = createDeviceTrust(db, {
        userId: user.id,
        deviceFingerprint: input.deviceFingerprint,
        deviceName: workstationName,
        trustDays: practice.deviceTrustDays,
        now,
        ip: input.origin.ip,
      });
      audit({
        practiceId: practice.id,
        event: 'device.trusted',
        outcome: 'success',
        details: { trustDays: practice.deviceTrustDays, replacedTrusts: earlier.replacedCount },
      });
      if (earlier.label !== null) {
        renameDeviceTrust(db, trust.deviceTrustId, earlier.label);
      }
      response.deviceTrust = { token: trust.token, expiresAt: toIsoTime(trust.expiresAt) };
      // Remembering a workstation that was already remembered only renews it, so no notice goes out.
      if (earlier.replacedCount === 0) {
        notices.push({ kind: 'workstation_remembered', user, practice, workstationName, origin, occurredAt: now });
      }
    }
    return { ok: true, response };
  });
  if (result.ok) {
    sendSecurityNotices(context, notices);
  }
  return result;
}
