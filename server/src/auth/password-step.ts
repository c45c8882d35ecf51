import type { PasswordStepResponse } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { checkDeviceTrust, markDeviceTrustUsed } from '../devices/device-trust';
import { assessSignInAccess, recordSignInLocation, toAccessAuditDetails } from '../risk/access-pattern';
import { failure, type Result } from '../errors/api-error';
import { decideMfaRequirement } from '../otp/mfa-requirement';
import { createOtpChallenge, listChannelOptions } from '../otp/otp-challenge';
import { findPracticeById } from '../practices/practice-repository';
import { findStrictestCodeLimits } from '../practices/strictest-code-limits';
import { consumeRateLimit, passwordFailuresPerAccountRule, peekRateLimit } from '../rate-limit/rate-limit';
import type { ServerContext } from '../server-context';
import { findUserById, findUserByUsername, toUsernameKey, updateUserPasswordHash, type User } from '../users/user-repository';
import { getAccountLockState, retryAfterLock } from './account-lockout';
import { createSession, toSessionInfo } from './session';

export interface PasswordStepInput {
  username: string;
  password: string;
  deviceFingerprint: string;
  deviceTrustToken?: string;
  deviceName?: string;
  origin: RequestOrigin;
}

/**
 * Checks the password (factor 1) and either signs in on a trusted workstation or opens a code
 * challenge. Unknown usernames and wrong passwords do the same Argon2 work and get the same reply.
 */
export async function submitPassword(context: ServerContext, input: PasswordStepInput): Promise<Result<{ response: PasswordStepResponse }>> {
  const { db, clock, hasher } = context;
  const usernameKey = toUsernameKey(input.username);
  const startedAt = clock.now();
  // The limit is checked before the username is looked up, so it cannot be the practice's own
  // value: the strictest value on the server applies to every username, known or not.
  const passwordFailures = passwordFailuresPerAccountRule(findStrictestCodeLimits(db).failedPasswordsPerAccount);

  const limit = peekRateLimit(db, passwordFailures, usernameKey, startedAt);
  if (!limit.allowed) {
    runImmediate(db, () =>
      appendAuditEvent(db, {
        occurredAt: startedAt,
        origin: input.origin,
        username: input.username,
        event: 'request.rate_limited',
        outcome: 'failure',
        reason: 'password_failures_per_account',
      }),
    );
    return failure('RATE_LIMITED', { retryAfterSeconds: limit.retryAfterSeconds });
  }

  const candidate = findUserByUsername(db, input.username);
  const isPasswordCorrect = await hasher.verifyPassword(candidate?.passwordHash ?? null, input.password);
  // An account waiting for setup has no usable password, so it gets the wrong-password reply after the same Argon2 work.
  if (candidate === undefined || !isPasswordCorrect || candidate.isPasswordSetupPending) {
    const now = clock.now();
    runImmediate(db, () => {
      consumeRateLimit(db, passwordFailures, usernameKey, now);
      appendAuditEvent(db, {
        occurredAt: now,
        origin: input.origin,
        practiceId: candidate?.practiceId ?? null,
        userId: candidate?.id ?? null,
        username: input.username,
        event: 'password.rejected',
        outcome: 'failure',
        reason: describePasswordRejection(candidate),
      });
    });
    return failure('AUTH_INVALID_CREDENTIALS');
  }

  const upgradedHash = hasher.isHashWeakerThanConfigured(candidate.passwordHash) ? await hasher.hashPassword(input.password) : null;
  const now = clock.now();
  return runImmediate(db, () => {
    // Re-read inside the write lock: another instance may have locked the account during hashing.
    const user = findUserById(db, candidate.id);
    const practice = user === undefined ? undefined : findPracticeById(db, user.practiceId);
    if (user === undefined || practice === undefined) {
      return failure('AUTH_INVALID_CREDENTIALS');
    }
    const auditBase = { occurredAt: now, origin: input.origin, practiceId: practice.id, userId: user.id, username: input.username };

    if (user.status !== 'active') {
      appendAuditEvent(db, { ...auditBase, event: 'password.rejected', outcome: 'failure', reason: 'account_deactivated' });
      return failure('AUTH_ACCOUNT_DISABLED');
    }
    const lock = getAccountLockState(user, now);
    if (lock.isLocked) {
      appendAuditEvent(db, { ...auditBase, event: 'password.rejected', outcome: 'failure', reason: 'account_locked' });
      return failure('AUTH_ACCOUNT_LOCKED', retryAfterLock(lock, now));
    }

    if (upgradedHash !== null) {
      updateUserPasswordHash(db, user.id, upgradedHash);
    }
    appendAuditEvent(db, {
      ...auditBase,
      event: 'password.verified',
      outcome: 'success',
      details: upgradedHash === null ? {} : { rehashed: true },
    });

    const deviceTrust = checkDeviceTrust(db, {
      token: input.deviceTrustToken,
      userId: user.id,
      deviceFingerprint: input.deviceFingerprint,
      now,
    });
    if (deviceTrust.status === 'rejected') {
      appendAuditEvent(db, { ...auditBase, event: 'device.trust_rejected', outcome: 'failure', reason: deviceTrust.reason });
    }

    const access = assessSignInAccess(db, context.geoLocator, {
      practiceId: practice.id,
      userId: user.id,
      ip: input.origin.ip,
      windowDays: context.accessPatternWindowDays,
      now,
    });
    const accessDetails = toAccessAuditDetails(access);
    const requirement = decideMfaRequirement({ practice, deviceTrust, access: access.assessment });
    if (!requirement.required && deviceTrust.status === 'trusted') {
      markDeviceTrustUsed(db, deviceTrust.deviceTrustId, now, input.origin.ip);
      recordSignInLocation(db, { practiceId: practice.id, userId: user.id, origin: access, now });
      const { token, session } = createSession(db, { user, practice, deviceFingerprint: input.deviceFingerprint, mfa: false, now });
      appendAuditEvent(db, {
        ...auditBase,
        event: 'session.created',
        outcome: 'success',
        details: { mfa: false, trustedDevice: true, ...accessDetails },
      });
      return { ok: true, response: { status: 'signed_in', session: { token, info: toSessionInfo(session, user, practice) } } };
    }

    const reason = requirement.required ? requirement.reason : 'new_workstation';
    const channels = listChannelOptions(user);
    const { token, challenge } = createOtpChallenge(db, {
      userId: user.id,
      deviceFingerprint: input.deviceFingerprint,
      deviceName: input.deviceName ?? null,
      reason,
      now,
      isUnusualLocation: !access.assessment.isUsual,
    });
    // The row names the network and place that triggered an unusual-location step-up.
    appendAuditEvent(db, {
      ...auditBase,
      event: 'mfa.required',
      outcome: 'success',
      reason,
      details: { unusualLocation: !access.assessment.isUsual, trustedDevice: deviceTrust.status === 'trusted', ...accessDetails },
    });
    const isPreferredAvailable = channels.some((option) => option.channel === user.preferredChannel);
    return {
      ok: true,
      response: {
        status: 'mfa_required',
        challenge: {
          challengeToken: token,
          reason,
          channels,
          preferredChannel: isPreferredAvailable ? user.preferredChannel : (channels[0]?.channel ?? user.preferredChannel),
          expiresAt: toIsoTime(challenge.expiresAt),
        },
      },
    };
  });
}

function describePasswordRejection(candidate: User | undefined): string {
  if (candidate === undefined) {
    return 'unknown_username';
  }
  return candidate.isPasswordSetupPending ? 'password_setup_pending' : 'wrong_password';
}
