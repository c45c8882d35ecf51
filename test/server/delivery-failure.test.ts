import { afterEach, describe, expect, it } from 'vitest';
import { createHarness, errorCode, seconds, sendCode, startChallengeWithCode, verifyCode, type Harness } from './support/harness';

describe('failed code delivery', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('answers DELIVERY_FAILED and offers the other channel', async () => {
    harness = await createHarness();
    const { challengeToken } = await startChallengeWithCode(harness);
    harness.clock.advance(seconds(31));
    harness.sms.setBehavior('fail');

    const response = await sendCode(harness.app, challengeToken, 'sms');

    expect(response.statusCode).toBe(502);
    expect(response.json()).toEqual({
      error: { code: 'DELIVERY_FAILED', message: 'The code could not be sent. Try the other delivery method.', channels: ['email'] },
    });
  });

  it('leaves the previous code valid', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    harness.clock.advance(seconds(31));
    harness.sms.setBehavior('fail');
    await sendCode(harness.app, challengeToken, 'sms');

    const response = await verifyCode(harness.app, challengeToken, code);

    expect(response.statusCode).toBe(200);
  });

  it('audits the failure with the masked destination', async () => {
    harness = await createHarness();
    const { challengeToken } = await startChallengeWithCode(harness);
    harness.clock.advance(seconds(31));
    harness.sms.setBehavior('fail');

    await sendCode(harness.app, challengeToken, 'sms');

    const row = harness.db.prepare("SELECT reason, details FROM audit_events WHERE event = 'otp.delivery_failed'").get() as {
      reason: string;
      details: string;
    };
    expect(row.reason).toBe('rejected');
    expect(JSON.parse(row.details)).toEqual({ channel: 'sms', destination: '***-***-0002' });
  });

  it('lets the user retry at once after a failure', async () => {
    harness = await createHarness();
    const { challengeToken } = await startChallengeWithCode(harness);
    harness.clock.advance(seconds(31));
    harness.sms.setBehavior('fail');
    await sendCode(harness.app, challengeToken, 'sms');

    const retry = await sendCode(harness.app, challengeToken, 'email');

    expect(retry.statusCode).toBe(200);
  });

  it('answers promptly when the deliverer hangs', async () => {
    harness = await createHarness({ configure: (config) => (config.deliveryTimeoutMs = 300) });
    const { challengeToken } = await startChallengeWithCode(harness);
    harness.clock.advance(seconds(31));
    harness.sms.setBehavior('hang');
    const startedAt = performance.now();

    const response = await sendCode(harness.app, challengeToken, 'sms');

    expect(errorCode(response)).toBe('DELIVERY_FAILED');
    expect(performance.now() - startedAt).toBeLessThan(2_000);
    const row = harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'otp.delivery_failed'").get() as { reason: string };
    expect(row.reason).toBe('timeout');
  });
});
