import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { generateSecretToken, hashSecretToken } from '../auth/secret-token';
import { maskEmail, maskMobile } from '../delivery/mask-destination';
import type { ChannelOption, MfaReason, OtpChannel } from '../../../electron/shared/api';
import type { User } from '../users/user-repository';

/** How long a sign-in attempt may wait for its code to be verified. */
export const otpChallengeTtlMs = 30 * 60_000;

/** Purpose of a challenge's code: a sign-in's second factor, or ownership of the email for a reset. */
export type OtpPurpose = 'sign_in' | 'password_reset';
/** Reason the code is required: the MFA reason of a sign-in, or `password_reset`. */
export type OtpChallengeReason = MfaReason | 'password_reset';

export interface OtpChallenge {
  id: string;
  userId: string;
  purpose: OtpPurpose;
  deviceFingerprint: string;
  deviceName: string | null;
  reason: OtpChallengeReason;
  createdAt: number;
  expiresAt: number;
  wrongAttempts: number;
  lockedAt: number | null;
  completedAt: number | null;
  codeHash: string | null;
  codeChannel: OtpChannel | null;
  codeIssuedAt: number | null;
  codeExpiresAt: number | null;
  /** The sign-in came from outside the access pattern, whatever reason the screen shows. */
  isUnusualLocation: boolean;
}

interface OtpChallengeRow {
  id: string;
  user_id: string;
  device_fingerprint: string;
  device_name: string | null;
  purpose: OtpPurpose;
  reason: OtpChallengeReason;
  created_at: number;
  expires_at: number;
  wrong_attempts: number;
  locked_at: number | null;
  completed_at: number | null;
  code_hash: string | null;
  code_channel: OtpChannel | null;
  code_issued_at: number | null;
  code_expires_at: number | null;
  unusual_location: number;
}

