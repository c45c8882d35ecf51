import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ReceivedMessageLog } from './received-message-log';

const maxRequestBytes = 64 * 1024;

/**
 * Starts an HTTP server on 127.0.0.1 that responds like Twilio's Messages API
 * (`POST /2010-04-01/Accounts/{accountSid}/Messages.json`, basic auth, form fields
 * To, From and Body) and keeps each accepted message in memory. With `tls`, it serves
 * HTTPS with that key and certificate.
 */
export async function startSmsProviderSink(options: SmsProviderSinkOptions): Promise<SmsProviderSink> {
  let failureMode: SmsProviderSinkFailureMode = 'none';
  const log = new ReceivedMessageLog<ReceivedSms>('SMS provider sink', (message, address) => message.to === address);
  const messagesPath = `/2010-04-01/Accounts/${options.accountSid}/Messages.json`;
  const expectedAuthorization = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (failureMode === 'hang') {
      request.resume();
      return;
    }
    if (failureMode === 'server-error') {
      sendJson(response, 500, { code: 20500, message: 'An internal server error has occurred', status: 500 });
      return;
    }
    if (request.method !== 'POST' || request.url !== messagesPath) {
      sendJson(response, 404, { code: 20404, message: `The requested resource ${request.url ?? ''} was not found`, status: 404 });
      return;
    }
    if (request.headers.authorization !== expectedAuthorization) {
      response.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      sendJson(response, 401, { code: 20003, message: 'Authentication Error - invalid username or password', status: 401 });
      return;
    }

    readForm(request).then(
      (form) => {
        const message = readMessageFields(form);
        if (typeof message === 'string') {
          sendJson(response, 400, { code: 21604, message: `A '${message}' parameter is required.`, status: 400 });
          return;
        }

        const sid = `SM${randomBytes(16).toString('hex')}`;
        log.add(message);
        sendJson(response, 201, { sid, status: 'queued', to: message.to, from: message.from, body: message.body });
      },
      () => sendJson(response, 413, { code: 21617, message: 'The request body is too large.', status: 413 }),
    );
  };

  const server: Server =
    options.tls === undefined
      ? createHttpServer(handleRequest)
      : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handleRequest);

  // Hanging requests keep their sockets open, so close() destroys them instead of waiting.
  const openSockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    openSockets.add(socket);
    socket.once('close', () => openSockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls === undefined ? 'http' : 'https';

  return {
    baseUrl: `${scheme}://127.0.0.1:${port}`,
    messages: log.messages,
    waitForMessage: (to, timeoutMs = 10_000) => log.waitForMessage(to, timeoutMs),
    setFailure(mode) {
      failureMode = mode;
    },
    close() {
      log.rejectPendingWaits();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of openSockets) {
        socket.destroy();
      }
      return closed;
    },
  };
}

function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let receivedBytes = 0;
    request.on('data', (chunk: Buffer) => {
      receivedBytes += chunk.length;
      if (receivedBytes > maxRequestBytes) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('error', reject);
    request.on('end', () => {
      const isForm = (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
      resolve(new URLSearchParams(isForm ? Buffer.concat(chunks).toString('utf8') : ''));
    });
  });
}

// Returns the name of the first missing field, or the message.
function readMessageFields(form: URLSearchParams): ReceivedSms | string {
  const to = form.get('To');
  const from = form.get('From');
  const body = form.get('Body');
  if (to === null || to === '') {
    return 'To';
  }
  if (from === null || from === '') {
    return 'From';
  }
  if (body === null || body === '') {
    return 'Body';
  }
  return { to, from, body };
}

function sendJson(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

export interface SmsProviderSinkOptions {
  accountSid: string;
  authToken: string;
  /** PEM key and certificate for HTTPS; without them the sink serves plain HTTP. */
  tls?: { key: string; cert: string };
}

/** `server-error`: HTTP 500 to every request. `hang`: no response at all. */
export type SmsProviderSinkFailureMode = 'none' | 'server-error' | 'hang';

export interface SmsProviderSink {
  /** Like `https://127.0.0.1:41234`, for `SmsProviderSettings.baseUrl`. */
  baseUrl: string;
  /** Every accepted message, in arrival order. */
  messages: ReceivedSms[];
  /** Resolves with the first message to `to` that no earlier call has returned, waiting for one if needed. */
  waitForMessage(to: string, timeoutMs?: number): Promise<ReceivedSms>;
  setFailure(mode: SmsProviderSinkFailureMode): void;
  close(): Promise<void>;
}

export interface ReceivedSms {
  to: string;
  from: string;
  body: string;
}
