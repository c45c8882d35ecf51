import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import tls from 'node:tls';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import {
  apiBasePath,
  deviceHeader,
  type ApiErrorBody,
  type DeviceFingerprint,
  type PasswordStepRequest,
  type PasswordStepResponse,
  type SendCodeRequest,
  type SendCodeResponse,
  type SessionInfo,
  type VerifyCodeRequest,
  type VerifyCodeResponse,
} from '../shared/api';
import type { BridgeResult } from '../shared/bridge';
import { isErrorCode, type ErrorDetails } from '../shared/error-codes';
import { silentLogger, type Logger } from './agent-logger';
import type { ServerTrust } from './agent-settings';
import { bridgeFailure, bridgeSuccess } from './bridge-result';
import { isSameFingerprint } from './server-certificate';

/** The server's HTTP API as the agent uses it. Every call resolves to a BridgeResult and never rejects. */
export interface ApiClient {
  readonly serverUrl: string;
  submitPassword(request: PasswordStepRequest): Promise<BridgeResult<PasswordStepResponse>>;
  sendCode(request: SendCodeRequest): Promise<BridgeResult<SendCodeResponse>>;
  verifyCode(request: VerifyCodeRequest): Promise<BridgeResult<VerifyCodeResponse>>;
  getSession(credentials: SessionCredentials): Promise<BridgeResult<SessionInfo>>;
  logout(credentials: SessionCredentials): Promise<BridgeResult<null>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export interface SessionCredentials {
  sessionToken: string;
  deviceFingerprint: DeviceFingerprint;
}

export const apiTimeoutMs = 10_000;
const maxResponseBytes = 1024 * 1024;

/** Raised inside the TLS handshake when the presented leaf is not the pinned certificate. */
const pinMismatchCode = 'CLINICGATE_CERTIFICATE_PIN_MISMATCH';

/** Node and OpenSSL codes that mean the presented certificate failed verification. */
const certificateErrorCodes = new Set([
  pinMismatchCode,
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
]);

/** Codes that mean the server could not be reached or did not respond in time. */
const networkErrorCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EPIPE',
  'EPROTO',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
  'ERR_NETWORK',
]);

/**
 * Creates the client for one configured server. TLS verification is always on: the trust
 * anchors are the confirmed certificate chain or the IT person's CA file, and in pinned mode
 * the presented leaf must also carry the confirmed SHA-256 fingerprint. Because the check runs
 * inside the handshake, a server that fails it never receives a request byte.
 */
export function createApiClient(options: { server: ServerTrust; logger?: Logger; timeoutMs?: number }): ApiClient {
  const { server } = options;
  const logger = options.logger ?? silentLogger;
  const httpsAgent = new https.Agent({
    ca: server.caPem,
    minVersion: 'TLSv1.2',
    keepAlive: true,
    checkServerIdentity: (hostname, certificate) => checkServerCertificate(server, hostname, certificate),
  });
  const http = axios.create({
    baseURL: `${server.serverUrl}${apiBasePath}`,
    adapter: 'http',
    httpsAgent,
    timeout: options.timeoutMs ?? apiTimeoutMs,
    // A proxy from the environment would see the traffic through a different path, and the
    // server never redirects the API, so neither is followed.
    proxy: false,
    maxRedirects: 0,
    maxContentLength: maxResponseBytes,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    headers: { Accept: 'application/json' },
  });

  async function send<T>(
    operation: string,
    call: (client: AxiosInstance) => Promise<AxiosResponse<string>>,
    isExpectedBody: (body: unknown) => body is T,
  ): Promise<BridgeResult<T>> {
    let response: AxiosResponse<string>;
    try {
      response = await call(http);
    } catch (error) {
      return mapRequestError(operation, error, logger);
    }
    return mapResponse(operation, response, isExpectedBody, logger);
  }

  return {
    serverUrl: server.serverUrl,
    submitPassword: (request) =>
      send('auth.password', (client) => client.post('/auth/password', request), isPasswordStepResponse),
    sendCode: (request) => send('auth.otp_send', (client) => client.post('/auth/otp/send', request), isSendCodeResponse),
    verifyCode: (request) =>
      send('auth.otp_verify', (client) => client.post('/auth/otp/verify', request), isVerifyCodeResponse),
    getSession: (credentials) =>
      send('session.get', (client) => client.get('/session', { headers: sessionHeaders(credentials) }), isSessionInfo),
    async logout(credentials) {
      const result = await send(
        'session.logout',
        // No body and so no Content-Type (false stops axios adding its form default), because
        // a server expects a body that matches a declared content type.
        (client) =>
          client.post('/session/logout', undefined, {
            headers: { ...sessionHeaders(credentials), 'Content-Type': false },
          }),
        isAnyBody,
      );
      return result.ok ? bridgeSuccess(null) : result;
    },
    close: () => httpsAgent.destroy(),
  };
}

function checkServerCertificate(server: ServerTrust, hostname: string, certificate: PeerCertificate): Error | undefined {
  const identityError = tls.checkServerIdentity(hostname, certificate);
  if (identityError !== undefined) {
    return identityError;
  }
  if (server.pinnedFingerprint !== null && !isSameFingerprint(certificate.fingerprint256, server.pinnedFingerprint)) {
    return Object.assign(new Error('The server certificate is not the confirmed one.'), { code: pinMismatchCode });
  }
  return undefined;
}

