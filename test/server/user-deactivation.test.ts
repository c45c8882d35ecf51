import { afterEach, describe, expect, it } from 'vitest';
import { callAsUser, signInPracticeAdmin, signInWithEmailCode } from './support/admin-steps';
import { clinicianPassword, createHarness, errorCode, otherWorkstation, submitPassword, type Harness } from './support/harness';

describe('user deactivation', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  function userAction(adminToken: string, action: 'deactivate' | 'reactivate' | 'revoke-sessions') {
    return callAsUser(harness, adminToken, { method: 'POST', url: `/api/v1/admin/users/${harness.clinician.id}/${action}` });
  }

  async function rememberClinicianWorkstation(): Promise<{ token: string; deviceTrustToken: string }> {
    const signedIn = await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword, rememberDevice: true });
    if (signedIn.deviceTrustToken === null) {
      throw new Error('expected the workstation to be remembered');
    }
    return { token: signedIn.token, deviceTrustToken: signedIn.deviceTrustToken };
  }

  it('requires a code after reactivation on a remembered workstation', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    const { deviceTrustToken } = await rememberClinicianWorkstation();

    await userAction(adminToken, 'deactivate');
    await userAction(adminToken, 'reactivate');
    const next = await submitPassword(harness.app, { deviceTrustToken });

    expect(next.statusCode).toBe(200);
    expect(next.json()).toMatchObject({ status: 'mfa_required', challenge: { reason: 'new_workstation' } });
  });

  it('revokes every remembered workstation', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await rememberClinicianWorkstation();
    await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword, rememberDevice: true, deviceFingerprint: otherWorkstation });

    const response = await userAction(adminToken, 'deactivate');

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user: { status: 'deactivated' }, sessionsEnded: 2 });
    const activeTrusts = harness.db.prepare('SELECT COUNT(*) AS count FROM device_trusts WHERE user_id = ? AND revoked_at IS NULL').get(harness.clinician.id) as {
      count: number;
    };
    expect(activeTrusts.count).toBe(0);
  });

  it('audits each revoked workstation under the user', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await rememberClinicianWorkstation();
    const trust = harness.db.prepare('SELECT id FROM device_trusts WHERE user_id = ?').get(harness.clinician.id) as { id: string };
    const admin = harness.db.prepare("SELECT id FROM users WHERE username = 'Dana.Admin'").get() as { id: string };

    await userAction(adminToken, 'deactivate');

    const revoked = harness.db.prepare("SELECT user_id, reason, details FROM audit_events WHERE event = 'device.revoked'").all() as Array<{
      user_id: string;
      reason: string;
      details: string;
    }>;
    expect(revoked).toHaveLength(1);
    expect(revoked[0]?.user_id).toBe(harness.clinician.id);
    expect(revoked[0]?.reason).toBe('user_deactivated');
    expect(JSON.parse(revoked[0]?.details ?? '{}')).toMatchObject({ deviceTrustId: trust.id, actorUserId: admin.id, actorUsername: 'Dana.Admin' });
    const changed = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'user.changed' AND reason = 'deactivate'").get() as { details: string };
    expect(JSON.parse(changed.details)).toMatchObject({ devicesRevoked: 1, sessionsEnded: 1, targetUsername: 'Casey.Clinician' });
  });

  it('tells the signed-out user why', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    const { token } = await rememberClinicianWorkstation();

    await userAction(adminToken, 'deactivate');
    const check = await callAsUser(harness, token, { method: 'GET', url: '/api/v1/session' });

    expect(check.statusCode).toBe(401);
    expect(errorCode(check)).toBe('SESSION_ACCOUNT_DEACTIVATED');
  });

  it('keeps the reason for ended sessions', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    const { token, deviceTrustToken } = await rememberClinicianWorkstation();

    const response = await userAction(adminToken, 'revoke-sessions');
    const check = await callAsUser(harness, token, { method: 'GET', url: '/api/v1/session' });
    const next = await submitPassword(harness.app, { deviceTrustToken });

    expect(response.json()).toMatchObject({ sessionsEnded: 1 });
    expect(errorCode(check)).toBe('SESSION_REVOKED_BY_ADMIN');
    expect(next.json()).toMatchObject({ status: 'mfa_required' });
    const revoked = harness.db.prepare("SELECT reason, details FROM audit_events WHERE event = 'device.revoked'").get() as { reason: string; details: string };
    expect(revoked.reason).toBe('practice_admin');
    expect(JSON.parse(revoked.details)).toMatchObject({ actorUsername: 'Dana.Admin' });
  });
});
