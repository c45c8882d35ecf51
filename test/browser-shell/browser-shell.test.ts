import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import { openTokenVault } from '../../electron/agent/token-vault';
import { contentSecurityPolicy } from '../../electron/browser-shell/renderer-files';
import { startBrowserShell, type BrowserShell } from '../../electron/browser-shell/browser-shell';
import { bridgeSecretHeader } from '../../electron/shared/bridge';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let workDir: string;
let rendererDir: string;
let agent: AuthAgent;
let shell: BrowserShell;
let secret: string;
let host: string;

/** Sends a request exactly as given: raw path, chosen Host header, no defaults added. */
function send(options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: shell.port,
        method: options.method ?? 'GET',
        path: options.path,
        setHost: false,
        headers: { Host: host, ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

function callBridge(method: string, body: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return send({
    method: 'POST',
    path: `/bridge/${method}`,
    headers: { 'Content-Type': 'application/json', [bridgeSecretHeader]: secret, ...headers },
    body,
  });
}

beforeEach(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-shell-'));
  rendererDir = path.join(workDir, 'renderer');
  await mkdir(path.join(rendererDir, 'assets'), { recursive: true });
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>ClinicGate</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log("renderer");');
  await writeFile(path.join(workDir, 'outside.txt'), 'outside the renderer folder');
  await symlink(path.join(workDir, 'outside.txt'), path.join(rendererDir, 'assets', 'link.txt'));

  const settings = openAgentSettings({ directory: path.join(workDir, 'agent'), env: {} });
  const vault = await openTokenVault({
    loadKeychain: async () => {
      throw new Error('no keychain in this test');
    },
  });
  agent = createAuthAgent({ settings, vault, machineId: 'shell-test', shell: 'browser' });
  shell = await startBrowserShell({ agent, rendererDir });
  secret = new URL(shell.url).hash.replace('#bridge=', '');
  host = `127.0.0.1:${shell.port}`;
});

afterEach(async () => {
  await shell.close();
  agent.close();
  await rm(workDir, { recursive: true, force: true });
});

describe('browser shell address', () => {
  it('prints a loopback URL with the secret in the fragment', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#bridge=[A-Za-z0-9_-]{43}$/);
  });

  it('listens on 127.0.0.1 only', async () => {
    const otherAddresses = Object.values(os.networkInterfaces())
      .flat()
      .filter((entry) => entry !== undefined && entry.family === 'IPv4' && !entry.internal)
      .map((entry) => entry!.address);
    otherAddresses.push('::1');

    for (const address of otherAddresses) {
      const reached = await new Promise<boolean>((resolve) => {
        const request = http.get({ host: address, port: shell.port, path: '/', timeout: 1000 }, () => resolve(true));
        request.on('error', () => resolve(false));
        request.on('timeout', () => {
          request.destroy();
          resolve(false);
        });
      });
      expect(reached, `reachable on ${address}`).toBe(false);
    }
    const loopback = await send({ path: '/' });
    expect(loopback.status).toBe(200);
  });

  it('uses a new secret for every launch', async () => {
    const second = await startBrowserShell({ agent, rendererDir });

    expect(second.url).not.toBe(shell.url);
    await second.close();
  });
});

describe('browser shell files', () => {
  it('serves index.html with the security headers', async () => {
    const response = await send({ path: '/' });

    expect(response.status).toBe(200);
    expect(response.body).toContain('<title>ClinicGate</title>');
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toBe(contentSecurityPolicy);
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('no-referrer');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves a script with its content type', async () => {
    const response = await send({ path: '/assets/app.js?v=1' });

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    '/../outside.txt',
    '/%2e%2e/outside.txt',
    '/assets/..%2f..%2foutside.txt',
    '/%2e%2e%2f%2e%2e%2fpackage.json',
    '/../package.json',
    '/assets/link.txt',
    '/assets/%00app.js',
    '/assets\\..\\..\\outside.txt',
  ])('refuses to leave the renderer folder: %s', async (requestPath) => {
    const response = await send({ path: requestPath });

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('outside the renderer folder');
  });

  it('lists no folders', async () => {
    const response = await send({ path: '/assets/' });

    expect(response.status).toBe(404);
    expect(response.body).not.toContain('app.js');
  });

  it('answers an unknown file with 404', async () => {
    const response = await send({ path: '/missing.js' });

    expect(response.status).toBe(404);
  });
});

