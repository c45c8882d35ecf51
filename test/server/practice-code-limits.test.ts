import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { databasePath, openDatabase } from '../../server/src/db/database';
import { createPractice, type PracticeSettings } from '../../server/src/practices/practice-repository';
import { createUser } from '../../server/src/users/user-repository';
import {
  clinicianPassword,
  createHarness,
  errorCode,
  hours,
  makeTempDir,
  minutes,
  seconds,
  sendCode,
  sessionHeaders,
  startChallenge,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  wrongCodeFor,
  type Harness,
} from './support/harness';
import { requestReset, resendReset, verifyReset, waitForResetCode } from './support/password-reset-steps';

const adminPassword = 'admin password for the limit tests';

let harness: Harness;
let secondInstance: Harness | undefined;

afterEach(async () => {
  await secondInstance?.close();
  secondInstance = undefined;
  await harness?.close();
});

function retryAfter(response: LightMyRequestResponse): number | undefined {
  return (response.json() as { error?: { retryAfterSeconds?: number } }).error?.retryAfterSeconds;
}

function attemptsLeft(response: LightMyRequestResponse): number | undefined {
  const body = response.json() as { attemptsRemaining?: number; error?: { attemptsRemaining?: number } };
  return body.error?.attemptsRemaining ?? body.attemptsRemaining;
}

function problemOf(response: LightMyRequestResponse): string {
  return (response.json() as { error: { problem: string } }).error.problem;
}

/** Adds a practice administrator to the harness practice, signs in with a code and returns the session token. */
async function signInAdmin(target: Harness = harness): Promise<string> {
  const hasher = await createPasswordHasher(target.config.argon2);
  createUser(target.db, {
    practiceId: target.practice.id,
    username: 'Dana.Admin',
    displayName: 'Dana Admin',
    email: 'dana@clinic.example',
    mobile: null,
    role: 'practice_admin',
    passwordHash: await hasher.hashPassword(adminPassword),
    preferredChannel: 'email',
    createdAt: target.clock.now(),
  });
  const challengeToken = await startChallenge(target.app, { username: 'dana.admin', password: adminPassword });
  await sendCode(target.app, challengeToken);
  const verified = await verifyCode(target.app, challengeToken, target.email.lastCode());
  return (verified.json() as { session: { token: string } }).session.token;
}

function putSetting(app: FastifyInstance, token: string, setting: string, value: number): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'PUT',
    url: `/api/v1/admin/practice/settings/${setting}`,
    payload: { value },
    headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
  });
}

async function harnessWith(settings: Partial<PracticeSettings>): Promise<Harness> {
  harness = await createHarness({ practiceSettings: settings });
  return harness;
}

/** Requests a reset for `email` and returns the challenge token from the reply. */
async function startReset(email: string): Promise<{ challengeToken: string; reply: LightMyRequestResponse }> {
  const reply = await requestReset(harness.app, email);
  return { challengeToken: (reply.json() as { challengeToken: string }).challengeToken, reply };
}

