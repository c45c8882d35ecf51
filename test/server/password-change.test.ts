import { afterEach, describe, expect, it } from 'vitest';
import {
  clinicianPassword,
  createHarness,
  errorCode,
  postJson,
  sessionHeaders,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  type Harness,
} from './support/harness';

const newPassword = 'violet harbor lantern 58';

let harness: Harness;

afterEach(async () => {
  await harness?.close();
});

async function signIn(): Promise<string> {
  const { challengeToken, code } = await startChallengeWithCode(harness);
  const verified = await verifyCode(harness.app, challengeToken, code);
  return (verified.json() as { session: { token: string } }).session.token;
}

function changePassword(sessionToken: string, currentPassword: string, nextPassword: string) {
  return postJson(harness.app, '/api/v1/account/password', { currentPassword, newPassword: nextPassword }, sessionHeaders(sessionToken));
}

describe('password change while signed in', () => {
  it('changes the password and ends only the other sessions', async () => {
    harness = await createHarness();
    const current = await signIn();
    const other = await signIn();

    const response = await changePassword(current, clinicianPassword, newPassword);

    expect(response.json()).toEqual({ otherSessionsEnded: 1 });
    const currentSession = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(current) });
    const otherSession = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(other) });
    expect(currentSession.statusCode).toBe(200);
    expect(errorCode(otherSession)).toBe('SESSION_PASSWORD_CHANGED');
    expect((await submitPassword(harness.app, { password: newPassword })).statusCode).toBe(200);
    expect(errorCode(await submitPassword(harness.app))).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('asks for the right current password', async () => {
    harness = await createHarness();
    const session = await signIn();

    const response = await changePassword(session, 'not the current password', newPassword);

    expect(errorCode(response)).toBe('AUTH_CURRENT_PASSWORD_INVALID');
    expect(harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'password.change_rejected'").get()).toEqual({ reason: 'wrong_current_password' });
  });

  it('rate limits wrong current passwords with the sign-in limit', async () => {
    harness = await createHarness();
    const session = await signIn();
    for (let attempt = 1; attempt <= 10; attempt += 1) {
      await changePassword(session, `wrong current password ${attempt}`, newPassword);
    }

    const response = await changePassword(session, clinicianPassword, newPassword);

    expect(errorCode(response)).toBe('RATE_LIMITED');
  });

  it('applies the policy and says which rule failed', async () => {
    harness = await createHarness({ practiceSettings: { minPasswordLength: 16 } });
    const session = await signIn();

    const tooShort = await changePassword(session, clinicianPassword, 'fifteen chars!!');
    const common = await changePassword(session, clinicianPassword, 'iloveyou12345678');
    const personal = await changePassword(session, clinicianPassword, 'riverside acupuncture fan');

    expect(tooShort.json()).toMatchObject({ error: { code: 'PASSWORD_TOO_SHORT', minPasswordLength: 16 } });
    expect(errorCode(common)).toBe('PASSWORD_BLOCKLISTED');
    expect(errorCode(personal)).toBe('PASSWORD_CONTAINS_CONTEXT');
  });

  it('signs in with composed or decomposed accents alike', async () => {
    harness = await createHarness();
    const session = await signIn();
    const composed = 'cr\u00e8me br\u00fbl\u00e9e au caf\u00e9';
    const decomposed = composed.normalize('NFD');

    await changePassword(session, clinicianPassword, composed);

    expect(decomposed).not.toBe(composed);
    expect((await submitPassword(harness.app, { password: decomposed })).statusCode).toBe(200);
    expect((await submitPassword(harness.app, { password: composed })).statusCode).toBe(200);
  });

  it('emails a notice and audits the change', async () => {
    harness = await createHarness();
    const session = await signIn();

    await changePassword(session, clinicianPassword, newPassword);

    const notices = await harness.email.waitForNotices(1);
    expect(notices[0]).toMatchObject({ kind: 'password_changed', to: 'casey@clinic.example' });
    expect(harness.db.prepare("SELECT outcome FROM audit_events WHERE event = 'password.changed'").get()).toEqual({ outcome: 'success' });
  });

  it('requires a session', async () => {
    harness = await createHarness();

    const response = await postJson(harness.app, '/api/v1/account/password', { currentPassword: clinicianPassword, newPassword });

    expect(errorCode(response)).toBe('SESSION_INVALID');
  });
});
