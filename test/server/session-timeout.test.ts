import { afterEach, describe, expect, it } from 'vitest';
import type { SessionInfo } from '../../electron/shared/api';
import { sweepExpiredSessions } from '../../server/src/auth/session-sweep';
import { runImmediate } from '../../server/src/db/database';
import { updatePracticeSettings } from '../../server/src/practices/practice-repository';
import { createHarness, errorCode, hours, minutes, seconds, sessionHeaders, startChallengeWithCode, verifyCode, type Harness } from './support/harness';

describe('automatic access time-out', () => {
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

  function auditRows(event: string): Array<{ reason: string | null; user_id: string | null; details: string }> {
    return harness.db.prepare('SELECT reason, user_id, details FROM audit_events WHERE event = ?').all(event) as Array<{
      reason: string | null;
      user_id: string | null;
      details: string;
    }>;
  }

  it("reports the practice's idle time-out in the session", async () => {
    harness = await createHarness({ practiceSettings: { idleTimeoutMinutes: 7 } });
    const token = await signIn();

    const response = await getSession(token);

    expect((response.json() as SessionInfo).idleTimeoutMinutes).toBe(7);
  });

  it('ends the session after a one-minute idle setting', async () => {
    harness = await createHarness();
    runImmediate(harness.db, () => updatePracticeSettings(harness.db, harness.practice.id, { idleTimeoutMinutes: 1 }));
    const token = await signIn();
    harness.clock.advance(seconds(59));
    const beforeLimit = await getSession(token, { 'x-clinicgate-background': '1' });
    harness.clock.advance(seconds(1));

    const atLimit = await getSession(token);

    expect(beforeLimit.statusCode).toBe(200);
    expect(errorCode(atLimit)).toBe('SESSION_EXPIRED');
    expect(auditRows('session.timed_out').map((row) => row.reason)).toEqual(['idle_timeout']);
  });

  it('keeps ending an idle session however often the app polls', async () => {
    harness = await createHarness();
    const token = await signIn();
    for (let elapsed = 0; elapsed < minutes(15) - seconds(30); elapsed += seconds(30)) {
      harness.clock.advance(seconds(30));
      expect((await getSession(token, { 'x-clinicgate-background': '1' })).statusCode).toBe(200);
    }
    harness.clock.advance(seconds(30));

    const response = await getSession(token, { 'x-clinicgate-background': '1' });

    expect(errorCode(response)).toBe('SESSION_EXPIRED');
    expect(auditRows('session.timed_out')).toHaveLength(1);
  });

  it('audits the app lock as a time-out', async () => {
    harness = await createHarness();
    const token = await signIn();

    const locked = await harness.app.inject({ method: 'POST', url: '/api/v1/session/timeout', headers: sessionHeaders(token) });
    const after = await getSession(token);

    expect(locked.statusCode).toBe(204);
    expect(errorCode(after)).toBe('SESSION_EXPIRED');
    const rows = auditRows('session.timed_out');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ reason: 'client_idle_lock', user_id: harness.clinician.id });
    expect(JSON.parse(rows[0]?.details ?? '{}')).toEqual({ idleTimeoutMinutes: 15 });
  });

  it('audits a late app lock only once', async () => {
    harness = await createHarness();
    const token = await signIn();
    harness.clock.advance(minutes(15));

    const locked = await harness.app.inject({ method: 'POST', url: '/api/v1/session/timeout', headers: sessionHeaders(token) });

    expect(errorCode(locked)).toBe('SESSION_EXPIRED');
    expect(auditRows('session.timed_out').map((row) => row.reason)).toEqual(['idle_timeout']);
  });

  it('audits an idle session that no request comes back to', async () => {
    harness = await createHarness();
    await signIn();
    harness.clock.advance(minutes(15) - 1);
    const early = sweepExpiredSessions(harness.db, harness.clock.now());
    harness.clock.advance(1);

    const ended = sweepExpiredSessions(harness.db, harness.clock.now());
    const again = sweepExpiredSessions(harness.db, harness.clock.now());

    expect(early).toBe(0);
    expect(ended).toBe(1);
    expect(again).toBe(0);
    const rows = auditRows('session.timed_out');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.reason).toBe('idle_timeout');
    expect(JSON.parse(rows[0]?.details ?? '{}')).toMatchObject({ detectedBy: 'server_sweep' });
  });

  it('audits the absolute lifetime when it comes before the idle limit', async () => {
    harness = await createHarness({ practiceSettings: { absoluteTimeoutMinutes: 10 } });
    const token = await signIn();
    harness.clock.advance(minutes(10));

    sweepExpiredSessions(harness.db, harness.clock.now());
    const after = await getSession(token);

    expect(auditRows('session.expired').map((row) => row.reason)).toEqual(['absolute_timeout']);
    expect(auditRows('session.timed_out')).toEqual([]);
    expect(errorCode(after)).toBe('SESSION_EXPIRED');
  });

  it('leaves active sessions open', async () => {
    harness = await createHarness();
    const token = await signIn();
    for (let elapsed = 0; elapsed < hours(1); elapsed += minutes(10)) {
      harness.clock.advance(minutes(10));
      await getSession(token);

      expect(sweepExpiredSessions(harness.db, harness.clock.now())).toBe(0);
    }
  });
});
