import https from 'node:https';
import type { PeerCertificate } from 'node:tls';
import tls from 'node:tls';
import axios, { AxiosError, type AxiosInstance, type AxiosResponse } from 'axios';
import {
  apiBasePath,
  backgroundRequestHeader,
  deviceHeader,
  type AccountSetupCodeResentResponse,
  type AccountSetupCompleteRequest,
  type AccountSetupVerifyRequest,
  type AccountSetupVerifyResponse,
  type ActiveSessionList,
  type ApiErrorBody,
  type AuditEventPage,
  type ContactChangeRequest,
  type ContactChangeStartedResponse,
  type ContactChangeVerifyRequest,
  type CreatePracticeUserRequest,
  type CreatePracticeUserResponse,
  type OtpChannel,
  type PracticeSettingChangeResponse,
  type PracticeSettingsResponse,
  type PracticeUserAction,
  type PracticeUserActionResponse,
  type PracticeUserDetailsChangeResponse,
  type PracticeUserSummary,
  type ProfileResponse,
  type Role,
  type TrustedNetworksChangeResponse,
  type ChangePasswordRequest,
  type ChangePasswordResponse,
  type PasswordResetCodeSent,
  type PasswordResetCompleteRequest,
  type PasswordResetRequest,
  type PasswordResetResendRequest,
  type PasswordResetVerifyRequest,
  type PasswordResetVerifyResponse,
  type AuditEventQuery,
  type DeviceFingerprint,
  type PasswordStepRequest,
  type RevokeTrustedDeviceResponse,
  type TrustedDeviceList,
  type TrustedDeviceSummary,
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
  /** Reads the session. A background read (the app's own check) does not count as the person's activity. */
  getSession(credentials: SessionCredentials, options?: { isBackground?: boolean }): Promise<BridgeResult<SessionInfo>>;
  logout(credentials: SessionCredentials): Promise<BridgeResult<null>>;
  /** Ends the session because the app locked after inactivity; the server audits `session.timed_out`. */
  timeOutSession(credentials: SessionCredentials): Promise<BridgeResult<null>>;
  listAuditEvents(credentials: SessionCredentials, query: AuditEventQuery): Promise<BridgeResult<AuditEventPage>>;
  exportAuditEvents(credentials: SessionCredentials, query: AuditEventQuery): Promise<BridgeResult<string>>;
  listTrustedDevices(credentials: SessionCredentials): Promise<BridgeResult<TrustedDeviceList>>;
  renameTrustedDevice(credentials: SessionCredentials, request: { deviceId: string; label: string | null }): Promise<BridgeResult<TrustedDeviceSummary>>;
  revokeTrustedDevice(credentials: SessionCredentials, request: { deviceId: string }): Promise<BridgeResult<RevokeTrustedDeviceResponse>>;
  requestPasswordReset(request: PasswordResetRequest): Promise<BridgeResult<PasswordResetCodeSent>>;
  resendPasswordResetCode(request: PasswordResetResendRequest): Promise<BridgeResult<PasswordResetCodeSent>>;
  verifyPasswordResetCode(request: PasswordResetVerifyRequest): Promise<BridgeResult<PasswordResetVerifyResponse>>;
  completePasswordReset(request: PasswordResetCompleteRequest): Promise<BridgeResult<null>>;
  verifyAccountSetupCode(request: AccountSetupVerifyRequest): Promise<BridgeResult<AccountSetupVerifyResponse>>;
  completeAccountSetup(request: AccountSetupCompleteRequest): Promise<BridgeResult<null>>;
  changePassword(credentials: SessionCredentials, request: ChangePasswordRequest): Promise<BridgeResult<ChangePasswordResponse>>;
  getPracticeSettings(credentials: SessionCredentials): Promise<BridgeResult<PracticeSettingsResponse>>;
  changePracticeSetting(credentials: SessionCredentials, request: { setting: string; value: number }): Promise<BridgeResult<PracticeSettingChangeResponse>>;
  setTrustedNetworks(credentials: SessionCredentials, request: { networks: string[] }): Promise<BridgeResult<TrustedNetworksChangeResponse>>;
  listPracticeUsers(credentials: SessionCredentials, request: { search: string }): Promise<BridgeResult<{ users: PracticeUserSummary[] }>>;
  createPracticeUser(credentials: SessionCredentials, request: CreatePracticeUserRequest): Promise<BridgeResult<CreatePracticeUserResponse>>;
  sendAccountSetupCode(credentials: SessionCredentials, request: { userId: string }): Promise<BridgeResult<AccountSetupCodeResentResponse>>;
  updatePracticeUserDetails(
    credentials: SessionCredentials,
    request: { userId: string; change: { displayName?: string; email?: string; mobile?: string | null } },
  ): Promise<BridgeResult<PracticeUserDetailsChangeResponse>>;
  changePracticeUserRole(credentials: SessionCredentials, request: { userId: string; role: Role }): Promise<BridgeResult<PracticeUserActionResponse>>;
  administerPracticeUser(credentials: SessionCredentials, request: { userId: string; action: PracticeUserAction }): Promise<BridgeResult<PracticeUserActionResponse>>;
  listPracticeUserDevices(credentials: SessionCredentials, request: { userId: string }): Promise<BridgeResult<TrustedDeviceList>>;
  revokePracticeUserDevice(credentials: SessionCredentials, request: { userId: string; deviceId: string }): Promise<BridgeResult<RevokeTrustedDeviceResponse>>;
  getProfile(credentials: SessionCredentials): Promise<BridgeResult<ProfileResponse>>;
  setPreferredChannel(credentials: SessionCredentials, request: { channel: OtpChannel }): Promise<BridgeResult<ProfileResponse>>;
  startContactChange(credentials: SessionCredentials, request: ContactChangeRequest): Promise<BridgeResult<ContactChangeStartedResponse>>;
  verifyContactChange(credentials: SessionCredentials, request: ContactChangeVerifyRequest): Promise<BridgeResult<ProfileResponse>>;
  listActiveSessions(credentials: SessionCredentials): Promise<BridgeResult<ActiveSessionList>>;
  signOutEverywhere(credentials: SessionCredentials): Promise<BridgeResult<{ sessionsEnded: number }>>;
  /** Closes idle keep-alive connections. */
  close(): void;
}

