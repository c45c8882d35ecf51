import { appendAuditEvent } from '../server/src/audit/audit-log';
import type { Db } from '../server/src/db/database';
import { createOtpChallenge, storeOtpCode } from '../server/src/otp/otp-challenge';
import { generateOtpCode, hashOtpCode, otpCodeTtlMs } from '../server/src/otp/otp-code';
import { defaultPracticeSettings } from '../server/src/practices/practice-repository';
import { toUsernameKey } from '../server/src/users/user-repository';

/**
 * Bulk data for the benchmark, written straight into the bench server's SQLite file through a
 * second connection (WAL lets it share the file with the running server).
 */
export const benchPassword = 'bench password for load tests only';
export const benchAdminUsername = 'bench.admin';

export function benchUsername(index: number): string {
  return `bench.user.${index}`;
}

export function benchEmail(index: number): string {
  return `${benchUsername(index)}@bench.example`;
}

/**
 * Inserts users `fromIndex` to `toIndex - 1` in one transaction. Every row reuses one Argon2id
 * hash made with the server's parameters, so each sign-in costs the same hashing work as a real
 * one, and seeding a million users takes seconds instead of hours.
 */
export function seedUsers(db: Db, input: { practiceId: string; fromIndex: number; toIndex: number; passwordHash: string; now: number }): void {
  const insert = db.prepare(
    `INSERT INTO users
       (id, practice_id, username, username_key, display_name, email, mobile, role, password_hash, preferred_channel, created_at)
     VALUES (?, ?, ?, ?, ?, ?, NULL, 'clinician', ?, 'email', ?)`,
  );
  db.transaction(() => {
    for (let index = input.fromIndex; index < input.toIndex; index += 1) {
      const username = benchUsername(index);
      insert.run(
        `00000000-0000-4000-8000-${index.toString().padStart(12, '0')}`,
        input.practiceId,
        username,
        toUsernameKey(username),
        `Bench User ${index}`,
        benchEmail(index),
        input.passwordHash,
        input.now,
      );
    }
  })();
}

/**
 * Appends `count` sign-in audit rows through the server's own `appendAuditEvent`, so each row is
 * hash-chained exactly as the server chains it. Commits every 10,000 rows.
 */
export function appendAuditRows(db: Db, input: { count: number; practiceId: string; now: number }): void {
  const batchSize = 10_000;
  for (let written = 0; written < input.count; written += batchSize) {
    const batchEnd = Math.min(input.count, written + batchSize);
    db.transaction(() => {
      for (let index = written; index < batchEnd; index += 1) {
        appendAuditEvent(db, {
          occurredAt: input.now - (input.count - index) * 1000,
          origin: { ip: '127.0.0.1', deviceFingerprint: 'c'.repeat(64) },
          practiceId: input.practiceId,
          userId: `00000000-0000-4000-8000-${(index % 1000).toString().padStart(12, '0')}`,
          event: index % 2 === 0 ? 'password.verified' : 'session.created',
          outcome: 'success',
          details: index % 2 === 0 ? {} : { mfa: true },
        });
      }
    })();
  }
}

/**
 * Creates a sign-in challenge with a fresh code through the server's own challenge functions,
 * skipping the password step and delivery. Only the soak run uses it, because at 200 codes per
 * second it needs more challenges than Argon2 can produce on a small machine.
 */
export function mintOtpChallenge(
  db: Db,
  input: { userId: string; deviceFingerprint: string; otpSecret: Buffer; now: number },
): { challengeToken: string; code: string } {
  const { token, challenge } = createOtpChallenge(db, {
    userId: input.userId,
    deviceFingerprint: input.deviceFingerprint,
    deviceName: null,
    reason: 'new_workstation',
    now: input.now,
  });
  const code = generateOtpCode();
  storeOtpCode(db, {
    challengeId: challenge.id,
    codeHash: hashOtpCode(input.otpSecret, challenge.id, code),
    channel: 'email',
    now: input.now,
    codeExpiresAt: input.now + otpCodeTtlMs,
    // A new challenge has no wrong codes yet, so the limit only has to be a valid one.
    maxWrongCodes: defaultPracticeSettings.wrongCodesPerChallenge,
  });
  return { challengeToken: token, code };
}

/** Returns one page of the audit log, newest first, with a keyset cursor: the provisional viewer query. */
export function readAuditPage(db: Db, input: { pageSize: number; beforeId?: number }): { ids: number[]; nextBeforeId: number | null } {
  const rows = (
    input.beforeId === undefined
      ? db.prepare('SELECT * FROM audit_events ORDER BY id DESC LIMIT ?').all(input.pageSize)
      : db.prepare('SELECT * FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT ?').all(input.beforeId, input.pageSize)
  ) as { id: number }[];
  const last = rows.at(-1);
  return { ids: rows.map((row) => row.id), nextBeforeId: rows.length === input.pageSize && last !== undefined ? last.id : null };
}
