import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../server/src/index';
import { loadOrCreateCertificate } from '../../server/src/tls/certificate';
import { CapturingDeliverer } from '../helpers/capturing-deliverer';
import { makeTempDir, testConfig } from './support/harness';

// OpenSSL 3 needs security level 0 before it will offer TLS 1.1 at all.
const tls11Client: tls.ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' };

type HandshakeResult = { ok: true; protocol: string | null } | { ok: false; message: string };

function handshake(port: number, ca: string, options: tls.ConnectionOptions): Promise<HandshakeResult> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost', ...options }, () => {
      const protocol = socket.getProtocol();
      socket.end();
      resolve({ ok: true, protocol });
    });
    socket.on('error', (error) => resolve({ ok: false, message: error.message }));
  });
}

describe('HTTPS transport', () => {
  let dataDir: string;
  let server: RunningServer;
  let port: number;
  let ca: string;
  const printed: string[] = [];

  beforeAll(async () => {
    dataDir = makeTempDir();
    server = await startServer(testConfig(dataDir), {
      deliverers: { email: new CapturingDeliverer(), sms: new CapturingDeliverer() },
      print: (line) => printed.push(line),
    });
    port = Number(new URL(server.url).port);
    ca = readFileSync(path.join(dataDir, 'tls', 'server.crt'), 'utf8');
  });

  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses a TLS 1.1 handshake', async () => {
    const result = await handshake(port, ca, tls11Client);

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.message).toMatch(/protocol version/);
  });

  it('uses a client that can complete TLS 1.1 with a permissive server', async () => {
    const key = readFileSync(path.join(dataDir, 'tls', 'server.key'), 'utf8');
    const permissive = tls.createServer({ cert: ca, key, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' }, (socket) => socket.end());
    await new Promise<void>((resolve) => permissive.listen(0, '127.0.0.1', resolve));
    const permissivePort = (permissive.address() as { port: number }).port;

    const result = await handshake(permissivePort, ca, tls11Client);

    permissive.close();
    expect(result).toEqual({ ok: true, protocol: 'TLSv1.1' });
  });

  it('accepts a TLS 1.2 handshake', async () => {
    const result = await handshake(port, ca, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });

    expect(result).toEqual({ ok: true, protocol: 'TLSv1.2' });
  });

  it('accepts a TLS 1.3 handshake', async () => {
    const result = await handshake(port, ca, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });

    expect(result).toEqual({ ok: true, protocol: 'TLSv1.3' });
  });

  it('serves the API over HTTPS with the printed fingerprint', async () => {
    const response = await fetchHealth(server.url, ca);

    const fingerprint = new X509Certificate(ca).fingerprint256;
    expect(response).toEqual({ status: 'ok' });
    expect(printed).toEqual([`ClinicGate server listening on ${server.url}`, `TLS certificate SHA-256 fingerprint: ${fingerprint}`]);
    expect(server.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });
});

describe('self-signed certificate', () => {
  it('is generated once with the required names and reused', async () => {
    const dataDir = makeTempDir();
    const config = { dataDir, tls: { certFile: null, keyFile: null } };

    const first = await loadOrCreateCertificate(config, new Date(Date.UTC(2026, 0, 5)));
    const second = await loadOrCreateCertificate(config);

    const certificate = new X509Certificate(first.cert);
    expect(first.wasGenerated).toBe(true);
    expect(second.wasGenerated).toBe(false);
    expect(second.fingerprint).toBe(first.fingerprint);
    expect(certificate.subjectAltName).toContain('DNS:localhost');
    expect(certificate.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(certificate.subjectAltName).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(certificate.subjectAltName).toContain(`DNS:${os.hostname()}`);
    expect(new Date(certificate.validTo).getTime() - new Date(certificate.validFrom).getTime()).toBe(825 * 24 * 60 * 60_000);
    expect(statSync(path.join(dataDir, 'tls', 'server.key')).mode & 0o777).toBe(0o600);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('uses configured certificate files as given', async () => {
    const dataDir = makeTempDir();
    const generated = await loadOrCreateCertificate({ dataDir, tls: { certFile: null, keyFile: null } });
    const otherDir = makeTempDir();

    const configured = await loadOrCreateCertificate({ dataDir: otherDir, tls: { certFile: generated.certFile, keyFile: generated.keyFile } });

    expect(configured.fingerprint).toBe(generated.fingerprint);
    expect(configured.wasGenerated).toBe(false);
    expect(() => statSync(path.join(otherDir, 'tls'))).toThrow();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(otherDir, { recursive: true, force: true });
  });
});

async function fetchHealth(url: string, ca: string): Promise<unknown> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const request = https.get(`${url}/api/v1/health`, { ca, servername: 'localhost' }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      response.on('end', () => resolve(JSON.parse(body)));
    });
    request.on('error', reject);
  });
}
