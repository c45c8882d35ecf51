import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerTrust } from '../../electron/agent/agent-settings';
import { createApiClient, type ApiClient } from '../../electron/agent/api-client';
import { computeDeviceFingerprint } from '../../electron/agent/device-fingerprint';
import {
  createSelfSignedCertificate,
  createTestAuthority,
  fakeUser,
  startFakeApiServer,
  type FakeApiServer,
  type ServerTlsMaterial,
} from './support/fake-api-server';

const deviceFingerprint = computeDeviceFingerprint({ machineId: 'api-client-test', serverOrigin: 'https://127.0.0.1' });
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

function pinnedTrust(serverUrl: string, material: ServerTlsMaterial): ServerTrust {
  const fingerprint = new X509Certificate(material.certPem).fingerprint256;
  return { serverUrl, caPem: material.certPem, pinnedFingerprint: fingerprint, displayFingerprint: fingerprint, source: 'confirmed' };
}

function connect(trust: ServerTrust, timeoutMs?: number): ApiClient {
  const client = createApiClient({ server: trust, timeoutMs });
  cleanups.push(() => client.close());
  return client;
}

async function startFake(material: ServerTlsMaterial): Promise<FakeApiServer> {
  const fake = await startFakeApiServer(material);
  cleanups.push(() => fake.close());
  return fake;
}

/** Calls every API method once, with credentials and a password that must never reach an unpinned server. */
async function callEveryMethod(client: ApiClient) {
  return Promise.all([
    client.submitPassword({ username: fakeUser.username, password: fakeUser.password, deviceFingerprint }),
    client.sendCode({ challengeToken: 'chal_never_sent', channel: 'sms' }),
    client.verifyCode({ challengeToken: 'chal_never_sent', code: '123456', deviceFingerprint, rememberDevice: true }),
    client.getSession({ sessionToken: 'sess_never_sent', deviceFingerprint }),
    client.logout({ sessionToken: 'sess_never_sent', deviceFingerprint }),
  ]);
}

describe('api client with a pinned self-signed certificate', () => {
  let material: ServerTlsMaterial;
  let fake: FakeApiServer;

  beforeEach(async () => {
    material = await createSelfSignedCertificate();
    fake = await startFake(material);
  });

  it('talks to the pinned server', async () => {
    const client = connect(pinnedTrust(fake.url, material));

    const result = await client.submitPassword({ username: fakeUser.username, password: fakeUser.password, deviceFingerprint });

    expect(result.ok).toBe(true);
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects another certificate on the same address', async () => {
    const client = connect(pinnedTrust(fake.url, material));
    fake.replaceCertificate(await createSelfSignedCertificate());

    const results = await callEveryMethod(client);

    for (const result of results) {
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_CERTIFICATE_MISMATCH' }) });
    }
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects a certificate for another host name', async () => {
    const localhostOnly = await generateLocalhostOnlyCertificate();
    fake.replaceCertificate(localhostOnly);
    const client = connect(pinnedTrust(fake.url, localhostOnly));

    const result = await client.getSession({ sessionToken: 'sess_never_sent', deviceFingerprint });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_CERTIFICATE_MISMATCH' }) });
    expect(fake.requests).toHaveLength(0);
  });

  it('sends session headers and no body on logout', async () => {
    const client = connect(pinnedTrust(fake.url, material));

    await client.logout({ sessionToken: 'sess_unknown', deviceFingerprint });

    const request = fake.requests[0];
    expect(request?.path).toBe('/api/v1/session/logout');
    expect(request?.headers.authorization).toBe('Bearer sess_unknown');
    expect(request?.headers['x-clinicgate-device']).toBe(deviceFingerprint);
    expect(request?.headers['content-type']).toBeUndefined();
    expect(request?.body).toBeUndefined();
  });

  it('maps a server error body to the same code and details', async () => {
    const client = connect(pinnedTrust(fake.url, material));
    const password = await client.submitPassword({ username: fakeUser.username, password: fakeUser.password, deviceFingerprint });
    const challengeToken = password.ok && password.value.status === 'mfa_required' ? password.value.challenge.challengeToken : '';

    const result = await client.verifyCode({ challengeToken, code: '999999', deviceFingerprint, rememberDevice: false });

    expect(result).toEqual({
      ok: false,
      error: { code: 'OTP_CODE_INVALID', message: 'That code is not correct.', attemptsRemaining: 4 },
    });
  });
});