describe('stricter sign-in code limits', () => {
  it('applies a longer resend cooldown', async () => {
    await harnessWith({ resendCooldownSeconds: 120 });
    const challengeToken = await startChallenge(harness.app);
    const first = await sendCode(harness.app, challengeToken);
    harness.clock.advance(seconds(60));

    const early = await sendCode(harness.app, challengeToken);
    harness.clock.advance(seconds(60));
    const afterCooldown = await sendCode(harness.app, challengeToken);

    expect(first.json()).toMatchObject({ resendAvailableAt: new Date(harness.clock.now() - seconds(120) + seconds(120)).toISOString() });
    expect(errorCode(early)).toBe('OTP_RESEND_COOLDOWN');
    expect(retryAfter(early)).toBe(60);
    expect(early.headers['retry-after']).toBe('60');
    expect(afterCooldown.statusCode).toBe(200);
  });

  it('caps sends at the practice hourly limit', async () => {
    await harnessWith({ codeSendsPerHour: 2 });
    const replies: LightMyRequestResponse[] = [];
    for (let send = 0; send < 3; send += 1) {
      replies.push(await sendCode(harness.app, await startChallenge(harness.app)));
      harness.clock.advance(minutes(1));
    }

    expect(replies.map((reply) => reply.statusCode)).toEqual([200, 200, 429]);
    expect(replies[0]?.json()).toMatchObject({ sendsRemainingThisHour: 1 });
    expect(replies[1]?.json()).toMatchObject({ sendsRemainingThisHour: 0 });
    expect(errorCode(replies[2]!)).toBe('OTP_SEND_LIMIT_REACHED');
    expect(retryAfter(replies[2]!)).toBe(58 * 60);
  });

  it('locks the challenge after fewer wrong codes', async () => {
    await harnessWith({ wrongCodesPerChallenge: 2 });
    const challengeToken = await startChallenge(harness.app);
    const sent = await sendCode(harness.app, challengeToken);
    const code = harness.email.lastCode();

    const first = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    const second = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    const right = await verifyCode(harness.app, challengeToken, code);

    expect(attemptsLeft(sent)).toBe(2);
    expect(errorCode(first)).toBe('OTP_CODE_INVALID');
    expect(attemptsLeft(first)).toBe(1);
    expect(errorCode(second)).toBe('OTP_CHALLENGE_LOCKED');
    expect(errorCode(right)).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('locks the account after fewer wrong codes', async () => {
    await harnessWith({ wrongCodesPerAccountLockout: 3 });
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const replies: LightMyRequestResponse[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      replies.push(await verifyCode(harness.app, challengeToken, wrongCodeFor(code)));
    }

    expect(replies.map((reply) => errorCode(reply))).toEqual(['OTP_CODE_INVALID', 'OTP_CODE_INVALID', 'AUTH_ACCOUNT_LOCKED']);
    expect(retryAfter(replies[2]!)).toBe(15 * 60);
    expect(errorCode(await submitPassword(harness.app))).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('needs an admin unlock after five lockout steps', async () => {
    await harnessWith({ wrongCodesPerAccountLockout: 3 });
    const waits = [minutes(15), hours(1), hours(4), hours(24), 0];
    const lockReplies: LightMyRequestResponse[] = [];
    for (const wait of waits) {
      const { challengeToken, code } = await startChallengeWithCode(harness);
      let last: LightMyRequestResponse | undefined;
      for (let attempt = 0; attempt < 3; attempt += 1) {
        last = await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
      }
      lockReplies.push(last!);
      harness.clock.advance(wait);
    }
    harness.clock.advance(hours(24 * 30));

    const monthLater = await submitPassword(harness.app);

    expect(lockReplies.map((reply) => errorCode(reply))).toEqual(Array(5).fill('AUTH_ACCOUNT_LOCKED'));
    expect(lockReplies.map(retryAfter)).toEqual([15 * 60, 60 * 60, 4 * 60 * 60, 24 * 60 * 60, undefined]);
    expect(errorCode(monthLater)).toBe('AUTH_ACCOUNT_LOCKED');
    const user = harness.db.prepare('SELECT consecutive_code_failures AS failures, lockout_level AS level FROM users WHERE id = ?').get(harness.clinician.id);
    expect(user).toEqual({ failures: 15, level: 5 });
  });

  it('limits failed passwords earlier, for unknown usernames too', async () => {
    await harnessWith({ failedPasswordsPerAccount: 3 });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await submitPassword(harness.app, { password: `wrong password ${attempt}` });
      await submitPassword(harness.app, { username: 'nobody.here', password: `wrong password ${attempt}` });
    }

    const known = await submitPassword(harness.app);
    const unknown = await submitPassword(harness.app, { username: 'nobody.here' });

    expect(errorCode(known)).toBe('RATE_LIMITED');
    expect(errorCode(unknown)).toBe('RATE_LIMITED');
    expect(retryAfter(known)).toBe(retryAfter(unknown));
  });

  it('rejects the right code once a lowered limit is reached', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await verifyCode(harness.app, challengeToken, wrongCodeFor(code));
    }

    await putSetting(harness.app, adminToken, 'wrong_codes_per_challenge', 2);
    const right = await verifyCode(harness.app, challengeToken, code);
    harness.clock.advance(seconds(30));
    await sendCode(harness.app, challengeToken);
    const fresh = await verifyCode(harness.app, challengeToken, harness.email.lastCode());

    expect(errorCode(right)).toBe('OTP_CHALLENGE_LOCKED');
    expect(fresh.statusCode).toBe(200);
  });

  it('waits for enough sends to leave the hour after a lowered cap', async () => {
    harness = await createHarness();
    for (let send = 0; send < 3; send += 1) {
      await sendCode(harness.app, await startChallenge(harness.app));
      harness.clock.advance(minutes(10));
    }
    const adminToken = await signInAdmin();

    await putSetting(harness.app, adminToken, 'code_sends_per_hour', 2);
    const capped = await sendCode(harness.app, await startChallenge(harness.app));

    // Sends at 0, 10 and 20 minutes; at 30 minutes two must leave, so the wait ends at 70 minutes.
    expect(errorCode(capped)).toBe('OTP_SEND_LIMIT_REACHED');
    expect(retryAfter(capped)).toBe(40 * 60);
  });
});

describe('stricter password reset code limits', () => {
  it('applies the cooldown and wrong-code limit to reset codes', async () => {
    await harnessWith({ resendCooldownSeconds: 90, wrongCodesPerChallenge: 2 });
    const { challengeToken, reply } = await startReset('casey@clinic.example');
    const code = await waitForResetCode(harness, 1);
    harness.clock.advance(seconds(60));

    const early = await resendReset(harness.app, challengeToken);
    const first = await verifyReset(harness.app, challengeToken, wrongCodeFor(code));
    const second = await verifyReset(harness.app, challengeToken, wrongCodeFor(code));
    const right = await verifyReset(harness.app, challengeToken, code);

    expect(reply.json()).toMatchObject({ resendAvailableAt: new Date(harness.clock.now() - seconds(60) + seconds(90)).toISOString() });
    expect(errorCode(early)).toBe('OTP_RESEND_COOLDOWN');
    expect(retryAfter(early)).toBe(30);
    expect(attemptsLeft(first)).toBe(1);
    expect(errorCode(second)).toBe('OTP_CHALLENGE_LOCKED');
    expect(errorCode(right)).toBe('OTP_CHALLENGE_LOCKED');
  });

  it('caps reset sends at the practice hourly limit', async () => {
    await harnessWith({ codeSendsPerHour: 2 });
    const { challengeToken } = await startReset('casey@clinic.example');
    harness.clock.advance(seconds(30));

    const second = await resendReset(harness.app, challengeToken);
    harness.clock.advance(seconds(30));
    const third = await resendReset(harness.app, challengeToken);

    expect(second.statusCode).toBe(200);
    expect(errorCode(third)).toBe('OTP_SEND_LIMIT_REACHED');
  });

  it('locks the reset attempt at the account lockout step', async () => {
    await harnessWith({ wrongCodesPerAccountLockout: 3 });
    const known = await startReset('casey@clinic.example');
    const unknown = await startReset('nobody@clinic.example');
    const code = await waitForResetCode(harness, 1);

    const replies: LightMyRequestResponse[] = [];
    const unknownReplies: LightMyRequestResponse[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      replies.push(await verifyReset(harness.app, known.challengeToken, wrongCodeFor(code)));
      unknownReplies.push(await verifyReset(harness.app, unknown.challengeToken, wrongCodeFor(code)));
    }

    expect(replies.map((reply) => errorCode(reply))).toEqual(['OTP_CODE_INVALID', 'OTP_CODE_INVALID', 'OTP_CHALLENGE_LOCKED']);
    expect(replies.map(attemptsLeft)).toEqual([2, 1, 0]);
    expect(unknownReplies.map((reply) => errorCode(reply))).toEqual(replies.map((reply) => errorCode(reply)));
    expect(unknownReplies.map(attemptsLeft)).toEqual([2, 1, 0]);
    expect(errorCode(await submitPassword(harness.app))).toBe('AUTH_ACCOUNT_LOCKED');
  });

  it('answers an unknown address with the same limits', async () => {
    await harnessWith({ resendCooldownSeconds: 90, codeSendsPerHour: 2, wrongCodesPerChallenge: 3 });
    const known = await startReset('casey@clinic.example');
    const unknown = await startReset('nobody@clinic.example');
    await waitForResetCode(harness, 1);

    const replies = { known: [] as LightMyRequestResponse[], unknown: [] as LightMyRequestResponse[] };
    for (const [name, attempt] of [['known', known], ['unknown', unknown]] as const) {
      replies[name].push(await resendReset(harness.app, attempt.challengeToken));
      for (let wrong = 0; wrong < 3; wrong += 1) {
        replies[name].push(await verifyReset(harness.app, attempt.challengeToken, '000000'));
      }
    }
    harness.clock.advance(seconds(90));
    for (const [name, attempt] of [['known', known], ['unknown', unknown]] as const) {
      replies[name].push(await resendReset(harness.app, attempt.challengeToken));
    }
    harness.clock.advance(seconds(90));
    for (const [name, attempt] of [['known', known], ['unknown', unknown]] as const) {
      replies[name].push(await resendReset(harness.app, attempt.challengeToken));
    }

    const summarize = (reply: LightMyRequestResponse) => ({ status: reply.statusCode, code: errorCode(reply), retryAfter: retryAfter(reply), attemptsLeft: attemptsLeft(reply) });
    expect(known.reply.json()).toMatchObject({ resendAvailableAt: (unknown.reply.json() as { resendAvailableAt: string }).resendAvailableAt });
    expect(replies.known.map(summarize)).toEqual(replies.unknown.map(summarize));
    expect(replies.known.map((reply) => errorCode(reply))).toEqual([
      'OTP_RESEND_COOLDOWN',
      'OTP_CODE_INVALID',
      'OTP_CODE_INVALID',
      'OTP_CHALLENGE_LOCKED',
      undefined,
      'OTP_SEND_LIMIT_REACHED',
    ]);
  });

  it('uses the strictest practice on the server for every address', async () => {
    harness = await createHarness();
    createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now(), resendCooldownSeconds: 150, failedPasswordsPerAccount: 4 });

    const known = await startReset('casey@clinic.example');
    const unknown = await startReset('nobody@clinic.example');
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await submitPassword(harness.app, { password: `wrong password ${attempt}` });
    }
    const afterFourFailures = await submitPassword(harness.app);

    const expected = new Date(harness.clock.now() + seconds(150)).toISOString();
    expect(known.reply.json()).toMatchObject({ resendAvailableAt: expected });
    expect(unknown.reply.json()).toMatchObject({ resendAvailableAt: expected });
    expect(errorCode(afterFourFailures)).toBe('RATE_LIMITED');
  });
});

