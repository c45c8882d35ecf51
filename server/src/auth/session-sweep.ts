import { appendAuditEvent } from '../audit/audit-log';
import { runImmediate, type Db } from '../db/database';

/** Interval at which the server looks for sessions that passed a limit without any request noticing. */
export const sessionSweepIntervalMs = 60_000;

/**
 * Ends every open session past its practice's idle time-out or its absolute lifetime and audits
 * each as `session.timed_out` or `session.expired`. Without it, a session whose workstation was
 * switched off would end without an audit row, because only a request notices a limit.
 * Returns the number of sessions ended.
 */
export function sweepExpiredSessions(db: Db, now: number): number {
  return runImmediate(db, () => {
    const rows = db
      .prepare(
        `SELECT s.id, s.user_id, s.practice_id, s.device_fingerprint, s.expires_at,
                s.last_activity_at + p.idle_timeout_minutes * 60000 AS idle_expires_at
         FROM sessions s JOIN practices p ON p.id = s.practice_id
         WHERE s.ended_at IS NULL
           AND (s.expires_at <= @now OR s.last_activity_at + p.idle_timeout_minutes * 60000 <= @now)`,
      )
      .all({ now }) as SweptSessionRow[];

    for (const row of rows) {
      // The limit reached first decides the reason.
      const isAbsolute = row.expires_at <= row.idle_expires_at;
      const ended = db
        .prepare('UPDATE sessions SET ended_at = ?, end_reason = ? WHERE id = ? AND ended_at IS NULL')
        .run(now, isAbsolute ? 'expired' : 'timed_out', row.id);
      if (ended.changes === 0) {
        continue;
      }
      appendAuditEvent(db, {
        occurredAt: now,
        origin: { ip: null, deviceFingerprint: row.device_fingerprint },
        practiceId: row.practice_id,
        userId: row.user_id,
        event: isAbsolute ? 'session.expired' : 'session.timed_out',
        outcome: 'success',
        reason: isAbsolute ? 'absolute_timeout' : 'idle_timeout',
        details: { detectedBy: 'server_sweep', limitReachedAt: new Date(Math.min(row.expires_at, row.idle_expires_at)).toISOString() },
      });
    }
    return rows.length;
  });
}

interface SweptSessionRow {
  id: string;
  user_id: string;
  practice_id: string;
  device_fingerprint: string;
  expires_at: number;
  idle_expires_at: number;
}
