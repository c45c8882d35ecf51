import { createHash } from 'node:crypto';
import type { Db } from '../db/database';

export type AuditEventName =
  | 'password.verified'
  | 'password.rejected'
  | 'mfa.required'
  | 'otp.sent'
  | 'otp.delivery_failed'
  | 'otp.accepted'
  | 'otp.rejected'
  | 'otp.challenge_locked'
  | 'account.locked'
  | 'session.created'
  | 'session.expired'
  | 'session.timed_out'
  | 'session.revoked'
  | 'session.device_mismatch'
  | 'device.trusted'
  | 'device.trust_rejected'
  | 'device.revoked'
  | 'device.renamed'
  | 'request.rate_limited'
  | 'password_reset.requested'
  | 'password_reset.code_accepted'
  | 'password_reset.completed'
  | 'password_reset.rejected'
  | 'account_setup.code_issued'
  | 'account_setup.code_accepted'
  | 'account_setup.code_rejected'
  | 'account_setup.password_rejected'
  | 'account_setup.completed'
  | 'password.changed'
  | 'password.change_rejected'
  | 'settings.changed'
  | 'user.created'
  | 'user.changed'
  | 'audit.exported'
  | 'audit.access_denied';

/** Origin of a request (client IP and device fingerprint), copied into every audit row the request writes. */
export interface RequestOrigin {
  ip: string | null;
  deviceFingerprint: string | null;
}

export interface AuditEvent {
  occurredAt: number;
  event: AuditEventName;
  outcome: 'success' | 'failure';
  origin: RequestOrigin;
  practiceId?: string | null;
  userId?: string | null;
  /** The username as typed, for attempts that name no known user. */
  username?: string | null;
  reason?: string | null;
  /** Channel, masked destination and similar facts; never a password, code, token or full destination. */
  details?: Record<string, string | number | boolean | null>;
}

export interface AuditRow {
  id: number;
  occurred_at: number;
  practice_id: string | null;
  user_id: string | null;
  username: string | null;
  ip: string | null;
  device: string | null;
  event: string;
  outcome: string;
  reason: string | null;
  details: string;
  prev_hash: string;
  hash: string;
  /** `details.targetUserId` copied to an indexed column; outside the hash, but checked against `details`. */
  target_user_id: string | null;
}

const genesisHash = '0'.repeat(64);
const maxUsernameLength = 64;
const deviceDigits = 12;

/**
 * Appends one row to the hash chain. Call it inside the same `runImmediate` transaction as the
 * change it records: the immediate lock also keeps two writers from chaining to the same row.
 */
export function appendAuditEvent(db: Db, event: AuditEvent): void {
  const previous = db.prepare('SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1').get() as { hash: string } | undefined;
  const prevHash = previous?.hash ?? genesisHash;
  const content = {
    occurred_at: event.occurredAt,
    practice_id: event.practiceId ?? null,
    user_id: event.userId ?? null,
    username: event.username == null ? null : truncateCodePoints(event.username, maxUsernameLength),
    ip: event.origin.ip,
    device: event.origin.deviceFingerprint?.slice(0, deviceDigits) ?? null,
    event: event.event,
    outcome: event.outcome,
    reason: event.reason ?? null,
    details: JSON.stringify(event.details ?? {}),
  };
  const hash = hashAuditContent(prevHash, content);
  const targetUserId = event.details?.targetUserId;
  db.prepare(
    `INSERT INTO audit_events
       (occurred_at, practice_id, user_id, username, ip, device, event, outcome, reason, details, prev_hash, hash, target_user_id)
     VALUES
       (@occurred_at, @practice_id, @user_id, @username, @ip, @device, @event, @outcome, @reason, @details, @prev_hash, @hash, @target_user_id)`,
  ).run({ ...content, prev_hash: prevHash, hash, target_user_id: typeof targetUserId === 'string' ? targetUserId : null });
}

/**
 * Recomputes the chain and returns the id of the first row that does not match, or null when intact.
 * A row whose `target_user_id` differs from its `details.targetUserId` also counts as broken.
 */
export function findBrokenAuditRow(db: Db): number | null {
  let prevHash = genesisHash;
  for (const row of db.prepare('SELECT * FROM audit_events ORDER BY id').iterate() as Iterable<AuditRow>) {
    const { id, prev_hash: storedPrev, hash, target_user_id: targetUserId, ...content } = row;
    if (storedPrev !== prevHash || hashAuditContent(prevHash, content) !== hash || targetUserId !== readTargetUserId(content.details)) {
      return id;
    }
    prevHash = hash;
  }
  return null;
}

function hashAuditContent(prevHash: string, content: Omit<AuditRow, 'id' | 'prev_hash' | 'hash' | 'target_user_id'>): string {
  const canonical = JSON.stringify([
    prevHash,
    content.occurred_at,
    content.practice_id,
    content.user_id,
    content.username,
    content.ip,
    content.device,
    content.event,
    content.outcome,
    content.reason,
    content.details,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

function readTargetUserId(details: string): string | null {
  if (!details.includes('"targetUserId"')) {
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return null;
  }
  const targetUserId = (parsed as { targetUserId?: unknown } | null)?.targetUserId;
  return typeof targetUserId === 'string' ? targetUserId : null;
}

function truncateCodePoints(text: string, maxLength: number): string {
  const codePoints = Array.from(text);
  return codePoints.length <= maxLength ? text : codePoints.slice(0, maxLength).join('');
}
