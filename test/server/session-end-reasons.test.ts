import { afterEach, describe, expect, it } from 'vitest';
import { callAsUser, signInWithEmailCode } from './support/admin-steps';
import { clinicianPassword, createHarness, errorCode, otherWorkstation, type Harness } from './support/harness';

describe('session end reasons', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  function checkSession(token: string, deviceFingerprint?: string) {
    return callAsUser(harness, token, { method: 'GET', url: '/api/v1/session', deviceFingerprint });
  }

  it('tells other workstations about sign out everywhere', async () => {
    harness = await createHarness();
    const front = await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword });
    const back = await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword, deviceFingerprint: otherWorkstation });

    const ended = await callAsUser(harness, front.token, { method: 'POST', url: '/api/v1/profile/sessions/sign-out-everywhere' });
    const backCheck = await checkSession(back.token, otherWorkstation);

    expect(ended.json()).toEqual({ sessionsEnded: 2 });
    expect(backCheck.statusCode).toBe(401);
    expect(errorCode(backCheck)).toBe('SESSION_SIGNED_OUT_EVERYWHERE');
  });

  it('ends the requesting session as a logout', async () => {
    harness = await createHarness();
    const front = await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword });

    await callAsUser(harness, front.token, { method: 'POST', url: '/api/v1/profile/sessions/sign-out-everywhere' });
    const frontCheck = await checkSession(front.token);

    expect(errorCode(frontCheck)).toBe('SESSION_INVALID');
    const reasons = harness.db.prepare('SELECT end_reason FROM sessions WHERE user_id = ?').all(harness.clinician.id);
    expect(reasons).toEqual([{ end_reason: 'logout' }]);
  });

  it('keeps the open-session index after the rebuild', async () => {
    harness = await createHarness();

    const indexes = harness.db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sessions' AND sql IS NOT NULL ORDER BY name").all();

    expect(indexes).toEqual([{ name: 'sessions_open' }, { name: 'sessions_user' }]);
  });

  it('reveals nothing for an unknown token', async () => {
    harness = await createHarness();

    const check = await checkSession('x'.repeat(43));

    expect(check.statusCode).toBe(401);
    expect(errorCode(check)).toBe('SESSION_INVALID');
  });
});
