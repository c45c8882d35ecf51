import type { LightMyRequestResponse } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser, type User } from '../../server/src/users/user-repository';
import { createHarness, errorCode, hours, otherWorkstation, sessionHeaders, workstation, type Harness } from './support/harness';
import { signInFrom } from './support/remote-sign-in';

const clinic = { remoteAddress: '192.168.1.20' };
const adminPassword = 'admin password for tests';

let harness: Harness;

afterEach(async () => {
  await harness?.close();
});

interface DeviceBody {
  devices: Array<{ id: string; name: string; label: string | null; hostname: string | null; lastLocation: string | null; isCurrentDevice: boolean; expiresAt: string }>;
}

async function addUser(practiceId: string, username: string, role: User['role']): Promise<User> {
  const hasher = await createPasswordHasher(harness.config.argon2);
  return createUser(harness.db, {
    practiceId,
    username,
    displayName: username,
    email: `${username}@clinic.example`,
    mobile: null,
    role,
    passwordHash: await hasher.hashPassword(adminPassword),
    preferredChannel: 'email',
    createdAt: harness.clock.now(),
  });
}

function listDevices(token: string, fingerprint = workstation): Promise<LightMyRequestResponse> {
  return harness.app.inject({ method: 'GET', url: '/api/v1/devices', headers: sessionHeaders(token, fingerprint) });
}

function revokeDevice(token: string, deviceId: string, fingerprint = workstation): Promise<LightMyRequestResponse> {
  return harness.app.inject({ method: 'DELETE', url: `/api/v1/devices/${deviceId}`, headers: sessionHeaders(token, fingerprint) });
}

async function rememberTwoWorkstations(): Promise<{ token: string; otherToken: string; trustToken: string; otherTrustToken: string }> {
  const atClinic = await signInFrom(harness, clinic, { rememberDevice: true });
  const inLondon = await signInFrom(harness, { remoteAddress: '81.2.69.142' }, { rememberDevice: true, deviceFingerprint: otherWorkstation });
  return {
    token: atClinic.sessionToken!,
    otherToken: inLondon.sessionToken!,
    trustToken: atClinic.deviceTrustToken!,
    otherTrustToken: inLondon.deviceTrustToken!,
  };
}

