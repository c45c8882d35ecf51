import { afterEach, describe, expect, it } from 'vitest';
import {
  createHarness,
  errorCode,
  seconds,
  sendCode,
  startChallengeWithCode,
  verifyCode,
  wrongCodeFor,
  type Harness,
} from './support/harness';

describe('challenge lockout after wrong codes', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('counts down attempts remaining on each wrong code', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const first = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    const second = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));

    expect(first.statusCode).toBe(401);
    expect(first.json()).toMatchObject({ error: { code: 'OTP_CODE_INVALID', attemptsRemaining: 4 } });
    expect(second.json()).toMatchObject({ error: { code: 'OTP_CODE_INVALID', attemptsRemaining: 3 } });
  });

  it('locks the challenge after five wrong codes, even for the right code', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const replies = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      replies.push(await verifyCode(harness.app, challengeToken, wrongCodeFor(code)));
    }

    const withRightCode = await verifyCode(harness.app, challengeToken, code);

    expect(errorCode(replies[4]!)).toBe('OTP_CHALLENGE_LOCKED');
    expect(withRightCode.statusCode).toBe(423);
    expect(errorCode(withRightCode)).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('accepts a new code sent after the lock', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    }
    harness.clock.advance(seconds(31));

    const resent = await sendCode(harness.app, challengeToken);
    const response = await verifyCode(harness.app, challengeToken, harness.email.lastCode());

    expect(resent.statusCode).toBe(200);
    expect(resent.json()).toMatchObject({ attemptsRemaining: 5 });
    expect(response.statusCode).toBe(200);
  });

  it('keeps the wrong-code count across a resend before the lock', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    }
    harness.clock.advance(seconds(31));

    const resent = await sendCode(harness.app, challengeToken);
    const newCode = harness.email.lastCode();
    await verifyCode(harness.app, challengeToken, wrongCodeFor(newCode));
    const fifthWrong = await verifyCode(harness.app, challengeToken, wrongCodeFor(newCode));
    const withRightCode = await verifyCode(harness.app, challengeToken, newCode);

    expect(resent.json()).toMatchObject({ attemptsRemaining: 2 });
    expect(errorCode(fifthWrong)).toBe('OTP_CHALLENGE_LOCKED');
    expect(errorCode(withRightCode)).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('keeps parallel wrong codes inside the attempt budget', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const replies = await Promise.all(
      Array.from({ length: 8 }, () => verifyCode(harness.app, challengeToken, wrongCodeFor(code))),
    );
    const withRightCode = await verifyCode(harness.app, challengeToken, code);

    const invalid = replies.filter((reply) => errorCode(reply) === 'OTP_CODE_INVALID');
    const row = harness.db.prepare('SELECT wrong_attempts FROM otp_challenges').get() as { wrong_attempts: number };
    expect(invalid).toHaveLength(4);
    expect(row.wrong_attempts).toBe(5);
    expect(errorCode(withRightCode)).toBe('OTP_CHALLENGE_LOCKED');
  });
});