describe('stricter contact change code limits', () => {
  it('applies the cooldown and wrong-code limit', async () => {
    await harnessWith({ resendCooldownSeconds: 60, wrongCodesPerChallenge: 2 });
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const token = (((await verifyCode(harness.app, challengeToken, code)).json()) as { session: { token: string } }).session.token;
    const post = (url: string, payload: object) =>
      harness.app.inject({ method: 'POST', url, payload, headers: { ...sessionHeaders(token), 'content-type': 'application/json' } });

    const started = await post('/api/v1/profile/contact', { channel: 'sms', value: '+15035550142', currentPassword: clinicianPassword });
    const changeCode = harness.sms.lastCode();
    harness.clock.advance(seconds(45));
    const early = await post('/api/v1/profile/contact', { channel: 'sms', value: '+15035550142', currentPassword: clinicianPassword });
    const first = await post('/api/v1/profile/contact/verify', { channel: 'sms', code: wrongCodeFor(changeCode) });
    const second = await post('/api/v1/profile/contact/verify', { channel: 'sms', code: wrongCodeFor(changeCode) });
    const right = await post('/api/v1/profile/contact/verify', { channel: 'sms', code: changeCode });

    expect(started.json()).toMatchObject({ resendAvailableAt: new Date(harness.clock.now() - seconds(45) + seconds(60)).toISOString() });
    expect(errorCode(early)).toBe('OTP_RESEND_COOLDOWN');
    expect(retryAfter(early)).toBe(15);
    expect(attemptsLeft(first)).toBe(1);
    expect(errorCode(second)).toBe('OTP_CHALLENGE_LOCKED');
    expect(errorCode(right)).toBe('OTP_CHALLENGE_LOCKED');
  });
});