describe('trusted workstations of the signed-in user', () => {
  it('lists remembered workstations with last location', async () => {
    harness = await createHarness();
    const { token } = await rememberTwoWorkstations();

    const response = await listDevices(token);

    expect(response.statusCode).toBe(200);
    const { devices } = response.json() as DeviceBody;
    expect(devices).toHaveLength(2);
    const current = devices.find((device) => device.isCurrentDevice);
    const other = devices.find((device) => !device.isCurrentDevice);
    expect(current).toMatchObject({ name: 'Exam room 2', hostname: 'Exam room 2', lastLocation: 'Local network' });
    expect(other).toMatchObject({ lastLocation: 'London, England, United Kingdom' });
    expect(current?.expiresAt).toBe(new Date(harness.clock.now() + hours(24 * 30)).toISOString());
  });

  it('renames a workstation with a label', async () => {
    harness = await createHarness();
    const { token } = await rememberTwoWorkstations();
    const [device] = (((await listDevices(token)).json()) as DeviceBody).devices;

    const response = await harness.app.inject({
      method: 'PATCH',
      url: `/api/v1/devices/${device!.id}`,
      headers: { ...sessionHeaders(token), 'content-type': 'application/json' },
      payload: { label: 'Home laptop' },
    });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'Home laptop', label: 'Home laptop', hostname: 'Exam room 2' });
  });

  it('revokes a workstation, ends its sessions and asks it for a code', async () => {
    harness = await createHarness();
    const { token, otherToken, otherTrustToken } = await rememberTwoWorkstations();
    const other = ((await listDevices(token)).json() as DeviceBody).devices.find((device) => !device.isCurrentDevice);

    const response = await revokeDevice(token, other!.id);

    expect(response.json()).toEqual({ sessionsEnded: 1, wasCurrentDevice: false });
    const otherSession = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(otherToken, otherWorkstation) });
    expect(errorCode(otherSession)).toBe('SESSION_INVALID');
    const ownSession = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(token) });
    expect(ownSession.statusCode).toBe(200);
    const again = await signInFrom(harness, clinic, { deviceFingerprint: otherWorkstation, deviceTrustToken: otherTrustToken });
    expect(again).toMatchObject({ status: 'mfa_required', reason: 'new_workstation' });
    const audit = harness.db.prepare("SELECT event, reason FROM audit_events WHERE event IN ('device.revoked', 'session.revoked')").all();
    expect(audit).toEqual([
      { event: 'device.revoked', reason: 'owner' },
      { event: 'session.revoked', reason: 'device_revoked' },
    ]);
  });

  it('ends the current session when revoking this workstation', async () => {
    harness = await createHarness();
    const { token } = await rememberTwoWorkstations();
    const current = ((await listDevices(token)).json() as DeviceBody).devices.find((device) => device.isCurrentDevice);

    const response = await revokeDevice(token, current!.id);

    expect(response.json()).toEqual({ sessionsEnded: 1, wasCurrentDevice: true });
    expect(errorCode(await listDevices(token))).toBe('SESSION_INVALID');
  });

  it('asks an expired workstation for a code', async () => {
    harness = await createHarness({ practiceSettings: { deviceTrustDays: 1 } });
    const { trustToken } = await rememberTwoWorkstations();
    harness.clock.advance(hours(24));

    const result = await signInFrom(harness, clinic, { deviceTrustToken: trustToken });

    expect(result).toMatchObject({ status: 'mfa_required', reason: 'new_workstation' });
  });

  it('hides expired and revoked workstations', async () => {
    harness = await createHarness({ practiceSettings: { deviceTrustDays: 1 } });
    const { token } = await rememberTwoWorkstations();
    const other = ((await listDevices(token)).json() as DeviceBody).devices.find((device) => !device.isCurrentDevice);
    await revokeDevice(token, other!.id);
    harness.clock.advance(hours(23));
    const fresh = await signInFrom(harness, clinic, { rememberDevice: true, deviceFingerprint: 'c'.repeat(64) });
    harness.clock.advance(hours(2));
    const later = await signInFrom(harness, clinic, { deviceFingerprint: 'c'.repeat(64), deviceTrustToken: fresh.deviceTrustToken! });

    const response = await listDevices(later.sessionToken!, 'c'.repeat(64));

    expect(later.status).toBe('signed_in');
    expect((response.json() as DeviceBody).devices.map((device) => device.isCurrentDevice)).toEqual([true]);
  });

  it("reports another user's workstation as not found", async () => {
    harness = await createHarness();
    const { token } = await rememberTwoWorkstations();
    const colleague = await addUser(harness.practice.id, 'robin.frontdesk', 'front_desk');
    const colleagueSignIn = await signInFrom(harness, clinic, { username: 'robin.frontdesk', password: adminPassword, rememberDevice: true, deviceFingerprint: 'd'.repeat(64) });
    const colleagueDevice = ((await listDevices(colleagueSignIn.sessionToken!, 'd'.repeat(64))).json() as DeviceBody).devices[0];

    const response = await revokeDevice(token, colleagueDevice!.id);

    expect(response.statusCode).toBe(404);
    expect(errorCode(response)).toBe('DEVICE_NOT_FOUND');
    expect(colleague.id).toBeDefined();
  });

  it('rejects requests without a session', async () => {
    harness = await createHarness();

    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/devices' });

    expect(errorCode(response)).toBe('SESSION_INVALID');
  });
});