describe('api client with the pin and a CA chain', () => {
  it('rejects a sibling certificate from the same CA', async () => {
    const authority = await createTestAuthority();
    const confirmedLeaf = await authority.issue();
    const siblingLeaf = await authority.issue();
    const fake = await startFake(siblingLeaf);
    const fingerprint = new X509Certificate(confirmedLeaf.certPem).fingerprint256;
    const client = connect({
      serverUrl: fake.url,
      caPem: `${confirmedLeaf.certPem.trim()}\n${authority.caCertPem}`,
      pinnedFingerprint: fingerprint,
      displayFingerprint: fingerprint,
      source: 'confirmed',
    });

    const results = await callEveryMethod(client);

    for (const result of results) {
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_CERTIFICATE_MISMATCH' }) });
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('api client with a CA file', () => {
  it('accepts any certificate the CA issued for the host', async () => {
    const authority = await createTestAuthority();
    const fake = await startFake(await authority.issue());
    const client = connect(caTrust(fake.url, authority.caCertPem));

    const result = await client.getSession({ sessionToken: 'sess_unknown', deviceFingerprint });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SESSION_INVALID' }) });
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects a certificate from another CA', async () => {
    const trusted = await createTestAuthority();
    const other = await createTestAuthority();
    const fake = await startFake(await other.issue());
    const client = connect(caTrust(fake.url, trusted.caCertPem));

    const results = await callEveryMethod(client);

    for (const result of results) {
      expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_CERTIFICATE_MISMATCH' }) });
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('api client failures', () => {
  it('reports a closed port as unreachable', async () => {
    const port = await findClosedPort();
    const material = await createSelfSignedCertificate();
    const client = connect(pinnedTrust(`https://127.0.0.1:${port}`, material));

    const result = await client.getSession({ sessionToken: 'sess_unknown', deviceFingerprint });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_UNREACHABLE' }) });
  });

  it('reports a server that never answers as unreachable', async () => {
    const material = await createSelfSignedCertificate();
    const silent = https.createServer({ cert: material.certPem, key: material.keyPem }, () => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      silent.closeAllConnections();
      silent.close();
    });
    const client = connect(pinnedTrust(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`, material), 300);

    const result = await client.getSession({ sessionToken: 'sess_unknown', deviceFingerprint });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_UNREACHABLE' }) });
  });

  it('hides an unexpected server answer behind INTERNAL_ERROR', async () => {
    const material = await createSelfSignedCertificate();
    const broken = https.createServer({ cert: material.certPem, key: material.keyPem }, (_request, response) => {
      response.writeHead(500, { 'Content-Type': 'text/plain' }).end('TypeError: cannot read properties of undefined at db.ts:42');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      broken.closeAllConnections();
      broken.close();
    });
    const client = connect(pinnedTrust(`https://127.0.0.1:${(broken.address() as AddressInfo).port}`, material));

    const result = await client.getSession({ sessionToken: 'sess_unknown', deviceFingerprint });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(result)).not.toContain('db.ts');
  });

  it('rejects a success body of the wrong shape', async () => {
    const material = await createSelfSignedCertificate();
    const odd = https.createServer({ cert: material.certPem, key: material.keyPem }, (_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"signed_in"}');
    });
    await new Promise<void>((resolve) => odd.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => {
      odd.closeAllConnections();
      odd.close();
    });
    const client = connect(pinnedTrust(`https://127.0.0.1:${(odd.address() as AddressInfo).port}`, material));

    const result = await client.submitPassword({ username: 'dana', password: 'pw', deviceFingerprint });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'INTERNAL_ERROR' }) });
  });
});

function caTrust(serverUrl: string, caPem: string): ServerTrust {
  return { serverUrl, caPem, pinnedFingerprint: null, displayFingerprint: 'unused', source: 'environment' };
}

async function generateLocalhostOnlyCertificate(): Promise<ServerTlsMaterial> {
  const { generate } = await import('selfsigned');
  const generated = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  return { certPem: generated.cert, keyPem: generated.private };
}

async function findClosedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