describe('code limit settings', () => {
  it('lists each limit with its range', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin();

    const read = await harness.app.inject({ method: 'GET', url: '/api/v1/admin/practice/settings', headers: sessionHeaders(adminToken) });

    expect((read.json() as { settings: object }).settings).toMatchObject({
      resend_cooldown_seconds: { value: 30, min: 30, max: 300 },
      code_sends_per_hour: { value: 5, min: 1, max: 5 },
      wrong_codes_per_challenge: { value: 5, min: 1, max: 5 },
      wrong_codes_per_account_lockout: { value: 10, min: 3, max: 10 },
      failed_passwords_per_account: { value: 10, min: 3, max: 10 },
    });
  });

  it.each([
    ['resend_cooldown_seconds', 29, 'resend_cooldown_seconds: expected a whole number from 30 to 300, got "29". 29 is looser than the safe floor of 30'],
    ['code_sends_per_hour', 6, 'code_sends_per_hour: expected a whole number from 1 to 5, got "6". 6 is looser than the safe floor of 5'],
    ['wrong_codes_per_challenge', 6, 'wrong_codes_per_challenge: expected a whole number from 1 to 5, got "6". 6 is looser than the safe floor of 5'],
    ['wrong_codes_per_account_lockout', 11, 'wrong_codes_per_account_lockout: expected a whole number from 3 to 10, got "11". 11 is looser than the safe floor of 10'],
    ['failed_passwords_per_account', 100, 'failed_passwords_per_account: expected a whole number from 3 to 10, got "100". 100 is looser than the safe floor of 10'],
  ])('rejects a looser %s = %s', async (setting, value, problem) => {
    harness = await createHarness();
    const adminToken = await signInAdmin();

    const response = await putSetting(harness.app, adminToken, setting, value);

    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    expect(problemOf(response)).toContain(problem);
    const count = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'settings.changed'").get() as { count: number };
    expect(count.count).toBe(0);
  });

  it('explains the strict end of a range', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin();

    const response = await putSetting(harness.app, adminToken, 'failed_passwords_per_account', 2);

    expect(response.statusCode).toBe(400);
    expect(problemOf(response)).toContain('Below 3 is not allowed');
  });

  it('audits a change with old and new value', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin();

    const response = await putSetting(harness.app, adminToken, 'resend_cooldown_seconds', 45);

    expect(response.json()).toEqual({ setting: 'resend_cooldown_seconds', oldValue: 30, newValue: 45, sessionsEnded: 0 });
    const row = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'settings.changed'").get() as { details: string };
    expect(JSON.parse(row.details)).toMatchObject({ setting: 'resend_cooldown_seconds', oldValue: 30, newValue: 45, changedBy: 'Dana.Admin', via: 'settings_pane' });
  });

  it('applies a change on a second instance at once', async () => {
    harness = await createHarness();
    secondInstance = await createHarness({ sharedWith: harness });
    const adminToken = await signInAdmin();

    await putSetting(harness.app, adminToken, 'wrong_codes_per_challenge', 2);
    await putSetting(harness.app, adminToken, 'resend_cooldown_seconds', 120);
    const challengeToken = await startChallenge(secondInstance.app);
    const sent = await sendCode(secondInstance.app, challengeToken);
    const code = secondInstance.email.lastCode();
    await verifyCode(secondInstance.app, challengeToken, wrongCodeFor(code));
    const second = await verifyCode(secondInstance.app, challengeToken, wrongCodeFor(code));
    harness.clock.advance(seconds(60));
    const resend = await sendCode(secondInstance.app, challengeToken);

    expect(attemptsLeft(sent)).toBe(2);
    expect(errorCode(second)).toBe('OTP_CHALLENGE_LOCKED');
    expect(errorCode(resend)).toBe('OTP_RESEND_COOLDOWN');
    expect(retryAfter(resend)).toBe(60);
  });

  it('keeps a looser value out of the database', async () => {
    harness = await createHarness();

    const write = () => harness.db.prepare('UPDATE practices SET code_sends_per_hour = 6 WHERE id = ?').run(harness.practice.id);

    expect(write).toThrow(/CHECK constraint failed/);
  });
});