describe('browser shell bridge', () => {
  it('calls the agent and returns its result', async () => {
    const response = await callBridge('getSetupState', '');

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      ok: true,
      value: { serverUrl: null, certificateFingerprint: null, tokenStorage: 'memory', shell: 'browser' },
    });
    expect(response.headers['content-security-policy']).toBe(contentSecurityPolicy);
  });

  it('passes the JSON body as the input', async () => {
    const response = await callBridge('probeServer', JSON.stringify({ serverUrl: 'http://127.0.0.1:1' }));

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_ADDRESS_INVALID' }) });
  });

  it('rejects a missing secret', async () => {
    const response = await send({
      method: 'POST',
      path: '/bridge/getSetupState',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'BRIDGE_UNAUTHORIZED' }) });
  });

  it('rejects a wrong secret', async () => {
    const wrongSecret = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;

    const response = await callBridge('getSetupState', '{}', { [bridgeSecretHeader]: wrongSecret });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'BRIDGE_UNAUTHORIZED' }) });
  });

  it.each(['evil.example', 'evil.example:PORT', '127.0.0.2:PORT', '127.0.0.1', 'attacker.example:80'])('rejects the Host %s', async (foreignHost) => {
    host = foreignHost.replace('PORT', String(shell.port));

    const bridge = await callBridge('getSetupState', '{}');
    const page = await send({ path: '/' });

    expect(bridge.status).toBe(421);
    expect(JSON.parse(bridge.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'BRIDGE_UNAUTHORIZED' }) });
    expect(page.status).toBe(421);
    expect(page.body).not.toContain('<title>ClinicGate</title>');
  });

  it('accepts localhost as the Host', async () => {
    host = `localhost:${shell.port}`;

    const response = await callBridge('getSetupState', '{}', { Origin: `http://localhost:${shell.port}` });

    expect(response.status).toBe(200);
  });

  it.each(['https://evil.example', 'null', 'http://localhost:1'])('rejects the Origin %s', async (origin) => {
    const response = await callBridge('getSetupState', '{}', { Origin: origin });

    expect(response.status).toBe(403);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'BRIDGE_UNAUTHORIZED' }) });
  });

  it('accepts its own Origin', async () => {
    const response = await callBridge('getSetupState', '{}', { Origin: `http://127.0.0.1:${shell.port}` });

    expect(response.status).toBe(200);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'rejects the content type %s',
    async (contentType) => {
      const response = await callBridge('getSetupState', '{}', { 'Content-Type': contentType });

      expect(response.status).toBe(415);
      expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'UNSUPPORTED_MEDIA_TYPE' }) });
    },
  );

  it('rejects a body that is not JSON', async () => {
    const response = await callBridge('probeServer', '{"serverUrl":');

    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) });
  });

  it('rejects a body over 64 KiB', async () => {
    const response = await callBridge('probeServer', JSON.stringify({ serverUrl: 'x'.repeat(70 * 1024) }));

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'BODY_TOO_LARGE' }) });
  });

  it.each(['close', 'constructor', '__proto__', 'toString', 'submit-password', 'auth:submit-password'])(
    'answers the unknown method %s with 404',
    async (method) => {
      const response = await callBridge(method, '{}');

      expect(response.status).toBe(404);
      expect(JSON.parse(response.body)).toEqual({ ok: false, error: expect.objectContaining({ code: 'NOT_FOUND' }) });
    },
  );

  it('allows only POST', async () => {
    const response = await send({ path: '/bridge/getSetupState', headers: { [bridgeSecretHeader]: secret } });

    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe('POST');
  });
});
