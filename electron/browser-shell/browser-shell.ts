import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  agentEventsPath,
  bridgeChannels,
  bridgeSecretHeader,
  type BridgeMethod,
  type BridgeResult,
  type ClinicGateBridge,
} from '../shared/bridge';
import { errorCatalogue, type ErrorCode } from '../shared/error-codes';
import { createModuleLogger, silentLogger, type Logger } from '../agent/agent-logger';
import { bridgeFailure, invokeBridgeMethod } from '../agent/bridge-result';
import { rendererSecurityHeaders, resolveRendererFile } from './renderer-files';

export interface BrowserShell {
  /** The address to open, with the per-launch secret in the fragment: `http://127.0.0.1:<port>/#bridge=<secret>`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface BrowserShellOptions {
  agent: ClinicGateBridge;
  /** The built renderer (`build/renderer`). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  logger?: Logger;
}

const loopbackAddress = '127.0.0.1';
const maxBodyBytes = 64 * 1024;
const bridgePathPrefix = '/bridge/';
/** A comment line this often keeps idle event streams open through anything that drops quiet connections. */
const eventStreamKeepAliveMs = 15_000;

/**
 * Starts the loopback HTTP server that lets an ordinary browser use the agent. It serves the
 * built renderer and one POST route per bridge method. A bridge call must carry the per-launch
 * secret, which only the fragment of the printed URL contains. Browsers never send a fragment,
 * so a page from another site cannot learn the secret. The Host and Origin checks stop DNS
 * rebinding and cross-site requests before the secret is compared.
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<BrowserShell> {
  const logger = createModuleLogger(options.logger ?? silentLogger, 'browser-shell');
  const secret = randomBytes(32).toString('base64url');
  const secretDigest = digest(secret);
  let allowedHosts = new Set<string>();

  const server = http.createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
      if (!response.headersSent) {
        sendText(response, 500, 'ClinicGate could not answer this request.');
      } else {
        response.destroy();
      }
    });
  });

  async function handleRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const host = request.headers.host ?? '';
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    const isEventRequest = pathname === agentEventsPath;
    const isBridgeRequest = pathname.startsWith(bridgePathPrefix) || isEventRequest;
    if (!allowedHosts.has(host)) {
      logger.warn({ reason: 'host' }, 'request rejected');
      rejectRequest(response, isBridgeRequest, 421, 'BRIDGE_UNAUTHORIZED');
      return;
    }
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${host}`) {
      logger.warn({ reason: 'origin' }, 'request rejected');
      rejectRequest(response, isBridgeRequest, 403, 'BRIDGE_UNAUTHORIZED');
      return;
    }

    if (isEventRequest) {
      handleEventStreamRequest(request, response);
      return;
    }
    if (isBridgeRequest) {
      await handleBridgeRequest(request, response);
      return;
    }
    await handleFileRequest(request, response);
  }

  async function handleBridgeRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (!hasBridgeSecret(request.headers[bridgeSecretHeader])) {
      logger.warn({ reason: 'secret' }, 'bridge request rejected');
      sendResult(response, 403, bridgeFailure('BRIDGE_UNAUTHORIZED'));
      return;
    }
    const pathname = new URL(request.url ?? '/', 'http://shell.invalid').pathname;
    const method = pathname.slice(bridgePathPrefix.length);
    if (!isBridgeMethod(method)) {
      sendResult(response, 404, bridgeFailure('NOT_FOUND'));
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      sendResult(response, 405, bridgeFailure('METHOD_NOT_ALLOWED'));
      return;
    }
    if (!isJsonContentType(request.headers['content-type'])) {
      sendResult(response, 415, bridgeFailure('UNSUPPORTED_MEDIA_TYPE'));
      return;
    }

    const body = await readBody(request);
    if (body === null) {
      response.setHeader('Connection', 'close');
      sendResult(response, 413, bridgeFailure('BODY_TOO_LARGE'));
      return;
    }
    const input = parseJsonBody(body);
    if (!input.ok) {
      sendResult(response, 400, bridgeFailure('VALIDATION_FAILED', { message: 'The request body is not valid JSON.' }));
      return;
    }

    const result = await invokeBridgeMethod(options.agent, method, input.value);
    sendResult(response, 200, result);
  }

  /** Streams agent events as Server-Sent Events until the page closes the request. */
  function handleEventStreamRequest(request: http.IncomingMessage, response: http.ServerResponse): void {
    if (!hasBridgeSecret(request.headers[bridgeSecretHeader])) {
      logger.warn({ reason: 'secret' }, 'event stream request rejected');
      sendResult(response, 403, bridgeFailure('BRIDGE_UNAUTHORIZED'));
      return;
    }
    if (request.method !== 'GET') {
      response.setHeader('Allow', 'GET');
      sendResult(response, 405, bridgeFailure('METHOD_NOT_ALLOWED'));
      return;
    }

    response.writeHead(200, {
      ...rendererSecurityHeaders,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    response.write(': connected\n\n');
    const unsubscribe = options.agent.onAgentEvent((event) => {
      response.write(`data: ${JSON.stringify(event)}\n\n`);
    });
    const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), eventStreamKeepAliveMs);
    request.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  }

