import { afterEach, describe, expect, it } from 'vitest';
import { replaceTrustedNetworks } from '../../server/src/risk/access-pattern';
import { parseIpNetwork, type IpNetwork } from '../../server/src/network/ip-address';
import { createHarness, errorCode, hours, minutes, sessionHeaders, type Harness } from './support/harness';
import { signInFrom } from './support/remote-sign-in';

const proxyAddress = '10.0.0.5';
const clinicPublicIp = '203.0.113.40';
const londonIp = '81.2.69.142';
const mountainViewIp = '8.8.8.8';
const days = (count: number): number => count * hours(24);

let harness: Harness;

afterEach(async () => {
  await harness?.close();
});

async function rememberWorkstation(remoteAddress = '192.168.1.20'): Promise<string> {
  const first = await signInFrom(harness, { remoteAddress }, { rememberDevice: true });
  if (first.deviceTrustToken === undefined) {
    throw new Error('expected a device-trust token');
  }
  return first.deviceTrustToken;
}

function auditRows(event: string): Array<{ ip: string | null; reason: string | null; details: Record<string, unknown> }> {
  const rows = harness.db.prepare('SELECT ip, reason, details FROM audit_events WHERE event = ? ORDER BY id').all(event) as Array<{
    ip: string | null;
    reason: string | null;
    details: string;
  }>;
  return rows.map((row) => ({ ...row, details: JSON.parse(row.details) as Record<string, unknown> }));
}

function trustNetworks(...texts: string[]): void {
  const networks = texts.map((text) => parseIpNetwork(text) as IpNetwork);
  replaceTrustedNetworks(harness.db, { practiceId: harness.practice.id, networks, now: harness.clock.now() });
}