function sessionHeaders(credentials: SessionCredentials): Record<string, string> {
  return {
    Authorization: `Bearer ${credentials.sessionToken}`,
    [deviceHeader]: credentials.deviceFingerprint,
  };
}

function mapRequestError<T>(operation: string, error: unknown, logger: Logger): BridgeResult<T> {
  const code = error instanceof AxiosError ? error.code : undefined;
  const causeCode = readErrorCode(error instanceof Error ? error.cause : undefined);

  if ((code !== undefined && certificateErrorCodes.has(code)) || (causeCode !== undefined && certificateErrorCodes.has(causeCode))) {
    logger.warn({ operation, reason: code ?? causeCode }, 'server certificate rejected');
    return bridgeFailure('SERVER_CERTIFICATE_MISMATCH');
  }
  if (isNetworkError(code) || isNetworkError(causeCode)) {
    logger.warn({ operation, reason: code ?? causeCode }, 'server unreachable');
    return bridgeFailure('SERVER_UNREACHABLE');
  }

  logger.error({ operation, reason: code ?? causeCode ?? 'unknown' }, 'api request failed unexpectedly');
  return bridgeFailure('INTERNAL_ERROR');
}

function mapResponse<T>(
  operation: string,
  response: AxiosResponse<string>,
  isExpectedBody: (body: unknown) => body is T,
  logger: Logger,
): BridgeResult<T> {
  const body = parseJson(response.data);

  if (response.status >= 200 && response.status < 300) {
    if (isExpectedBody(body)) {
      return bridgeSuccess(body);
    }
    logger.error({ operation, status: response.status }, 'server response has an unexpected shape');
    return bridgeFailure('INTERNAL_ERROR');
  }

  if (isApiErrorBody(body)) {
    const { code, message, ...rest } = body.error;
    return bridgeFailure(code, { message, ...pickErrorDetails(rest) });
  }
  logger.error({ operation, status: response.status }, 'server error response has an unexpected shape');
  return bridgeFailure('INTERNAL_ERROR');
}

/** Copies only the documented detail fields, with the documented types. */
function pickErrorDetails(source: Record<string, unknown>): ErrorDetails {
  const details: ErrorDetails = {};
  if (typeof source.attemptsRemaining === 'number') {
    details.attemptsRemaining = source.attemptsRemaining;
  }
  if (typeof source.retryAfterSeconds === 'number') {
    details.retryAfterSeconds = source.retryAfterSeconds;
  }
  if (Array.isArray(source.channels)) {
    details.channels = source.channels.filter((channel): channel is 'email' | 'sms' => channel === 'email' || channel === 'sms');
  }
  if (typeof source.field === 'string') {
    details.field = source.field;
  }
  return details;
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function readErrorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string') {
    return (error as { code: string }).code;
  }
  return undefined;
}

function isNetworkError(code: string | undefined): boolean {
  // ERR_SSL_* covers handshakes that fail before any certificate is seen, such as a plain
  // HTTP server on the port or a server that offers only TLS 1.0.
  return code !== undefined && (networkErrorCodes.has(code) || code.startsWith('ERR_SSL_'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isApiErrorBody(body: unknown): body is ApiErrorBody {
  return (
    isRecord(body) && isRecord(body.error) && isErrorCode(body.error.code) && typeof body.error.message === 'string'
  );
}

function isSessionInfo(body: unknown): body is SessionInfo {
  return (
    isRecord(body) &&
    isRecord(body.user) &&
    typeof body.user.username === 'string' &&
    typeof body.user.displayName === 'string' &&
    typeof body.user.role === 'string' &&
    Array.isArray(body.user.permissions) &&
    isRecord(body.practice) &&
    typeof body.practice.name === 'string' &&
    typeof body.expiresAt === 'string' &&
    typeof body.idleExpiresAt === 'string' &&
    typeof body.mfa === 'boolean'
  );
}

function isSessionGrant(value: unknown): boolean {
  return isRecord(value) && typeof value.token === 'string' && value.token !== '' && isSessionInfo(value.info);
}

function isPasswordStepResponse(body: unknown): body is PasswordStepResponse {
  if (!isRecord(body)) {
    return false;
  }
  if (body.status === 'signed_in') {
    return isSessionGrant(body.session);
  }
  return (
    body.status === 'mfa_required' &&
    isRecord(body.challenge) &&
    typeof body.challenge.challengeToken === 'string' &&
    body.challenge.challengeToken !== '' &&
    typeof body.challenge.reason === 'string' &&
    Array.isArray(body.challenge.channels) &&
    typeof body.challenge.preferredChannel === 'string'
  );
}

function isSendCodeResponse(body: unknown): body is SendCodeResponse {
  return (
    isRecord(body) &&
    typeof body.channel === 'string' &&
    typeof body.destination === 'string' &&
    typeof body.codeExpiresAt === 'string' &&
    typeof body.resendAvailableAt === 'string' &&
    typeof body.sendsRemainingThisHour === 'number' &&
    typeof body.attemptsRemaining === 'number'
  );
}

function isVerifyCodeResponse(body: unknown): body is VerifyCodeResponse {
  if (!isRecord(body) || !isSessionGrant(body.session)) {
    return false;
  }
  return body.deviceTrust === undefined || (isRecord(body.deviceTrust) && typeof body.deviceTrust.token === 'string');
}

/** Accepts 204 (no body) as well as a JSON acknowledgement. */
function isAnyBody(body: unknown): body is unknown {
  return true;
}