export interface SessionCredentials {
  sessionToken: string;
  deviceFingerprint: DeviceFingerprint;
}

export const apiTimeoutMs = 10_000;
const maxResponseBytes = 1024 * 1024;
/** Largest CSV export the agent accepts; about 200,000 rows. */
export const maxAuditExportBytes = 64 * 1024 * 1024;
const auditExportTimeoutMs = 120_000;

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
    getSession: (credentials, sessionOptions) =>
      send(
        'session.get',
        (client) =>
          client.get('/session', {
            headers: { ...sessionHeaders(credentials), ...(sessionOptions?.isBackground === true ? { [backgroundRequestHeader]: '1' } : {}) },
          }),
        isSessionInfo,
      ),
    async timeOutSession(credentials) {
      const result = await send(
        'session.timeout',
        (client) => client.post('/session/timeout', undefined, { headers: { ...sessionHeaders(credentials), 'Content-Type': false } }),
        isAnyBody,
      );
      return result.ok ? bridgeSuccess(null) : result;
    },
    listTrustedDevices: (credentials) =>
      send('devices.list', (client) => client.get('/devices', { headers: sessionHeaders(credentials) }), isTrustedDeviceList),
    renameTrustedDevice: (credentials, request) =>
      send(
        'devices.rename',
        (client) => client.patch(`/devices/${encodeURIComponent(request.deviceId)}`, { label: request.label }, { headers: sessionHeaders(credentials) }),
        isTrustedDeviceSummary,
      ),
    revokeTrustedDevice: (credentials, request) =>
      send(
        'devices.revoke',
        (client) => client.delete(`/devices/${encodeURIComponent(request.deviceId)}`, { headers: sessionHeaders(credentials) }),
        isRevokeTrustedDeviceResponse,
      ),
    listAuditEvents: (credentials, query) =>
      send(
        'audit.list',
        (client) => client.get('/audit/events', { headers: sessionHeaders(credentials), params: toAuditParams(query) }),
        isAuditEventPage,
      ),
    async exportAuditEvents(credentials, query) {
      let response: AxiosResponse<string>;
      try {
        response = await http.get('/audit/events.csv', {
          headers: { ...sessionHeaders(credentials), Accept: 'text/csv' },
          params: toAuditParams(query),
          maxContentLength: maxAuditExportBytes,
          timeout: auditExportTimeoutMs,
        });
      } catch (error) {
        if (error instanceof AxiosError && error.code === AxiosError.ERR_BAD_RESPONSE && /maxContentLength/.test(error.message)) {
          return bridgeFailure('VALIDATION_FAILED', {
            message: 'The export is larger than 64 MB. Narrow the filters, for example to a shorter time range, and export again.',
          });
        }
        return mapRequestError('audit.export', error, logger);
      }
      const contentType = String(response.headers['content-type'] ?? '');
      if (response.status === 200 && contentType.startsWith('text/csv') && typeof response.data === 'string') {
        return bridgeSuccess(response.data);
      }
      return mapResponse('audit.export', response, isNeverSuccess, logger);
    },
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
    requestPasswordReset: (request) =>
      send('password_reset.request', (client) => client.post('/auth/password-reset/request', request), isPasswordResetCodeSent),
    resendPasswordResetCode: (request) =>
      send('password_reset.resend', (client) => client.post('/auth/password-reset/resend', request), isPasswordResetCodeSent),
    verifyPasswordResetCode: (request) =>
      send('password_reset.verify', (client) => client.post('/auth/password-reset/verify', request), isPasswordResetVerifyResponse),
    async completePasswordReset(request) {
      const result = await send('password_reset.complete', (client) => client.post('/auth/password-reset/complete', request), isAnyBody);
      return result.ok ? bridgeSuccess(null) : result;
    },
    verifyAccountSetupCode: (request) =>
      send('account_setup.verify', (client) => client.post('/auth/account-setup/verify', request), isAccountSetupVerifyResponse),
    async completeAccountSetup(request) {
      const result = await send('account_setup.complete', (client) => client.post('/auth/account-setup/complete', request), isAnyBody);
      return result.ok ? bridgeSuccess(null) : result;
    },
    changePassword: (credentials, request) =>
      send('account.change_password', (client) => client.post('/account/password', request, { headers: sessionHeaders(credentials) }), isChangePasswordResponse),
    getPracticeSettings: (credentials) =>
      send('practice.get_settings', (client) => client.get('/admin/practice/settings', { headers: sessionHeaders(credentials) }), hasRecordField('settings')),
    changePracticeSetting: (credentials, request) =>
      send(
        'practice.change_setting',
        (client) =>
          client.put(`/admin/practice/settings/${encodeURIComponent(request.setting)}`, { value: request.value }, { headers: sessionHeaders(credentials) }),
        hasNumberField('newValue'),
      ),
    setTrustedNetworks: (credentials, request) =>
      send('practice.set_trusted_networks', (client) => client.put('/admin/practice/trusted-networks', request, { headers: sessionHeaders(credentials) }), hasArrayField('trustedNetworks')),
    listPracticeUsers: (credentials, request) =>
      send(
        'users.list',
        (client) => client.get('/admin/users', { headers: sessionHeaders(credentials), params: request.search === '' ? {} : { search: request.search } }),
        hasArrayField('users'),
      ),
    createPracticeUser: (credentials, request) =>
      send('users.create', (client) => client.post('/admin/users', request, { headers: sessionHeaders(credentials) }), hasStringField('username')),
    sendAccountSetupCode: (credentials, request) =>
      send(
        'users.send_setup_code',
        // No body, as for the other user actions, because the action is in the path.
        (client) =>
          client.post(`/admin/users/${encodeURIComponent(request.userId)}/setup-code`, undefined, {
            headers: { ...sessionHeaders(credentials), 'Content-Type': false },
          }),
        hasStringField('codeExpiresAt'),
      ),
    updatePracticeUserDetails: (credentials, request) =>
      send(
        'users.update',
        (client) => client.patch(`/admin/users/${encodeURIComponent(request.userId)}`, request.change, { headers: sessionHeaders(credentials) }),
        hasRecordField('user'),
      ),
    changePracticeUserRole: (credentials, request) =>
      send(
        'users.change_role',
        (client) => client.put(`/admin/users/${encodeURIComponent(request.userId)}/role`, { role: request.role }, { headers: sessionHeaders(credentials) }),
        hasRecordField('user'),
      ),
    administerPracticeUser: (credentials, request) =>
      send(
        'users.administer',
        // No body, as for logout, because the action is in the path.
        (client) =>
          client.post(`/admin/users/${encodeURIComponent(request.userId)}/${request.action}`, undefined, {
            headers: { ...sessionHeaders(credentials), 'Content-Type': false },
          }),
        hasRecordField('user'),
      ),
    listPracticeUserDevices: (credentials, request) =>
      send(
        'users.list_devices',
        (client) => client.get(`/admin/users/${encodeURIComponent(request.userId)}/devices`, { headers: sessionHeaders(credentials) }),
        isTrustedDeviceList,
      ),
    revokePracticeUserDevice: (credentials, request) =>
      send(
        'users.revoke_device',
        (client) =>
          client.delete(`/admin/users/${encodeURIComponent(request.userId)}/devices/${encodeURIComponent(request.deviceId)}`, {
            headers: sessionHeaders(credentials),
          }),
        isRevokeTrustedDeviceResponse,
      ),
    getProfile: (credentials) => send('profile.get', (client) => client.get('/profile', { headers: sessionHeaders(credentials) }), hasStringField('username')),
    setPreferredChannel: (credentials, request) =>
      send('profile.set_preferred_channel', (client) => client.put('/profile/preferred-channel', request, { headers: sessionHeaders(credentials) }), hasStringField('username')),
    startContactChange: (credentials, request) =>
      send('profile.start_contact_change', (client) => client.post('/profile/contact', request, { headers: sessionHeaders(credentials) }), hasStringField('destination')),
    verifyContactChange: (credentials, request) =>
      send('profile.verify_contact_change', (client) => client.post('/profile/contact/verify', request, { headers: sessionHeaders(credentials) }), hasStringField('username')),
    listActiveSessions: (credentials) =>
      send('profile.list_sessions', (client) => client.get('/profile/sessions', { headers: sessionHeaders(credentials) }), hasArrayField('sessions')),
    signOutEverywhere: (credentials) =>
      send(
        'profile.sign_out_everywhere',
        (client) =>
          client.post('/profile/sessions/sign-out-everywhere', undefined, {
            headers: { ...sessionHeaders(credentials), 'Content-Type': false },
          }),
        hasNumberField('sessionsEnded'),
      ),
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

