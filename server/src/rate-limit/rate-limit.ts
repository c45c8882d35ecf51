import type { Db } from '../db/database';

export interface RateLimitRule {
  /** Key prefix naming what is limited, e.g. `ip` or `password-failures`. */
  name: string;
  limit: number;
  windowMs: number;
}

/** 60 requests per minute to the sign-in routes from one IP address. */
export const authRequestsPerIp: RateLimitRule = { name: 'auth-ip', limit: 60, windowMs: 60_000 };

/** Builds the per-IP sign-in rule with another limit per minute (setting `rateLimits.perIpPerMinute`). */
export function authRequestsPerIpRule(limitPerMinute: number): RateLimitRule {
  return { ...authRequestsPerIp, limit: limitPerMinute };
}
/** 10 failed passwords per 15 minutes for one username, known or not: the product default and loosest value. */
export const passwordFailuresPerAccount: RateLimitRule = { name: 'password-failures', limit: 10, windowMs: 15 * 60_000 };

/**
 * Builds the failed-password rule with a practice's limit per 15 minutes (setting
 * `failed_passwords_per_account`). Every limit shares one counter per username, so a change
 * applies to the failures already counted in the current window.
 */
export function passwordFailuresPerAccountRule(limitPer15Minutes: number): RateLimitRule {
  return { ...passwordFailuresPerAccount, limit: limitPer15Minutes };
}

export type RateLimitDecision = { allowed: true; count: number } | { allowed: false; count: number; retryAfterSeconds: number };

/**
 * Counts one hit in the current fixed window and reports whether it is within the limit.
 * The upsert with RETURNING reads and increments in one statement, so no two requests see the same count.
 */
export function consumeRateLimit(db: Db, rule: RateLimitRule, subject: string, now: number): RateLimitDecision {
  const windowStart = now - (now % rule.windowMs);
  const row = db
    .prepare(
      `INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, 1)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.count + 1 ELSE 1 END,
         window_start = excluded.window_start
       RETURNING count`,
    )
    .get(`${rule.name}:${subject}`, windowStart) as { count: number };
  return decide(rule, row.count, windowStart, now);
}

/** Reports whether the current window is already full, without counting a hit. */
export function peekRateLimit(db: Db, rule: RateLimitRule, subject: string, now: number): RateLimitDecision {
  const windowStart = now - (now % rule.windowMs);
  const row = db.prepare('SELECT window_start, count FROM rate_limits WHERE key = ?').get(`${rule.name}:${subject}`) as
    | { window_start: number; count: number }
    | undefined;
  const count = row !== undefined && row.window_start === windowStart ? row.count : 0;
  return count < rule.limit ? { allowed: true, count } : decide(rule, count + 1, windowStart, now);
}

function decide(rule: RateLimitRule, count: number, windowStart: number, now: number): RateLimitDecision {
  if (count <= rule.limit) {
    return { allowed: true, count };
  }
  const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + rule.windowMs - now) / 1000));
  return { allowed: false, count, retryAfterSeconds };
}
