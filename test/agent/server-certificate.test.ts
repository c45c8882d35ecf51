import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  normalizeFingerprint,
  parseServerAddress,
  probeServerCertificate,
} from '../../electron/agent/server-certificate';
import { createSelfSignedCertificate, createTestAuthority, type ServerTlsMaterial } from './support/fake-api-server';

const openServers: Array<https.Server | net.Server> = [];

afterEach(async () => {
  await Promise.all(openServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function startTlsServer(material: ServerTlsMaterial, onRequest: () => void = () => {}): Promise<string> {
  const server = https.createServer({ cert: material.certPem, key: material.keyPem }, (_request, response) => {
    onRequest();
    response.end('ok');
  });
  openServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('probeServerCertificate', () => {
  it('returns the presented certificate and its fingerprint', async () => {
    const material = await createSelfSignedCertificate('ehr.juniper.test');
    const expected = new X509Certificate(material.certPem);
    let requestCount = 0;
    const serverUrl = await startTlsServer(material, () => {
      requestCount += 1;
    });

    const result = await probeServerCertificate(`${serverUrl}/`);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.certificate.fingerprint).toBe(expected.fingerprint256);
    expect(result.value.certificate.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(result.value.certificate.serverUrl).toBe(serverUrl);
    expect(result.value.certificate.subject).toBe('ehr.juniper.test');
    expect(result.value.certificate.issuer).toBe('ehr.juniper.test');
    expect(result.value.certificate.validTo).toBe(new Date(expected.validTo).toISOString());
    expect(new X509Certificate(result.value.chainPem).fingerprint256).toBe(expected.fingerprint256);
    expect(requestCount).toBe(0);
  });

  it('keeps the issuers the server sends', async () => {
    const authority = await createTestAuthority();
    const leaf = await authority.issue();
    const serverUrl = await startTlsServer({ certPem: `${leaf.certPem.trim()}\n${authority.caCertPem}`, keyPem: leaf.keyPem });

    const result = await probeServerCertificate(serverUrl);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.certificate.fingerprint).toBe(new X509Certificate(leaf.certPem).fingerprint256);
    expect(result.value.certificate.issuer).toMatch(/^ClinicGate agent test CA/);
    expect(result.value.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('reports a closed port as unreachable', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));

    const result = await probeServerCertificate(`https://127.0.0.1:${port}`);

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_UNREACHABLE' }) });
  });

  it('reports a plain HTTP server as unreachable', async () => {
    const server = net.createServer((socket) => {
      // Reading is what lets the socket see the client's close, so the server can shut down.
      socket.resume();
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    openServers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    const result = await probeServerCertificate(`https://127.0.0.1:${(server.address() as AddressInfo).port}`);

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_UNREACHABLE' }) });
  });

  it('rejects an invalid address without connecting', async () => {
    const result = await probeServerCertificate('http://127.0.0.1:8443');

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_ADDRESS_INVALID' }) });
  });
});

describe('parseServerAddress', () => {
  it.each([
    ['https://ehr.clinic.example', 'https://ehr.clinic.example', 443],
    ['https://ehr.clinic.example:8443/', 'https://ehr.clinic.example:8443', 8443],
    ['  https://EHR.Clinic.Example:8443  ', 'https://ehr.clinic.example:8443', 8443],
    ['https://127.0.0.1:9443', 'https://127.0.0.1:9443', 9443],
    ['https://[::1]:9443', 'https://[::1]:9443', 9443],
  ])('accepts %s', (input, origin, port) => {
    const address = parseServerAddress(input);

    expect(address?.origin).toBe(origin);
    expect(address?.port).toBe(port);
  });

  it.each([
    ['', 'empty'],
    ['ehr.clinic.example:8443', 'no scheme'],
    ['http://ehr.clinic.example', 'plain http'],
    ['ftp://ehr.clinic.example', 'another scheme'],
    ['https://', 'no host'],
    ['https://ehr.clinic.example/api', 'a path'],
    ['https://ehr.clinic.example/?next=1', 'a query'],
    ['https://ehr.clinic.example/?', 'an empty query'],
    ['https://ehr.clinic.example/#top', 'a fragment'],
    ['https://admin:secret@ehr.clinic.example', 'credentials'],
    ['https://ehr.clinic.example:99999', 'a port out of range'],
  ])('rejects %s (%s)', (input) => {
    expect(parseServerAddress(input)).toBeNull();
  });

  it('rejects an overlong address', () => {
    expect(parseServerAddress(`https://${'a'.repeat(3000)}.example`)).toBeNull();
  });
});

describe('normalizeFingerprint', () => {
  it('formats hex as colon-separated uppercase pairs', () => {
    expect(normalizeFingerprint('ab:cd ef01')).toBe('AB:CD:EF:01');
  });
});