describe('unusual-access step-up', () => {
  it('signs in a remembered workstation on the clinic network without a code', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();

    const result = await signInFrom(harness, { remoteAddress: '192.168.1.21' }, { deviceTrustToken });

    expect(result.status).toBe('signed_in');
  });

  it('asks a remembered workstation for a code from another country', async () => {
    harness = await createHarness({ configure: (config) => (config.trustedProxies = ['10.0.0.5/32']) });
    trustNetworks('203.0.113.0/24');
    const deviceTrustToken = await rememberWorkstation(clinicPublicIp);

    const result = await signInFrom(harness, { remoteAddress: proxyAddress, headers: { 'x-forwarded-for': londonIp } }, { deviceTrustToken });

    expect(result).toMatchObject({ status: 'mfa_required', reason: 'unusual_location' });
    const [row] = auditRows('mfa.required').slice(-1);
    expect(row?.ip).toBe(londonIp);
    expect(row?.reason).toBe('unusual_location');
    expect(row?.details).toMatchObject({ network: '81.2.69.0/24', country: 'GB', region: 'England', accessCheck: 'new_country', trustedDevice: true });
  });

  it('ignores a forged X-Forwarded-For from a client that is not a proxy', async () => {
    harness = await createHarness({ configure: (config) => (config.trustedProxies = ['10.0.0.5/32']) });
    const deviceTrustToken = await rememberWorkstation();

    const result = await signInFrom(harness, { remoteAddress: '192.168.1.30', headers: { 'x-forwarded-for': londonIp } }, { deviceTrustToken });

    expect(result.status).toBe('signed_in');
    expect(auditRows('session.created').at(-1)?.ip).toBe('192.168.1.30');
  });

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();

    const result = await signInFrom(harness, { remoteAddress: proxyAddress, headers: { 'x-forwarded-for': londonIp } }, { deviceTrustToken });

    expect(result.status).toBe('signed_in');
    expect(auditRows('session.created').at(-1)?.ip).toBe(proxyAddress);
  });

  it('takes the rightmost hop that is not a trusted proxy', async () => {
    harness = await createHarness({ configure: (config) => (config.trustedProxies = ['10.0.0.0/24']) });
    trustNetworks('203.0.113.0/24');
    const deviceTrustToken = await rememberWorkstation(clinicPublicIp);
    const forgedThenReal = `${clinicPublicIp}, ${londonIp}, 10.0.0.9`;

    const result = await signInFrom(harness, { remoteAddress: proxyAddress, headers: { 'x-forwarded-for': forgedThenReal } }, { deviceTrustToken });

    expect(result).toMatchObject({ status: 'mfa_required', reason: 'unusual_location' });
    expect(auditRows('mfa.required').at(-1)?.ip).toBe(londonIp);
  });

  it('accepts a trusted network through the proxy', async () => {
    harness = await createHarness({ configure: (config) => (config.trustedProxies = ['10.0.0.5/32']) });
    trustNetworks('203.0.113.0/24', '2001:db8:40::/48');
    const deviceTrustToken = await rememberWorkstation();

    const viaIpv4 = await signInFrom(harness, { remoteAddress: proxyAddress, headers: { 'x-forwarded-for': '203.0.113.99' } }, { deviceTrustToken });
    const viaIpv6 = await signInFrom(harness, { remoteAddress: proxyAddress, headers: { 'x-forwarded-for': '2001:db8:40:1::9' } }, { deviceTrustToken });

    expect(viaIpv4.status).toBe('signed_in');
    expect(viaIpv6.status).toBe('signed_in');
  });

  it('asks for a code from any public address before a pattern exists', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();

    const result = await signInFrom(harness, { remoteAddress: mountainViewIp }, { deviceTrustToken });

    expect(result).toMatchObject({ status: 'mfa_required', reason: 'unusual_location' });
    expect(auditRows('mfa.required').at(-1)?.details).toMatchObject({ accessCheck: 'no_pattern_yet' });
  });

  it('learns a location once a code sign-in from it succeeds', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();
    await signInFrom(harness, { remoteAddress: mountainViewIp }, { deviceTrustToken });

    const sameNetwork = await signInFrom(harness, { remoteAddress: '8.8.8.200' }, { deviceTrustToken });

    expect(sameNetwork.status).toBe('signed_in');
    expect(auditRows('session.created').at(-1)?.details).toMatchObject({ accessCheck: 'known_network', network: '8.8.8.0/24' });
  });

  it('forgets locations older than the window', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();
    await signInFrom(harness, { remoteAddress: mountainViewIp }, { deviceTrustToken });
    trustNetworks('203.0.113.0/24');
    harness.clock.advance(days(91));
    const refreshed = await rememberWorkstation();

    const result = await signInFrom(harness, { remoteAddress: mountainViewIp }, { deviceTrustToken: refreshed });

    expect(result).toMatchObject({ status: 'mfa_required', reason: 'unusual_location' });
  });

  it('gives remote sessions the usual time-outs', async () => {
    harness = await createHarness({ practiceSettings: { idleTimeoutMinutes: 10, absoluteTimeoutMinutes: 240 } });
    const remote = await signInFrom(harness, { remoteAddress: londonIp }, { rememberDevice: true });

    const session = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(remote.sessionToken!) });

    expect(session.json()).toMatchObject({
      idleExpiresAt: new Date(harness.clock.now() + minutes(10)).toISOString(),
      expiresAt: new Date(harness.clock.now() + minutes(240)).toISOString(),
    });
    harness.clock.advance(minutes(10));
    const idle = await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(remote.sessionToken!) });
    expect(errorCode(idle)).toBe('SESSION_EXPIRED');
  });

  it('shows practice enforcement but still audits the unusual location', async () => {
    harness = await createHarness({ practiceSettings: { requireMfaAlways: true } });

    const result = await signInFrom(harness, { remoteAddress: londonIp });

    expect(result.reason).toBe('required_by_practice');
    expect(auditRows('mfa.required').at(-1)?.details).toMatchObject({ unusualLocation: true, country: 'GB' });
  });
});

describe('security notices', () => {
  it('emails the user when a workstation is remembered', async () => {
    harness = await createHarness();

    await rememberWorkstation();

    const [notice] = await harness.email.waitForNotices(1);
    expect(notice).toMatchObject({ kind: 'workstation_remembered', to: 'casey@clinic.example', workstationName: 'Exam room 2', location: 'Local network' });
  });

  it('emails the user after an unusual-location sign-in', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();
    await harness.email.waitForNotices(1);

    await signInFrom(harness, { remoteAddress: londonIp }, { deviceTrustToken });

    const notices = await harness.email.waitForNotices(2);
    expect(notices[1]).toMatchObject({ kind: 'unusual_location_sign_in', location: 'London, England, United Kingdom', workstationName: 'Exam room 2' });
    expect(notices[1]?.occurredAt).toBe(new Date(harness.clock.now()).toISOString());
  });

  it('never delays the sign-in when the notice hangs', async () => {
    harness = await createHarness();
    harness.email.setNoticeBehavior('hang');

    const result = await signInFrom(harness, { remoteAddress: londonIp }, { rememberDevice: true });

    expect(result.sessionToken).toBeDefined();
    expect(result.deviceTrustToken).toBeDefined();
  });

  it('keeps the sign-in when the notice fails', async () => {
    harness = await createHarness();
    harness.email.setNoticeBehavior('fail');

    const result = await signInFrom(harness, { remoteAddress: londonIp }, { rememberDevice: true });
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(result.sessionToken).toBeDefined();
  });
});
