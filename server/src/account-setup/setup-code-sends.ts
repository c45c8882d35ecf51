import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database';
import { secondsUntilCooldownEnds } from '../otp/code-sending';

/**
 * Records a setup code email that is about to leave, as `pending`, and returns its id. Call it in
 * the transaction that checked `secondsUntilSetupCodeCooldownEnds`, so that a parallel request
 * finds this send.
 */
export function reserveSetupCodeSend(db: Db, userId: string, now: number): string {
  const sendId = randomUUID();
  db.prepare(`INSERT INTO account_setup_code_sends (id, user_id, status, requested_at) VALUES (?, ?, 'pending', ?)`).run(sendId, userId, now);
  return sendId;
}

export function finishSetupCodeSend(db: Db, sendId: string, status: 'sent' | 'failed', now: number): void {
  db.prepare('UPDATE account_setup_code_sends SET status = ?, finished_at = ? WHERE id = ?').run(status, now, sendId);
}

/**
 * Returns the seconds left of the practice's resend cooldown after the user's last setup code
 * email, or null when another may go now. Failed emails are left out, so that an outage of the
 * email relay never makes the administrator wait before trying again.
 */
export function secondsUntilSetupCodeCooldownEnds(db: Db, userId: string, cooldownSeconds: number, now: number): number | null {
  const row = db
    .prepare(`SELECT MAX(requested_at) AS lastSentAt FROM account_setup_code_sends WHERE user_id = ? AND status IN ('pending', 'sent')`)
    .get(userId) as { lastSentAt: number | null };
  return secondsUntilCooldownEnds(row.lastSentAt, cooldownSeconds, now);
}
