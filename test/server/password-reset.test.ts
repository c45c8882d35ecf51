import { afterEach, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { formatCodeEmail } from '../../server/src/delivery/code-message-text';
import { createUser } from '../../server/src/users/user-repository';
import {
  createHarness,
  errorCode,
  minutes,
  otherWorkstation,
  seconds,
  sessionHeaders,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  wrongCodeFor,
  type Harness,
} from './support/harness';
import { completeReset, requestReset, resendReset, startVerifiedReset, verifyReset, waitForResetCode } from './support/password-reset-steps';

const newPassword = 'violet harbor lantern 58';

let harness: Harness;

afterEach(async () => {
  await harness?.close();
});

async function signInWithCode(rememberDevice = false): Promise<{ sessionToken: string; trustToken: string | undefined }> {
  const { challengeToken, code } = await startChallengeWithCode(harness);
  const verified = await verifyCode(harness.app, challengeToken, code, { rememberDevice });
  const body = verified.json() as { session: { token: string }; deviceTrust?: { token: string } };
  return { sessionToken: body.session.token, trustToken: body.deviceTrust?.token };
}

describe('password reset request', () => {
  it('emails a reset code that explains an unexpected request', async () => {
    harness = await createHarness();

    const response = await requestReset(harness.app, '  Casey@Clinic.Example ');

    expect(response.statusCode).toBe(202);
    await waitForResetCode(harness, 1);
    const message = harness.email.messages[0];
    expect(message?.to).toBe('casey@clinic.example');
    expect(message?.purpose).toBe('password_reset');
    expect(message?.code).toMatch(/^[0-9]{6}$/);
    expect(formatCodeEmail(message!).text).toContain('If you did not ask to reset your password, do not use this code');
  });

  it('answers unknown and unusable accounts alike', async () => {
    harness = await createHarness();
    const hasher = await createPasswordHasher(harness.config.argon2);
    for (const [username, email] of [['locked.user', 'locked@clinic.example'], ['gone.user', 'gone@clinic.example']] as const) {
      createUser(harness.db, { practiceId: harness.practice.id, username, displayName: username, email, mobile: null, role: 'billing', passwordHash: await hasher.hashPassword('irrelevant password'), preferredChannel: 'email', createdAt: harness.clock.now() });
    }
    harness.db.prepare("UPDATE users SET lockout_level = 5 WHERE username = 'locked.user'").run();
    harness.db.prepare("UPDATE users SET status = 'deactivated' WHERE username = 'gone.user'").run();

    const replies = [];
    for (const email of ['casey@clinic.example', 'nobody@clinic.example', 'locked@clinic.example', 'gone@clinic.example']) {
      replies.push(await requestReset(harness.app, email));
    }

    const shapes = replies.map((reply) => {
      const body = reply.json() as Record<string, string>;
      return { status: reply.statusCode, keys: Object.keys(body).sort(), headers: Object.keys(reply.headers).filter((name) => name !== 'date' && name !== 'content-length').sort(), codeExpiresAt: body.codeExpiresAt, resendAvailableAt: body.resendAvailableAt, expiresAt: body.expiresAt, tokenLength: body.challengeToken?.length };
    });
    for (const shape of shapes) {
      expect(shape).toEqual(shapes[0]);
    }
    expect((replies[0]?.json() as { destination: string }).destination).toBe('c•••@clinic.example');
    expect((replies[1]?.json() as { destination: string }).destination).toBe('n•••@clinic.example');
    await waitForResetCode(harness, 1);
    expect(harness.email.messages.map((message) => message.to)).toEqual(['casey@clinic.example']);
  });

  it('replies before the email leaves', async () => {
    harness = await createHarness();
    harness.email.setBehavior('hang');

    const response = await requestReset(harness.app, 'casey@clinic.example');

    expect(response.statusCode).toBe(202);
  });

  it('audits known and unknown requests', async () => {
    harness = await createHarness();

    await requestReset(harness.app, 'casey@clinic.example');
    await requestReset(harness.app, 'nobody@clinic.example');

    const rows = harness.db.prepare("SELECT user_id, outcome, reason, details FROM audit_events WHERE event = 'password_reset.requested' ORDER BY id").all() as Array<Record<string, string | null>>;
    expect(rows[0]).toMatchObject({ user_id: harness.clinician.id, outcome: 'success' });
    expect(rows[1]).toMatchObject({ user_id: null, outcome: 'failure', reason: 'unknown_email' });
    expect(rows[1]?.details).toContain('n•••@clinic.example');
  });

  it('limits resends for unknown emails too', async () => {
    harness = await createHarness();
    const known = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
    const unknown = (await requestReset(harness.app, 'nobody@clinic.example')).json() as { challengeToken: string };

    const knownEarly = await resendReset(harness.app, known.challengeToken);
    const unknownEarly = await resendReset(harness.app, unknown.challengeToken);

    expect(errorCode(knownEarly)).toBe('OTP_RESEND_COOLDOWN');
    expect(errorCode(unknownEarly)).toBe('OTP_RESEND_COOLDOWN');
    for (let send = 2; send <= 5; send += 1) {
      harness.clock.advance(seconds(31));
      expect((await resendReset(harness.app, known.challengeToken)).statusCode).toBe(200);
      expect((await resendReset(harness.app, unknown.challengeToken)).statusCode).toBe(200);
    }
    harness.clock.advance(seconds(31));
    expect(errorCode(await resendReset(harness.app, known.challengeToken))).toBe('OTP_SEND_LIMIT_REACHED');
    expect(errorCode(await resendReset(harness.app, unknown.challengeToken))).toBe('OTP_SEND_LIMIT_REACHED');
  });
});

describe('password reset code', () => {
  it('accepts only the newest code', async () => {
    harness = await createHarness();
    const { challengeToken } = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
    const firstCode = await waitForResetCode(harness, 1);
    harness.clock.advance(seconds(31));
    await resendReset(harness.app, challengeToken);
    const secondCode = await waitForResetCode(harness, 2);

    const old = await verifyReset(harness.app, challengeToken, firstCode === secondCode ? wrongCodeFor(secondCode) : firstCode);
    const newest = await verifyReset(harness.app, challengeToken, secondCode);

    expect(errorCode(old)).toBe('OTP_CODE_INVALID');
    expect(newest.statusCode).toBe(200);
  });

  it('rejects a code after ten minutes', async () => {
    harness = await createHarness();
    const { challengeToken } = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
    const code = await waitForResetCode(harness, 1);
    harness.clock.advance(minutes(10));

    const response = await verifyReset(harness.app, challengeToken, code);

    expect(errorCode(response)).toBe('OTP_CODE_EXPIRED');
  });

  it('locks after five wrong codes alike', async () => {
    harness = await createHarness();
    const known = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
    const unknown = (await requestReset(harness.app, 'nobody@clinic.example')).json() as { challengeToken: string };
    const code = await waitForResetCode(harness, 1);
    const wrong = wrongCodeFor(code);

    const knownReplies = [];
    const unknownReplies = [];
    for (let attempt = 1; attempt <= 6; attempt += 1) {
      knownReplies.push((await verifyReset(harness.app, known.challengeToken, wrong)).json());
      unknownReplies.push((await verifyReset(harness.app, unknown.challengeToken, wrong)).json());
    }
    const rightAfterLock = await verifyReset(harness.app, known.challengeToken, code);

    expect(knownReplies).toEqual(unknownReplies);
    expect(knownReplies[3]).toMatchObject({ error: { code: 'OTP_CODE_INVALID', attemptsRemaining: 1 } });
    expect(knownReplies[4]).toMatchObject({ error: { code: 'OTP_CHALLENGE_LOCKED', attemptsRemaining: 0 } });
    expect(errorCode(rightAfterLock)).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('shares the account wrong-code count', async () => {
    harness = await createHarness();
    const reset = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
    const resetCode = await waitForResetCode(harness, 1);
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      await verifyReset(harness.app, reset.challengeToken, wrongCodeFor(resetCode));
    }
    harness.clock.advance(seconds(31));
    const { challengeToken, code } = await startChallengeWithCode(harness);

    for (let attempt = 1; attempt <= 4; attempt += 1) {
      await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    }
    const tenth = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));

    expect(errorCode(tenth)).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('cannot sign in with a reset challenge', async () => {
    harness = await createHarness();
    const { challengeToken } = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
    const code = await waitForResetCode(harness, 1);

    const response = await verifyCode(harness.app, challengeToken, code);

    expect(errorCode(response)).toBe('OTP_CHALLENGE_INVALID');
    expect(harness.db.prepare('SELECT COUNT(*) AS count FROM sessions').get()).toEqual({ count: 0 });
  });
});

describe('password reset completion', () => {
  it('sets the password without signing in', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    const completed = await completeReset(harness.app, challengeToken, resetToken, newPassword);
    const oldPassword = await submitPassword(harness.app);
    const withNewPassword = await submitPassword(harness.app, { password: newPassword });

    expect(completed.statusCode).toBe(204);
    expect(errorCode(oldPassword)).toBe('AUTH_INVALID_CREDENTIALS');
    expect(withNewPassword.json()).toMatchObject({ status: 'mfa_required' });
  });

  it('ends every session and remembered workstation', async () => {
    harness = await createHarness();
    const first = await signInWithCode(true);
    const second = await signInWithCode(false);
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    await completeReset(harness.app, challengeToken, resetToken, newPassword);

    for (const token of [first.sessionToken, second.sessionToken]) {
      const session = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(token) });
      expect(errorCode(session)).toBe('SESSION_PASSWORD_CHANGED');
    }
    const trusted = await submitPassword(harness.app, { password: newPassword, deviceTrustToken: first.trustToken });
    expect(trusted.json()).toMatchObject({ status: 'mfa_required', challenge: { reason: 'new_workstation' } });
    const revokedRows = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'session.revoked' AND reason = 'password_reset'").get();
    expect(revokedRows).toEqual({ count: 2 });
  });

  it('invalidates outstanding sign-in challenges', async () => {
    harness = await createHarness();
    const pending = await startChallengeWithCode(harness);
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    await completeReset(harness.app, challengeToken, resetToken, newPassword);
    const response = await verifyCode(harness.app, pending.challengeToken, pending.code);

    expect(errorCode(response)).toBe('OTP_CHALLENGE_INVALID');
  });

  it('rejects a second use of the reset token', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);
    await completeReset(harness.app, challengeToken, resetToken, newPassword);

    const second = await completeReset(harness.app, challengeToken, resetToken, 'another fine passphrase 71');

    expect(errorCode(second)).toBe('PASSWORD_RESET_TOKEN_USED');
    expect((second.json() as { error: { message: string } }).error.message).toContain('already used');
  });

  it('rejects an expired reset token', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);
    harness.clock.advance(minutes(10));

    const response = await completeReset(harness.app, challengeToken, resetToken, newPassword);

    expect(errorCode(response)).toBe('PASSWORD_RESET_TOKEN_EXPIRED');
  });

  it('rejects a reset token from another user', async () => {
    harness = await createHarness();
    const hasher = await createPasswordHasher(harness.config.argon2);
    createUser(harness.db, { practiceId: harness.practice.id, username: 'robin.billing', displayName: 'Robin', email: 'robin@clinic.example', mobile: null, role: 'billing', passwordHash: await hasher.hashPassword('robin old passphrase'), preferredChannel: 'email', createdAt: harness.clock.now() });
    const casey = await startVerifiedReset(harness);
    const robinRequest = (await requestReset(harness.app, 'robin@clinic.example')).json() as { challengeToken: string };

    const response = await completeReset(harness.app, robinRequest.challengeToken, casey.resetToken, newPassword);

    expect(errorCode(response)).toBe('PASSWORD_RESET_TOKEN_INVALID');
    expect(harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'password_reset.rejected'").get()).toEqual({ reason: 'reset_token_of_another_attempt' });
  });

  it('keeps the token usable after a policy rejection', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    const weak = await completeReset(harness.app, challengeToken, resetToken, 'password1234');
    const good = await completeReset(harness.app, challengeToken, resetToken, newPassword);

    expect(errorCode(weak)).toBe('PASSWORD_BLOCKLISTED');
    expect(good.statusCode).toBe(204);
  });

  it('emails a notice and audits the completed reset', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    await completeReset(harness.app, challengeToken, resetToken, newPassword);

    const notices = await harness.email.waitForNotices(1);
    expect(notices[0]).toMatchObject({ kind: 'password_reset', to: 'casey@clinic.example' });
    const events = (harness.db.prepare('SELECT event FROM audit_events ORDER BY id').all() as Array<{ event: string }>).map((row) => row.event);
    expect(events).toEqual(expect.arrayContaining(['password_reset.requested', 'otp.sent', 'password_reset.code_accepted', 'password_reset.completed']));
  });

  it('produces one change from two parallel completions', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    const replies = await Promise.all([
      completeReset(harness.app, challengeToken, resetToken, newPassword),
      completeReset(harness.app, challengeToken, resetToken, 'another fine passphrase 71'),
    ]);

    expect(replies.map((reply) => reply.statusCode).sort()).toEqual([204, 409]);
  });

  it('rejects completion from another workstation', async () => {
    harness = await createHarness();
    const { challengeToken, resetToken } = await startVerifiedReset(harness);

    const response = await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password-reset/complete',
      payload: { challengeToken, resetToken, newPassword, deviceFingerprint: otherWorkstation },
    });

    expect(errorCode(response)).toBe('PASSWORD_RESET_TOKEN_INVALID');
  });
});
