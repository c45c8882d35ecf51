import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { clinicianPassword, createHarness, errorCode, postJson, sendCode, sessionHeaders, startChallenge, verifyCode, workstation, wrongCodeFor, type Harness } from './support/harness';
import { completeReset, requestReset, verifyReset, waitForResetCode } from './support/password-reset-steps';

const newPassword = 'violet harbor lantern 58';
const changedPassword = 'amber meadow kettle 93';

class LineCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }
}

let harness: Harness;

afterEach(async () => {
  await harness?.close();
});

/** Runs a reset with one wrong code, then a change while signed in; returns every secret seen. */
async function runResetAndChange(): Promise<string[]> {
  const { challengeToken } = (await requestReset(harness.app, 'casey@clinic.example')).json() as { challengeToken: string };
  const unknown = (await requestReset(harness.app, 'nobody@clinic.example')).json() as { challengeToken: string };
  const code = await waitForResetCode(harness, 1);
  await verifyReset(harness.app, challengeToken, wrongCodeFor(code));
  const { resetToken } = (await verifyReset(harness.app, challengeToken, code)).json() as { resetToken: string };
  await completeReset(harness.app, challengeToken, resetToken, 'password1234');
  await completeReset(harness.app, challengeToken, resetToken, newPassword);
  await harness.email.waitForNotices(1);
  const signInChallenge = await startChallenge(harness.app, { password: newPassword });
  await sendCode(harness.app, signInChallenge);
  const { session } = (await verifyCode(harness.app, signInChallenge, harness.email.lastCode())).json() as { session: { token: string } };
  await postJson(harness.app, '/api/v1/account/password', { currentPassword: newPassword, newPassword: changedPassword }, sessionHeaders(session.token));
  return [clinicianPassword, newPassword, changedPassword, 'password1234', code, challengeToken, unknown.challengeToken, resetToken, session.token];
}

describe('password reset secrets', () => {
  it('keeps passwords, codes and tokens out of logs', async () => {
    const capture = new LineCapture();
    harness = await createHarness({ logLevel: 'trace', logStream: capture });

    const secrets = await runResetAndChange();

    const logText = capture.lines.join('');
    expect(logText).toContain('password reset completed');
    for (const secret of secrets) {
      expect(logText).not.toContain(secret);
    }
    expect(logText).not.toContain('casey@clinic.example');
  });

  it('keeps secrets and full addresses out of audit rows and tables', async () => {
    harness = await createHarness();

    const secrets = await runResetAndChange();

    const tables = ['audit_events', 'otp_challenges', 'password_reset_tokens', 'password_reset_decoys', 'users', 'sessions'];
    const dump = tables.map((table) => JSON.stringify(harness.db.prepare(`SELECT * FROM ${table}`).all())).join('\n');
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
    }
    const auditText = JSON.stringify(harness.db.prepare('SELECT * FROM audit_events').all());
    expect(auditText).not.toContain('casey@clinic.example');
    expect(auditText).not.toContain('nobody@clinic.example');
  });
});

describe('password reset input', () => {
  it.each([
    ['a line break in the email', { email: 'casey@clinic.example\r\nBcc: x@y.example', deviceFingerprint: workstation }],
    ['a missing fingerprint', { email: 'casey@clinic.example' }],
    ['an unknown field', { email: 'casey@clinic.example', deviceFingerprint: workstation, isAdmin: true }],
    ['an email over 254 characters', { email: `${'a'.repeat(250)}@clinic.example`, deviceFingerprint: workstation }],
  ])('rejects %s with 400', async (_name, payload) => {
    harness = await createHarness();

    const response = await postJson(harness.app, '/api/v1/auth/password-reset/request', payload);

    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it('rejects a new password over 1024 characters before hashing', async () => {
    harness = await createHarness();

    const response = await completeReset(harness.app, 'A'.repeat(43), 'B'.repeat(43), 'x'.repeat(1025));

    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it('answers an unknown reset token without a server error', async () => {
    harness = await createHarness();

    const response = await completeReset(harness.app, 'A'.repeat(43), 'B'.repeat(43), newPassword);

    expect(errorCode(response)).toBe('PASSWORD_RESET_TOKEN_INVALID');
  });

  it('counts reset requests toward the per-IP sign-in limit', async () => {
    harness = await createHarness({ configure: (config) => void (config.rateLimits.perIpPerMinute = 3) });

    const replies = [];
    for (let request = 1; request <= 4; request += 1) {
      replies.push(await requestReset(harness.app, `person${request}@clinic.example`));
    }

    expect(replies.slice(0, 3).every((reply) => reply.statusCode === 202)).toBe(true);
    expect(errorCode(replies[3]!)).toBe('RATE_LIMITED');
  });
});