describe('set-practice-setting command with code limits', () => {
  let dataDir: string | undefined;

  afterEach(() => {
    if (dataDir !== undefined) {
      rmSync(dataDir, { recursive: true, force: true });
    }
    dataDir = undefined;
  });

  function runSetPracticeSetting(configPath: string, setting: string, value: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const args = [path.resolve('server/src/cli.ts'), 'set-practice-setting', '--practice', 'Lakeside Naturopathy', '--setting', setting, '--value', value, '--config', configPath];
    return new Promise((resolve) => {
      const child = spawn(path.resolve('node_modules/.bin/tsx'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('rejects a looser value and audits a stricter one', async () => {
    dataDir = makeTempDir();
    const configPath = path.join(dataDir, 'config.json');
    writeFileSync(configPath, JSON.stringify({ dataDir, argon2: { memoryKiB: 256, timeCost: 1, allowWeakForTests: true } }));
    const setupDb = openDatabase(databasePath(dataDir));
    createPractice(setupDb, { name: 'Lakeside Naturopathy', createdAt: Date.now() });
    setupDb.close();

    const looser = await runSetPracticeSetting(configPath, 'wrong_codes_per_challenge', '6');
    const stricter = await runSetPracticeSetting(configPath, 'wrong_codes_per_challenge', '3');

    expect(looser.code).toBe(1);
    expect(looser.stderr).toContain('wrong_codes_per_challenge: expected a whole number from 1 to 5, got "6". 6 is looser than the safe floor of 5');
    expect(stricter.code).toBe(0);
    expect(stricter.stdout).toBe('Changed wrong_codes_per_challenge from 5 to 3.\n');
    const db = openDatabase(databasePath(dataDir));
    const practice = db.prepare('SELECT wrong_codes_per_challenge AS value FROM practices').get();
    const audit = db.prepare("SELECT details FROM audit_events WHERE event = 'settings.changed'").all() as Array<{ details: string }>;
    db.close();
    expect(practice).toEqual({ value: 3 });
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.details)).toMatchObject({ setting: 'wrong_codes_per_challenge', oldValue: 5, newValue: 3, via: 'server_command' });
  });
});
