import { afterEach, describe, expect, it } from 'vitest';
import {
  createHarness,
  errorCode,
  seconds,
  sendCode,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  wrongCodeFor,
  type Harness,
} from './support/harness';

describe('state shared by two instances on one database', () => {
  const harnesses: Harness[] = [];

  afterEach(async () => {
    for (const harness of harnesses.reverse()) {
      await harness.close();
    }
    harnesses.length = 0;
  });

  async function twoInstances(): Promise<[Harness, Harness]> {
    const first = await createHarness();
    const second = await createHarness({ sharedWith: first });
    harnesses.push(first, second);
    return [first, second];
  }

  it('sees a challenge locked by the other instance', async () => {
    const [first, second] = await twoInstances();
    const { challengeToken, code } = await startChallengeWithCode(first);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await verifyCode(first.app, challengeToken, wrongCodeFor(code));
    }

    const response = await verifyCode(second.app, challengeToken, code);

    expect(errorCode(response)).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('applies the resend cooldown across instances', async () => {
    const [first, second] = await twoInstances();
    const { challengeToken } = await startChallengeWithCode(first);

    const tooSoon = await sendCode(second.app, challengeToken);
    first.clock.advance(seconds(30));
    const afterCooldown = await sendCode(second.app, challengeToken);

    expect(errorCode(tooSoon)).toBe('OTP_RESEND_COOLDOWN');
    expect(afterCooldown.statusCode).toBe(200);
  });

  it('applies the per-account password limit across instances', async () => {
    const [first, second] = await twoInstances();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await submitPassword(attempt % 2 === 0 ? first.app : second.app, { password: `wrong password ${attempt}` });
    }

    const fromFirst = await submitPassword(first.app);
    const fromSecond = await submitPassword(second.app);

    expect(errorCode(fromFirst)).toBe('RATE_LIMITED');
    expect(errorCode(fromSecond)).toBe('RATE_LIMITED');
  });

  it('accepts on one instance a session created on the other', async () => {
    const [first, second] = await twoInstances();
    const { challengeToken, code } = await startChallengeWithCode(first);
    const verified = await verifyCode(first.app, challengeToken, code);
    const token = (verified.json() as { session: { token: string } }).session.token;

    const response = await second.app.inject({
      method: 'GET',
      url: '/api/v1/session',
      headers: { authorization: `Bearer ${token}`, 'x-clinicgate-device': 'a'.repeat(64) },
    });

    expect(response.statusCode).toBe(200);
  });
});
