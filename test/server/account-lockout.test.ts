import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import {
  createHarness,
  errorCode,
  hours,
  minutes,
  sendCode,
  startChallenge,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  wrongCodeFor,
  type Harness,
} from './support/harness';

/**
 * Submits `count` wrong codes through the API, opening a new challenge whenever one locks.
 * The clock moves 13 minutes per challenge so neither the hourly send cap nor the per-IP
 * limit interferes. Returns the reply to the last wrong code.
 */
async function submitWrongCodes(harness: Harness, count: number): Promise<LightMyRequestResponse> {
  let remaining = count;
  let last: LightMyRequestResponse | undefined;
  while (remaining > 0) {
    harness.clock.advance(minutes(13));
    const { challengeToken, code } = await startChallengeWithCode(harness);
    for (let attempt = 0; attempt < 5 && remaining > 0; attempt += 1) {
      last = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
      remaining -= 1;
    }
  }
  if (last === undefined) {
    throw new Error('count must be positive');
  }
  return last;
}

describe('account lockout escalation', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('locks the account for 15 minutes after 10 wrong codes', async () => {
    harness = await createHarness();

    const tenth = await submitWrongCodes(harness, 10);

    expect(tenth.statusCode).toBe(423);
    expect(tenth.json()).toMatchObject({ error: { code: 'AUTH_ACCOUNT_LOCKED', retryAfterSeconds: 15 * 60 } });
    const row = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'account.locked'").get() as { count: number };
    expect(row.count).toBe(1);
  });

  it('rejects a correct password while locked and a wrong one as invalid', async () => {
    harness = await createHarness();
    await submitWrongCodes(harness, 10);

    const correct = await submitPassword(harness.app);
    const wrong = await submitPassword(harness.app, { password: 'not the password' });

    expect(errorCode(correct)).toBe('AUTH_ACCOUNT_LOCKED');
    expect(errorCode(wrong)).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('rejects sends and verifies on an open challenge while locked', async () => {
    harness = await createHarness();
    const challengeToken = await startChallenge(harness.app);
    await submitWrongCodes(harness, 10);

    const send = await sendCode(harness.app, challengeToken);
    const verify = await verifyCode(harness.app, challengeToken, '123456');

    expect(errorCode(send)).toBe('AUTH_ACCOUNT_LOCKED');
    expect(errorCode(verify)).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('unlocks after 15 minutes', async () => {
    harness = await createHarness();
    await submitWrongCodes(harness, 10);
    harness.clock.advance(minutes(15));

    const response = await submitPassword(harness.app);

    expect(response.statusCode).toBe(200);
  });

  it('escalates to 1 hour, 4 hours, 24 hours, then until an admin unlocks', async () => {
    harness = await createHarness();
    const lockReplies: LightMyRequestResponse[] = [];
    const waits = [minutes(15), hours(1), hours(4), hours(24)];
    for (const wait of waits) {
      lockReplies.push(await submitWrongCodes(harness, 10));
      harness.clock.advance(wait);
    }

    lockReplies.push(await submitWrongCodes(harness, 10));
    harness.clock.advance(hours(24 * 30));
    const monthLater = await submitPassword(harness.app);

    const retryAfter = lockReplies.map((reply) => (reply.json() as { error: { retryAfterSeconds?: number } }).error.retryAfterSeconds);
    expect(lockReplies.map((reply) => errorCode(reply))).toEqual(Array(5).fill('AUTH_ACCOUNT_LOCKED'));
    expect(retryAfter).toEqual([15 * 60, 60 * 60, 4 * 60 * 60, 24 * 60 * 60, undefined]);
    expect(errorCode(monthLater)).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('does not reset the account count when a new code is sent', async () => {
    harness = await createHarness();
    await submitWrongCodes(harness, 9);
    harness.clock.advance(minutes(13));
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const tenth = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));

    expect(errorCode(tenth)).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('resets the account count after a successful sign-in', async () => {
    harness = await createHarness();
    await submitWrongCodes(harness, 9);
    harness.clock.advance(minutes(13));
    const { challengeToken, code } = await startChallengeWithCode(harness);
    await verifyCode(harness.app, challengeToken, code);

    const afterSuccess = await submitWrongCodes(harness, 1);

    expect(errorCode(afterSuccess)).toBe('OTP_CODE_INVALID');
    const row = harness.db.prepare('SELECT consecutive_code_failures AS failures FROM users').get() as { failures: number };
    expect(row.failures).toBe(1);
  });
});
