import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, sendCode, startChallenge, startChallengeWithCode, verifyCode, type Harness } from './support/harness';

describe('parallel code requests', () => {
  const harnesses: Harness[] = [];

  afterEach(async () => {
    for (const harness of harnesses.reverse()) {
      await harness.close();
    }
    harnesses.length = 0;
  });

  it('creates exactly one session from parallel right codes', async () => {
    const harness = await createHarness();
    harnesses.push(harness);
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const replies = await Promise.all(Array.from({ length: 10 }, () => verifyCode(harness.app, challengeToken, code)));

    const statuses = replies.map((reply) => reply.statusCode);
    const sessions = harness.db.prepare('SELECT COUNT(*) AS count FROM sessions').get() as { count: number };
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(9);
    expect(sessions.count).toBe(1);
  });

  it('creates exactly one session from right codes sent to two instances', async () => {
    const first = await createHarness();
    const second = await createHarness({ sharedWith: first });
    harnesses.push(first, second);
    const { challengeToken, code } = await startChallengeWithCode(first);

    const replies = await Promise.all([
      verifyCode(first.app, challengeToken, code),
      verifyCode(second.app, challengeToken, code),
      verifyCode(first.app, challengeToken, code),
      verifyCode(second.app, challengeToken, code),
    ]);

    const sessions = first.db.prepare('SELECT COUNT(*) AS count FROM sessions').get() as { count: number };
    expect(replies.filter((reply) => reply.statusCode === 200)).toHaveLength(1);
    expect(sessions.count).toBe(1);
  });

  it('lets only one of two parallel sends through the cooldown', async () => {
    const harness = await createHarness();
    harnesses.push(harness);
    const challengeToken = await startChallenge(harness.app);

    const replies = await Promise.all([sendCode(harness.app, challengeToken), sendCode(harness.app, challengeToken)]);

    const statuses = replies.map((reply) => reply.statusCode).sort();
    expect(statuses).toEqual([200, 429]);
    expect(harness.email.messages).toHaveLength(1);
  });
});