  async function handleFileRequest(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      sendText(response, 405, 'Method not allowed.');
      return;
    }
    const pathname = (request.url ?? '/').split('?')[0] ?? '/';
    const file = await resolveRendererFile(options.rendererDir, pathname);
    if (file === null) {
      const hint = pathname === '/' ? ' The renderer is not built; run npm run build:renderer.' : '';
      sendText(response, 404, `Not found.${hint}`);
      return;
    }

    response.writeHead(200, {
      ...rendererSecurityHeaders,
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
    });
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    createReadStream(file.filePath).pipe(response);
  }

  /** Compares digests so the comparison takes the same time whatever the header's length. */
  function hasBridgeSecret(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') {
      return false;
    }
    return timingSafeEqual(digest(header), secretDigest);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, loopbackAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo | null;
  if (address === null || address.address !== loopbackAddress) {
    server.close();
    throw new Error(`The browser shell must listen on ${loopbackAddress} only, but it is bound to ${address?.address}.`);
  }
  allowedHosts = new Set([`${loopbackAddress}:${address.port}`, `localhost:${address.port}`]);
  logger.info({ port: address.port }, 'browser shell listening');

  return {
    url: `http://${loopbackAddress}:${address.port}/#bridge=${secret}`,
    port: address.port,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      logger.info({ port: address.port }, 'browser shell stopped');
    },
  };
}

function isBridgeMethod(value: string): value is BridgeMethod {
  return Object.hasOwn(bridgeChannels, value);
}

function isJsonContentType(header: string | undefined): boolean {
  const mediaType = header?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json';
}

/**
 * Reads the body up to the limit, or returns null as soon as it is larger. The caller then
 * responds 413 with `Connection: close`, so the rest of the upload is dropped with the connection.
 */
function readBody(request: http.IncomingMessage): Promise<string | null> {
  const declaredLength = Number(request.headers['content-length'] ?? '0');
  if (declaredLength > maxBodyBytes) {
    return Promise.resolve(null);
  }

  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let isTooLarge = false;
    request.on('data', (chunk: Buffer) => {
      if (isTooLarge) {
        return;
      }
      received += chunk.length;
      if (received > maxBodyBytes) {
        isTooLarge = true;
        chunks.length = 0;
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!isTooLarge) {
        resolve(Buffer.concat(chunks).toString('utf8'));
      }
    });
    request.on('error', reject);
  });
}

/** Parses the request body. An empty body becomes `undefined`, the input of methods that take none. */
function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false } {
  if (body.trim() === '') {
    return { ok: true, value: undefined };
  }
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function rejectRequest(response: http.ServerResponse, isBridgeRequest: boolean, status: number, code: ErrorCode): void {
  if (isBridgeRequest) {
    sendResult(response, status, bridgeFailure(code));
  } else {
    sendText(response, status, errorCatalogue[code].message);
  }
}

function sendResult(response: http.ServerResponse, status: number, result: BridgeResult<unknown>): void {
  const body = JSON.stringify(result);
  response.writeHead(status, {
    ...rendererSecurityHeaders,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  response.end(body);
}

function sendText(response: http.ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    ...rendererSecurityHeaders,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
