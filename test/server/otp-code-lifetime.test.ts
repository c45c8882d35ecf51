import { afterEach, describe, expect, it } from 'vitest';
import {
  createHarness,
  errorCode,
  minutes,
  seconds,
  sendCode,
  startChallenge,
  startChallengeWithCode,
  verifyCode,
  type Harness,
} from './support/harness';

describe('one-time code lifetime', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('accepts a code at 9 minutes 59 seconds', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    harness.clock.advance(minutes(9) + seconds(59));

    const response = await verifyCode(harness.app, challengeToken, code);

    expect(response.statusCode).toBe(200);
  });

  it('rejects a code at exactly 10 minutes', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    harness.clock.advance(minutes(10));

    const response = await verifyCode(harness.app, challengeToken, code);

    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('OTP_CODE_EXPIRED');
  });

  it('rejects a code used a second time', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    await verifyCode(harness.app, challengeToken, code);

    const replay = await verifyCode(harness.app, challengeToken, code);

    expect(replay.statusCode).toBe(401);
    expect(errorCode(replay)).toBe('OTP_CHALLENGE_INVALID');
  });

  it('rejects the older code after a resend', async () => {
    harness = await createHarness();
    const { challengeToken, code: olderCode } = await startChallengeWithCode(harness);
    harness.clock.advance(seconds(31));
    await sendCode(harness.app, challengeToken);
    const newerCode = harness.email.lastCode();
    expect(newerCode).not.toBe(olderCode);

    const withOlder = await verifyCode(harness.app, challengeToken, olderCode);
    const withNewer = await verifyCode(harness.app, challengeToken, newerCode);

    expect(errorCode(withOlder)).toBe('OTP_CODE_INVALID');
    expect(withNewer.statusCode).toBe(200);
  });

  it('accepts a code with leading zeros', async () => {
    harness = await createHarness({ randomInt: () => 4821 });
    const challengeToken = await startChallenge(harness.app);
    await sendCode(harness.app, challengeToken);
    const code = harness.email.lastCode();

    const response = await verifyCode(harness.app, challengeToken, code);

    expect(code).toBe('004821');
    expect(response.statusCode).toBe(200);
  });

  it('rejects a code with the leading zeros dropped', async () => {
    harness = await createHarness({ randomInt: () => 4821 });
    const challengeToken = await startChallenge(harness.app);
    await sendCode(harness.app, challengeToken);

    const response = await verifyCode(harness.app, challengeToken, '4821');

    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it('answers OTP_NO_CODE_SENT before any code is sent', async () => {
    harness = await createHarness();
    const challengeToken = await startChallenge(harness.app);

    const response = await verifyCode(harness.app, challengeToken, '123456');

    expect(response.statusCode).toBe(409);
    expect(errorCode(response)).toBe('OTP_NO_CODE_SENT');
  });

  it('expires the challenge after 30 minutes', async () => {
    harness = await createHarness();
    const challengeToken = await startChallenge(harness.app);
    harness.clock.advance(minutes(30));

    const response = await sendCode(harness.app, challengeToken);

    expect(errorCode(response)).toBe('OTP_CHALLENGE_EXPIRED');
  });

  it('rejects a challenge verified from another workstation', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const response = await verifyCode(harness.app, challengeToken, code, { deviceFingerprint: 'c'.repeat(64) });

    expect(errorCode(response)).toBe('OTP_CHALLENGE_INVALID');
  });
});