export function createOtpChallenge(
  db: Db,
  input: {
    userId: string;
    deviceFingerprint: string;
    deviceName: string | null;
    reason: OtpChallengeReason;
    now: number;
    isUnusualLocation?: boolean;
    /** `sign_in` unless given; a reset challenge can never create a session. */
    purpose?: OtpPurpose;
  },
): { token: string; challenge: OtpChallenge } {
  const token = generateSecretToken();
  const challenge: OtpChallenge = {
    id: randomUUID(),
    userId: input.userId,
    purpose: input.purpose ?? 'sign_in',
    deviceFingerprint: input.deviceFingerprint,
    deviceName: input.deviceName,
    reason: input.reason,
    createdAt: input.now,
    expiresAt: input.now + otpChallengeTtlMs,
    wrongAttempts: 0,
    lockedAt: null,
    completedAt: null,
    codeHash: null,
    codeChannel: null,
    codeIssuedAt: null,
    codeExpiresAt: null,
    isUnusualLocation: input.isUnusualLocation ?? false,
  };
  db.prepare(
    `INSERT INTO otp_challenges (id, token_hash, user_id, device_fingerprint, device_name, purpose, reason, created_at, expires_at, unusual_location)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    challenge.id,
    hashSecretToken(token),
    challenge.userId,
    challenge.deviceFingerprint,
    challenge.deviceName,
    challenge.purpose,
    challenge.reason,
    challenge.createdAt,
    challenge.expiresAt,
    challenge.isUnusualLocation ? 1 : 0,
  );
  return { token, challenge };
}

export function findOtpChallengeByToken(db: Db, token: string): OtpChallenge | undefined {
  const row = db.prepare('SELECT * FROM otp_challenges WHERE token_hash = ?').get(hashSecretToken(token)) as OtpChallengeRow | undefined;
  return row === undefined ? undefined : toOtpChallenge(row);
}

/**
 * Stores the hash of a newly delivered code, replacing the previous one so only the newest code
 * works. A locked challenge unlocks with its fresh code; before a lock, the wrong-code count
 * carries over so resending cannot buy extra guesses. A count already at `maxWrongCodes` counts
 * as a lock, which happens when the practice lowered its limit while the challenge was open.
 */
export function storeOtpCode(
  db: Db,
  input: { challengeId: string; codeHash: string; channel: OtpChannel; now: number; codeExpiresAt: number; maxWrongCodes: number },
): OtpChallenge {
  const row = db
    .prepare(
      `UPDATE otp_challenges SET
         code_hash = @codeHash, code_channel = @channel, code_issued_at = @now, code_expires_at = @codeExpiresAt,
         wrong_attempts = CASE WHEN locked_at IS NULL AND wrong_attempts < @max THEN wrong_attempts ELSE 0 END,
         locked_at = NULL
       WHERE id = @id
       RETURNING *`,
    )
    .get({
      codeHash: input.codeHash,
      channel: input.channel,
      now: input.now,
      codeExpiresAt: input.codeExpiresAt,
      max: input.maxWrongCodes,
      id: input.challengeId,
    }) as OtpChallengeRow;
  return toOtpChallenge(row);
}

/** Counts one wrong code on the challenge; at `maxWrongCodes` it locks the challenge and drops its code. */
export function recordWrongCodeOnChallenge(
  db: Db,
  input: { challengeId: string; now: number; maxWrongCodes: number },
): { wrongAttempts: number; isLocked: boolean } {
  const row = db
    .prepare(
      `UPDATE otp_challenges SET
         wrong_attempts = wrong_attempts + 1,
         locked_at = CASE WHEN wrong_attempts + 1 >= @max THEN @now ELSE locked_at END,
         code_hash = CASE WHEN wrong_attempts + 1 >= @max THEN NULL ELSE code_hash END
       WHERE id = @id
       RETURNING wrong_attempts, locked_at`,
    )
    .get({ max: input.maxWrongCodes, now: input.now, id: input.challengeId }) as { wrong_attempts: number; locked_at: number | null };
  return { wrongAttempts: row.wrong_attempts, isLocked: row.locked_at !== null };
}

/** Reports whether the challenge takes no code, including when its count reached a lowered limit. */
export function isOtpChallengeLocked(challenge: Pick<OtpChallenge, 'lockedAt' | 'wrongAttempts'>, maxWrongCodes: number): boolean {
  return challenge.lockedAt !== null || challenge.wrongAttempts >= maxWrongCodes;
}

/**
 * Marks the challenge completed and drops its code. The `completed_at IS NULL` condition makes
 * this the single winner when two requests carry the right code, because only one UPDATE changes a row.
 */
export function completeOtpChallenge(db: Db, challengeId: string, now: number): boolean {
  const result = db
    .prepare('UPDATE otp_challenges SET completed_at = ?, code_hash = NULL WHERE id = ? AND completed_at IS NULL')
    .run(now, challengeId);
  return result.changes === 1;
}

export function listChannelOptions(user: Pick<User, 'email' | 'mobile'>): ChannelOption[] {
  const options: ChannelOption[] = [];
  if (user.email !== null) {
    options.push({ channel: 'email', destination: maskEmail(user.email) });
  }
  if (user.mobile !== null) {
    options.push({ channel: 'sms', destination: maskMobile(user.mobile) });
  }
  return options;
}

export function destinationForChannel(user: Pick<User, 'email' | 'mobile'>, channel: OtpChannel): string | null {
  return channel === 'email' ? user.email : user.mobile;
}

export function attemptsRemaining(challenge: Pick<OtpChallenge, 'wrongAttempts'>, maxWrongCodes: number): number {
  return Math.max(0, maxWrongCodes - challenge.wrongAttempts);
}

function toOtpChallenge(row: OtpChallengeRow): OtpChallenge {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose,
    deviceFingerprint: row.device_fingerprint,
    deviceName: row.device_name,
    reason: row.reason,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    wrongAttempts: row.wrong_attempts,
    lockedAt: row.locked_at,
    completedAt: row.completed_at,
    codeHash: row.code_hash,
    codeChannel: row.code_channel,
    codeIssuedAt: row.code_issued_at,
    codeExpiresAt: row.code_expires_at,
    isUnusualLocation: row.unusual_location === 1,
  };
}
