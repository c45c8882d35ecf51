import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, errorCode, minutes, seconds, sendCode, startChallenge, type Harness } from './support/harness';

describe('code send cooldown and hourly cap', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('rejects a resend within 30 seconds with the wait time', async () => {
    harness = await createHarness();
    const challengeToken = await startChallenge(harness.app);
    const first = await sendCode(harness.app, challengeToken);
    harness.clock.advance(seconds(12));

    const second = await sendCode(harness.app, challengeToken);

    expect(first.json()).toMatchObject({ resendAvailableAt: new Date(harness.clock.now() - seconds(12) + seconds(30)).toISOString() });
    expect(second.statusCode).toBe(429);
    expect(second.json()).toMatchObject({ error: { code: 'OTP_RESEND_COOLDOWN', retryAfterSeconds: 18 } });
    expect(second.headers['retry-after']).toBe('18');
  });

  it('allows a resend after 30 seconds', async () => {
    harness = await createHarness();
    const challengeToken = await startChallenge(harness.app);
    await sendCode(harness.app, challengeToken);
    harness.clock.advance(seconds(30));

    const second = await sendCode(harness.app, challengeToken, 'sms');

    expect(second.statusCode).toBe(200);
    expect(second.json()).toMatchObject({ channel: 'sms', destination: '***-***-0002', sendsRemainingThisHour: 3 });
  });

  it('caps sends at five per user per rolling hour', async () => {
    harness = await createHarness();
    const replies = [];
    for (let send = 0; send < 6; send += 1) {
      const challengeToken = await startChallenge(harness.app);
      replies.push(await sendCode(harness.app, challengeToken));
      harness.clock.advance(minutes(1));
    }

    const sixth = replies[5]!;

    expect(replies.slice(0, 5).map((reply) => reply.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(replies[4]!.json()).toMatchObject({ sendsRemainingThisHour: 0 });
    expect(sixth.statusCode).toBe(429);
    expect(sixth.json()).toMatchObject({ error: { code: 'OTP_SEND_LIMIT_REACHED', retryAfterSeconds: 55 * 60 } });
  });

  it('allows a send again once the oldest send leaves the hour', async () => {
    harness = await createHarness();
    for (let send = 0; send < 5; send += 1) {
      const challengeToken = await startChallenge(harness.app);
      await sendCode(harness.app, challengeToken);
      harness.clock.advance(minutes(1));
    }
    harness.clock.advance(minutes(55));
    const challengeToken = await startChallenge(harness.app);

    const response = await sendCode(harness.app, challengeToken);

    expect(response.statusCode).toBe(200);
  });

  it('counts failed sends toward the cap but not the cooldown', async () => {
    harness = await createHarness();
    const challengeToken = await startChallenge(harness.app);
    harness.email.setBehavior('fail');
    const failed = [];
    for (let send = 0; send < 5; send += 1) {
      failed.push(await sendCode(harness.app, challengeToken));
    }
    harness.email.setBehavior('deliver');

    const afterFailures = await sendCode(harness.app, challengeToken);

    expect(failed.map((reply) => errorCode(reply))).toEqual(Array(5).fill('DELIVERY_FAILED'));
    expect(errorCode(afterFailures)).toBe('OTP_SEND_LIMIT_REACHED');
  });

  it('rejects a channel the user has no destination for', async () => {
    harness = await createHarness();
    harness.db.prepare('UPDATE users SET mobile = NULL').run();
    const challengeToken = await startChallenge(harness.app);

    const response = await sendCode(harness.app, challengeToken, 'sms');

    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'OTP_CHANNEL_UNAVAILABLE', channels: ['email'] } });
  });
});