/** Copies only the documented query fields, so nothing else reaches the URL. */
function toAuditParams(query: AuditEventQuery): Record<string, string> {
  const params: Record<string, string> = {};
  for (const name of ['user', 'event', 'outcome', 'from', 'to', 'sort', 'order', 'cursor'] as const) {
    const value = query[name];
    if (typeof value === 'string' && value !== '') {
      params[name] = value;
    }
  }
  if (typeof query.pageSize === 'number') {
    params.pageSize = String(query.pageSize);
  }
  return params;
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
  if (typeof source.minPasswordLength === 'number') {
    details.minPasswordLength = source.minPasswordLength;
  }
  // Bounded so a faulty server cannot push a page of text into an alert.
  if (typeof source.problem === 'string' && source.problem.length <= 1000) {
    details.problem = source.problem;
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

function isTrustedDeviceList(value: unknown): value is TrustedDeviceList {
  return isRecord(value) && Array.isArray(value.devices) && value.devices.every(isTrustedDeviceSummary);
}

function isTrustedDeviceSummary(value: unknown): value is TrustedDeviceSummary {
  const isTextOrNull = (field: unknown): boolean => typeof field === 'string' || field === null;
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    isTextOrNull(value.label) &&
    isTextOrNull(value.hostname) &&
    typeof value.firstUsedAt === 'string' &&
    isTextOrNull(value.lastUsedAt) &&
    isTextOrNull(value.lastLocation) &&
    typeof value.expiresAt === 'string' &&
    typeof value.isCurrentDevice === 'boolean'
  );
}

function isRevokeTrustedDeviceResponse(value: unknown): value is RevokeTrustedDeviceResponse {
  return isRecord(value) && typeof value.sessionsEnded === 'number' && typeof value.wasCurrentDevice === 'boolean';
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

function isAuditEventPage(body: unknown): body is AuditEventPage {
  return (
    isRecord(body) &&
    Array.isArray(body.events) &&
    body.events.every((event) => isRecord(event) && typeof event.id === 'number' && typeof event.event === 'string') &&
    (body.nextCursor === null || typeof body.nextCursor === 'string')
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

/** Accepts no success body, for a response whose success case was handled before. */
function isPasswordResetCodeSent(body: unknown): body is PasswordResetCodeSent {
  return (
    isRecord(body) &&
    ['challengeToken', 'destination', 'codeExpiresAt', 'resendAvailableAt', 'expiresAt'].every((key) => typeof body[key] === 'string')
  );
}

function isAccountSetupVerifyResponse(body: unknown): body is AccountSetupVerifyResponse {
  if (!isRecord(body) || typeof body.username !== 'string' || typeof body.codeExpiresAt !== 'string' || !isRecord(body.passwordPolicy)) {
    return false;
  }
  return typeof body.passwordPolicy.minLength === 'number' && typeof body.passwordPolicy.maxLength === 'number';
}

function isPasswordResetVerifyResponse(body: unknown): body is PasswordResetVerifyResponse {
  if (!isRecord(body) || typeof body.resetToken !== 'string' || typeof body.expiresAt !== 'string' || !isRecord(body.passwordPolicy)) {
    return false;
  }
  return typeof body.passwordPolicy.minLength === 'number' && typeof body.passwordPolicy.maxLength === 'number';
}

function isChangePasswordResponse(body: unknown): body is ChangePasswordResponse {
  return isRecord(body) && typeof body.otherSessionsEnded === 'number';
}

// Shallow checks for the administration and profile replies. Each checks the one field that
// identifies the reply, because the screens only display the rest.
function hasRecordField<T>(field: string): (body: unknown) => body is T {
  return (body: unknown): body is T => isRecord(body) && isRecord(body[field]);
}

function hasArrayField<T>(field: string): (body: unknown) => body is T {
  return (body: unknown): body is T => isRecord(body) && Array.isArray(body[field]);
}

function hasStringField<T>(field: string): (body: unknown) => body is T {
  return (body: unknown): body is T => isRecord(body) && typeof body[field] === 'string';
}

function hasNumberField<T>(field: string): (body: unknown) => body is T {
  return (body: unknown): body is T => isRecord(body) && typeof body[field] === 'number';
}

function isNeverSuccess(_body: unknown): _body is never {
  return false;
}

/** Accepts 204 (no body) as well as a JSON acknowledgement. */
function isAnyBody(body: unknown): body is unknown {
  return true;
}
