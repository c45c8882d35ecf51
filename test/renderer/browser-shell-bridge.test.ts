import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bridgeSecretHeader, type BridgeResult } from '../../electron/shared/bridge';
import { createBrowserShellBridge } from '../../renderer/src/bridge/browser-shell-bridge';

const secret = 'test-secret-0123456789abcdefghij';

let server: Server | null = null;

afterEach(async () => {
  const running = server;
  server = null;
  if (running !== null) {
    running.closeAllConnections();
    await new Promise<void>((resolveClose) => running.close(() => resolveClose()));
  }
});

/** Starts a stand-in shell on 127.0.0.1 that records requests and responds with `respond`. */
async function startShell(respond: (request: ReceivedRequest, response: ServerResponse) => void) {
  const requests: ReceivedRequest[] = [];
  server = createServer((incoming: IncomingMessage, response) => {
    let body = '';
    incoming.setEncoding('utf8');
    incoming.on('data', (chunk: string) => {
      body += chunk;
    });
    incoming.on('end', () => {
      const request = { method: incoming.method ?? '', url: incoming.url ?? '', headers: incoming.headers, body };
      requests.push(request);
      respond(request, response);
    });
  });
  await new Promise<void>((resolveListen) => server?.listen(0, '127.0.0.1', () => resolveListen()));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests };
}

function errorCodeOf(result: BridgeResult<unknown>): string | null {
  return result.ok ? null : result.error.code;
}

function sendJson(response: ServerResponse, status: number, value: unknown) {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(value));
}

describe('browser shell bridge', () => {
  it('posts the input with the secret to /bridge/<method>', async () => {
    const shell = await startShell((_request, response) => sendJson(response, 200, { ok: true, value: null }));
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.sendCode({ channel: 'email' });

    expect(result).toEqual({ ok: true, value: null });
    expect(shell.requests).toHaveLength(1);
    expect(shell.requests[0]?.method).toBe('POST');
    expect(shell.requests[0]?.url).toBe('/bridge/sendCode');
    expect(shell.requests[0]?.headers['content-type']).toBe('application/json');
    expect(shell.requests[0]?.headers[bridgeSecretHeader]).toBe(secret);
    expect(JSON.parse(shell.requests[0]?.body ?? '')).toEqual({ channel: 'email' });
  });

  it('sends an empty object for methods without input', async () => {
    const shell = await startShell((_request, response) => sendJson(response, 200, { ok: true, value: null }));
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    await bridge.getSession();

    expect(shell.requests[0]?.url).toBe('/bridge/getSession');
    expect(JSON.parse(shell.requests[0]?.body ?? '')).toEqual({});
  });

  it('passes a failure result through with its details', async () => {
    const failure = { ok: false, error: { code: 'OTP_CODE_INVALID', message: 'That code is not correct.', attemptsRemaining: 2 } };
    const shell = await startShell((_request, response) => sendJson(response, 200, failure));
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.verifyCode({ code: '123456', rememberWorkstation: true });

    expect(result).toEqual(failure);
  });

  it('passes the shell guard result through on 403', async () => {
    const failure = { ok: false, error: { code: 'BRIDGE_UNAUTHORIZED', message: 'Open it from the printed address.' } };
    const shell = await startShell((_request, response) => sendJson(response, 403, failure));
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.getSetupState();

    expect(result).toEqual(failure);
  });

  it('maps a 403 without a result to BRIDGE_UNAUTHORIZED', async () => {
    const shell = await startShell((_request, response) => {
      response.writeHead(403, { 'Content-Type': 'text/plain' });
      response.end('Forbidden');
    });
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.getSetupState();

    expect(errorCodeOf(result)).toBe('BRIDGE_UNAUTHORIZED');
  });

  it('maps a reply that is not JSON to SERVER_UNREACHABLE', async () => {
    const shell = await startShell((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'text/html' });
      response.end('<html>proxy error</html>');
    });
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.getSetupState();

    expect(errorCodeOf(result)).toBe('SERVER_UNREACHABLE');
  });

  it('rejects JSON that is not a bridge result', async () => {
    const shell = await startShell((_request, response) =>
      sendJson(response, 200, { ok: false, error: { code: 'NOT_A_REAL_CODE', message: 'x' } }),
    );
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.getSetupState();

    expect(errorCodeOf(result)).toBe('SERVER_UNREACHABLE');
  });

  it('does not trust a success body on an error status', async () => {
    const shell = await startShell((_request, response) => sendJson(response, 500, { ok: true, value: { stolen: true } }));
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.getSession();

    expect(errorCodeOf(result)).toBe('SERVER_UNREACHABLE');
  });

  it('maps a closed port to SERVER_UNREACHABLE', async () => {
    const shell = await startShell((_request, response) => sendJson(response, 200, { ok: true, value: null }));
    const running = server;
    server = null;
    running?.closeAllConnections();
    await new Promise<void>((resolveClose) => running?.close(() => resolveClose()));
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl });

    const result = await bridge.getSetupState();

    expect(errorCodeOf(result)).toBe('SERVER_UNREACHABLE');
  });

  it('maps a timeout to SERVER_UNREACHABLE', async () => {
    const shell = await startShell(() => undefined);
    const bridge = createBrowserShellBridge({ secret, baseUrl: shell.baseUrl, timeoutMs: 200 });

    const result = await bridge.getSetupState();

    expect(errorCodeOf(result)).toBe('SERVER_UNREACHABLE');
  });

  it('returns BRIDGE_UNAUTHORIZED without a request when there is no secret', async () => {
    const shell = await startShell((_request, response) => sendJson(response, 200, { ok: true, value: null }));
    const bridge = createBrowserShellBridge({ secret: null, baseUrl: shell.baseUrl });

    const result = await bridge.getSetupState();

    expect(errorCodeOf(result)).toBe('BRIDGE_UNAUTHORIZED');
    expect(shell.requests).toHaveLength(0);
  });
});

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