describe('trusted workstations for practice administrators', () => {
  it('lets an admin list and revoke a user workstation', async () => {
    harness = await createHarness();
    const { otherToken } = await rememberTwoWorkstations();
    await addUser(harness.practice.id, 'jordan.admin', 'practice_admin');
    const admin = await signInFrom(harness, clinic, { username: 'jordan.admin', password: adminPassword, deviceFingerprint: 'e'.repeat(64) });
    const adminHeaders = sessionHeaders(admin.sessionToken!, 'e'.repeat(64));
    const listed = await harness.app.inject({ method: 'GET', url: `/api/v1/admin/users/${harness.clinician.id}/devices`, headers: adminHeaders });
    const target = (listed.json() as DeviceBody).devices.find((device) => device.lastLocation?.startsWith('London'));

    const response = await harness.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${harness.clinician.id}/devices/${target!.id}`, headers: adminHeaders });

    expect(response.json()).toEqual({ sessionsEnded: 1, wasCurrentDevice: false });
    const otherSession = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(otherToken, otherWorkstation) });
    expect(errorCode(otherSession)).toBe('SESSION_INVALID');
    const audit = harness.db.prepare("SELECT reason, details FROM audit_events WHERE event = 'device.revoked'").get() as { reason: string; details: string };
    expect(audit.reason).toBe('practice_admin');
  });

  it('forbids a user without the permission', async () => {
    harness = await createHarness();
    const { token } = await rememberTwoWorkstations();
    const device = ((await listDevices(token)).json() as DeviceBody).devices[0];

    const response = await harness.app.inject({
      method: 'DELETE',
      url: `/api/v1/admin/users/${harness.clinician.id}/devices/${device!.id}`,
      headers: sessionHeaders(token),
    });

    expect(response.statusCode).toBe(403);
    expect(errorCode(response)).toBe('AUTH_FORBIDDEN');
    expect(((await listDevices(token)).json() as DeviceBody).devices).toHaveLength(2);
  });

  it('hides users of another practice from an admin', async () => {
    harness = await createHarness();
    const { token } = await rememberTwoWorkstations();
    const device = ((await listDevices(token)).json() as DeviceBody).devices[0];
    const otherPractice = createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
    await addUser(otherPractice.id, 'sam.admin', 'practice_admin');
    const admin = await signInFrom(harness, clinic, { username: 'sam.admin', password: adminPassword, deviceFingerprint: 'f'.repeat(64) });
    const adminHeaders = sessionHeaders(admin.sessionToken!, 'f'.repeat(64));

    const listed = await harness.app.inject({ method: 'GET', url: `/api/v1/admin/users/${harness.clinician.id}/devices`, headers: adminHeaders });
    const revoked = await harness.app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${harness.clinician.id}/devices/${device!.id}`, headers: adminHeaders });

    expect(listed.statusCode).toBe(404);
    expect(revoked.statusCode).toBe(404);
    expect(errorCode(revoked)).toBe('DEVICE_NOT_FOUND');
    expect(((await listDevices(token)).json() as DeviceBody).devices).toHaveLength(2);
  });
});

describe('remembering a workstation again', () => {
  it('replaces the earlier trust and keeps its label', async () => {
    harness = await createHarness();
    const first = await signInFrom(harness, clinic, { rememberDevice: true });
    const [device] = ((await listDevices(first.sessionToken!)).json() as DeviceBody).devices;
    await harness.app.inject({
      method: 'PATCH',
      url: `/api/v1/devices/${device!.id}`,
      headers: { ...sessionHeaders(first.sessionToken!), 'content-type': 'application/json' },
      payload: { label: 'Front desk left' },
    });

    const again = await signInFrom(harness, { remoteAddress: '81.2.69.142' }, { rememberDevice: true, deviceTrustToken: first.deviceTrustToken! });

    const { devices } = (await listDevices(again.sessionToken!)).json() as DeviceBody;
    expect(again.reason).toBe('unusual_location');
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ name: 'Front desk left', lastLocation: 'London, England, United Kingdom' });
    const notices = await harness.email.waitForNotices(2);
    expect(notices.map((notice) => notice.kind)).toEqual(['workstation_remembered', 'unusual_location_sign_in']);
  });
});
