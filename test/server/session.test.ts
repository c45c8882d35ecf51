import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../electron/shared/api';
import {
  createHarness,
  errorCode,
  hours,
  minutes,
  otherWorkstation,
  sessionHeaders,
  startChallengeWithCode,
  verifyCode,
  type Harness,
} from './support/harness';

describe('sessions', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  async function signIn(): Promise<string> {
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const verified = await verifyCode(harness.app, challengeToken, code);
    return (verified.json() as { session: { token: string } }).session.token;
  }

  function getSession(token: string, headers: Record<string, string> = {}) {
    return harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: { ...sessionHeaders(token), ...headers } });
  }

  function auditEvents(event: string): number {
    return (harness.db.prepare('SELECT COUNT(*) AS count FROM audit_events WHERE event = ?').get(event) as { count: number }).count;
  }

  it('describes the signed-in user with role permissions', async () => {
    harness = await createHarness();
    const token = await signIn();

    const response = await getSession(token);

    const info = response.json() as SessionInfo;
    expect(response.statusCode).toBe(200);
    expect(info.user).toMatchObject({ username: 'Casey.Clinician', displayName: 'Casey Clinician', role: 'clinician' });
    expect(info.user.permissions).toContain('charts:write');
    expect(info.practice.name).toBe('Riverside Acupuncture');
    expect(info.mfa).toBe(true);
    expect(info.idleExpiresAt).toBe(new Date(harness.clock.now() + minutes(15)).toISOString());
    expect(info.expiresAt).toBe(new Date(harness.clock.now() + hours(12)).toISOString());
  });

  it('stores only the SHA-256 of the session token', async () => {
    harness = await createHarness();
    const token = await signIn();

    const rows = harness.db.prepare('SELECT * FROM sessions').all();

    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('rejects the token from another workstation and audits it', async () => {
    harness = await createHarness();
    const token = await signIn();

    const response = await getSession(token, { 'x-clinicgate-device': otherWorkstation });

    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('SESSION_DEVICE_MISMATCH');
    expect(auditEvents('session.device_mismatch')).toBe(1);
  });

  it('rejects a request without the device header', async () => {
    harness = await createHarness();
    const token = await signIn();

    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: { authorization: `Bearer ${token}` } });

    expect(errorCode(response)).toBe('SESSION_INVALID');
  });

  it('times out after 15 idle minutes and audits it once', async () => {
    harness = await createHarness();
    const token = await signIn();
    harness.clock.advance(minutes(15));

    const first = await getSession(token);
    const second = await getSession(token);

    expect(errorCode(first)).toBe('SESSION_EXPIRED');
    expect(errorCode(second)).toBe('SESSION_EXPIRED');
    expect(auditEvents('session.timed_out')).toBe(1);
  });

  it('extends the idle window on activity', async () => {
    harness = await createHarness();
    const token = await signIn();
    harness.clock.advance(minutes(10));
    await getSession(token);
    harness.clock.advance(minutes(10));

    const response = await getSession(token);

    expect(response.statusCode).toBe(200);
  });

  it('does not extend the idle window for background requests', async () => {
    harness = await createHarness();
    const token = await signIn();
    harness.clock.advance(minutes(10));
    const background = await getSession(token, { 'x-clinicgate-background': '1' });
    harness.clock.advance(minutes(5));

    const response = await getSession(token);

    expect(background.statusCode).toBe(200);
    expect(errorCode(response)).toBe('SESSION_EXPIRED');
  });

  it('expires after the absolute lifetime despite activity', async () => {
    harness = await createHarness();
    const token = await signIn();
    for (let elapsed = 0; elapsed < hours(12) - minutes(10); elapsed += minutes(10)) {
      harness.clock.advance(minutes(10));
      expect((await getSession(token)).statusCode).toBe(200);
    }
    harness.clock.advance(minutes(10));

    const response = await getSession(token);

    expect(errorCode(response)).toBe('SESSION_EXPIRED');
    expect(auditEvents('session.expired')).toBe(1);
  });

  it('revokes the session on logout', async () => {
    harness = await createHarness();
    const token = await signIn();

    const logout = await harness.app.inject({ method: 'POST', url: '/api/v1/session/logout', headers: sessionHeaders(token) });
    const after = await getSession(token);

    expect(logout.statusCode).toBe(204);
    expect(errorCode(after)).toBe('SESSION_INVALID');
    expect(auditEvents('session.revoked')).toBe(1);
  });
});
