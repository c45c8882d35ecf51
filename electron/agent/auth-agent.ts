import os from 'node:os';
import { auditDefaultPageSize, auditMaxPageSize, auditSortColumns, otpChannels, type AuditEventQuery, type OtpChannel, type SessionInfo } from '../shared/api';
import type {
  AgentEvent,
  AgentEventListener,
  BridgeMethod,
  BridgeResult,
  ClinicGateBridge,
  CodeDelivery,
  PasswordOutcome,
  ServerCertificate,
  SessionView,
  SetupState,
} from '../shared/bridge';
import type { ErrorCode } from '../shared/error-codes';
import { createModuleLogger, silentLogger, type Logger } from './agent-logger';
import type { AgentSettings, ServerTrust } from './agent-settings';
import { createApiClient, type ApiClient } from './api-client';
import { bridgeFailure, bridgeSuccess } from './bridge-result';
import { computeDeviceFingerprint, readMachineId } from './device-fingerprint';
import { isSameFingerprint, probeServerCertificate } from './server-certificate';
import { createIdleMonitor } from './idle-monitor';
import { createPasswordFlow } from './password-flow';
import { createAccountSetupFlow } from './account-setup-flow';
import { createAdministrationFlow } from './administration-flow';
import { deviceTrustAccount, sessionAccount, type TokenVault } from './token-vault';

export interface AuthAgentOptions {
  settings: AgentSettings;
  vault: TokenVault;
  /** Raw machine id; read from the operating system (or CLINICGATE_MACHINE_ID) when omitted. */
  machineId?: string;
  shell: 'electron' | 'browser';
  /** Workstation name for the server's trusted-device list; the OS hostname by default. */
  deviceName?: string;
  logger?: Logger;
  /** Seconds since the last input anywhere on the computer; Electron's `powerMonitor.getSystemIdleTime`. */
  readSystemIdleSeconds?: () => number;
  /** Clock in epoch milliseconds for the idle monitor; tests pass a manual one. */
  now?: () => number;
  /** How often the idle monitor re-evaluates, in milliseconds; 1000 by default. */
  idleCheckIntervalMs?: number;
  /**
   * How often a signed-in agent asks the server in the background whether its session still holds,
   * so a session ended elsewhere (a password reset, say) returns this app to sign-in; 30000 by default.
   */
  sessionCheckIntervalMs?: number;
}

/** The bridge plus a way to release its network connections on shutdown. */
export interface AuthAgent extends ClinicGateBridge {
  close(): void;
  /** Re-evaluates the idle monitor at once; the agent also does it on its own timer. */
  checkIdle(): void;
}

/** Server errors after which the pending sign-in attempt cannot continue. */
const challengeEndingCodes = new Set<ErrorCode>([
  'OTP_CHALLENGE_INVALID',
  'OTP_CHALLENGE_EXPIRED',
  'AUTH_ACCOUNT_LOCKED',
  'AUTH_ACCOUNT_DISABLED',
]);

/** Server errors that mean the stored session token is no longer any good. */
const sessionEndingCodes = new Set<ErrorCode>([
  'SESSION_INVALID',
  'SESSION_EXPIRED',
  'SESSION_DEVICE_MISMATCH',
  'SESSION_PASSWORD_CHANGED',
  'SESSION_MFA_REQUIRED',
  'SESSION_REVOKED_BY_ADMIN',
  'SESSION_ACCOUNT_DEACTIVATED',
  'SESSION_SIGNED_OUT_EVERYWHERE',
]);

const maxUsernameLength = 256;
const maxPasswordLength = 1024;
const maxCodeLength = 32;
const maxFingerprintLength = 200;
const defaultIdleTimeoutMinutes = 15;
const maxDeviceIdLength = 64;
const maxDeviceLabelLength = 100;

/**
 * Creates the local auth agent: the sign-in flow behind the bridge. Tokens never leave it.
 * The challenge token lives in memory only, session and device-trust tokens in the vault.
 * Every method resolves to a BridgeResult and never rejects, so failures cross IPC as data.
 */
export function createAuthAgent(options: AuthAgentOptions): AuthAgent {
  const { settings, vault, shell } = options;
  const logger = createModuleLogger(options.logger ?? silentLogger, 'auth-agent');
  const deviceName = options.deviceName ?? os.hostname();
  let machineId = options.machineId;
  let challenge: PendingChallenge | null = null;
  let client: ApiClient | null = null;
  const listeners = new Set<AgentEventListener>();
  let idleTimeoutMinutes = defaultIdleTimeoutMinutes;
  let idleTimer: NodeJS.Timeout | null = null;
  let sessionCheckTimer: NodeJS.Timeout | null = null;
  const idleMonitor = createIdleMonitor({
    now: options.now ?? Date.now,
    ...(options.readSystemIdleSeconds === undefined ? {} : { readSystemIdleSeconds: options.readSystemIdleSeconds }),
    onWarning: (locksAt) => emit({ type: 'idle_warning', locksAt: new Date(locksAt).toISOString() }),
    onWarningDismissed: () => emit({ type: 'idle_warning_dismissed' }),
    onLock: () => void runInBackground('idle lock', lockAfterInactivity),
    onTouch: (isAfterWarning) => void runInBackground('activity touch', () => touchSession(isAfterWarning)),
  });

  function readMachineIdOnce(): string {
    machineId ??= readMachineId();
    return machineId;
  }

  function deviceFingerprintFor(serverOrigin: string): string {
    return computeDeviceFingerprint({ machineId: readMachineIdOnce(), serverOrigin });
  }

  /** Returns the API client for the configured server, recreating it when the server changed. */
  function connectToServer(): { trust: ServerTrust; api: ApiClient } | null {
    const trust = settings.readServerTrust();
    if (trust === null) {
      return null;
    }
    if (client === null || client.serverUrl !== trust.serverUrl) {
      client?.close();
      client = createApiClient({ server: trust, logger: createModuleLogger(options.logger ?? silentLogger, 'api-client') });
    }
    return { trust, api: client };
  }

  function describeSetupState(): SetupState {
    const trust = settings.readServerTrust();
    const state: SetupState = {
      serverUrl: trust?.serverUrl ?? null,
      certificateFingerprint: trust?.displayFingerprint ?? null,
      tokenStorage: vault.storage,
      shell,
    };
    if (trust === null && settings.suggestedServerUrl !== null) {
      state.suggestedServerUrl = settings.suggestedServerUrl;
    }
    return state;
  }

  async function describeSession(serverOrigin: string, info: SessionInfo): Promise<SessionView> {
    const trustToken = await vault.get(deviceTrustAccount(serverOrigin, info.user.username));
    return {
      user: {
        username: info.user.username,
        displayName: info.user.displayName,
        role: info.user.role,
        permissions: [...info.user.permissions],
      },
      practice: { name: info.practice.name },
      expiresAt: info.expiresAt,
      idleExpiresAt: info.idleExpiresAt,
      mfa: info.mfa,
      workstationRemembered: trustToken !== null,
      ...(info.passwordPolicy === undefined ? {} : { passwordPolicy: { ...info.passwordPolicy } }),
    };
  }

  function emit(event: AgentEvent): void {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        logger.error({ event: event.type, err: describeError(error) }, 'agent event listener failed');
      }
    }
  }

  async function runInBackground(task: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      logger.error({ task, err: describeError(error) }, 'background task failed');
    }
  }

  /** Starts (or restarts) the idle monitor for a session that was just created or found. */
  function watchSession(info: SessionInfo, isNewSession: boolean): void {
    idleTimeoutMinutes = info.idleTimeoutMinutes ?? defaultIdleTimeoutMinutes;
    if (isNewSession || !idleMonitor.isRunning) {
      idleMonitor.start(idleTimeoutMinutes);
    }
    if (idleTimer === null) {
      idleTimer = setInterval(() => idleMonitor.tick(), options.idleCheckIntervalMs ?? 1000);
      idleTimer.unref();
    }
    if (sessionCheckTimer === null) {
      sessionCheckTimer = setInterval(() => void runInBackground('session check', checkSessionInBackground), options.sessionCheckIntervalMs ?? 30_000);
      sessionCheckTimer.unref();
    }
  }

  function stopWatchingSession(): void {
    idleMonitor.stop();
    if (idleTimer !== null) {
      clearInterval(idleTimer);
      idleTimer = null;
    }
    if (sessionCheckTimer !== null) {
      clearInterval(sessionCheckTimer);
      sessionCheckTimer = null;
    }
  }

  /**
   * Asks the server whether the session still holds, marked as background so it never counts as
   * activity. A session the server ended is forgotten here and the renderer returns to sign-in.
   */
  async function checkSessionInBackground(): Promise<void> {
    const credentials = await readSessionCredentials();
    if (credentials === null) {
      return;
    }
    const response = await credentials.api.getSession(credentials, { isBackground: true });
    if (!response.ok && sessionEndingCodes.has(response.error.code)) {
      const wasIdleWarningShown = idleMonitor.isWarningShown;
      await discardEndedSession(credentials.account, response.error.code);
      announceEndedSession(response.error.code, wasIdleWarningShown);
    }
  }

  /**
   * Ends the session after the idle period. The server revokes it and audits `session.timed_out`,
   * the keychain entry is deleted, and an event makes the renderer clear its state. The keychain
   * entry is deleted even when the server cannot be reached, because its own idle time-out ends the session there.
   */
  async function lockAfterInactivity(): Promise<void> {
    stopWatchingSession();
    challenge = null;
    try {
      const connection = connectToServer();
      if (connection === null) {
        return;
      }
      const serverOrigin = connection.trust.serverUrl;
      const account = sessionAccount(serverOrigin);
      const sessionToken = await vault.get(account);
      if (sessionToken === null) {
        return;
      }
      const response = await connection.api.timeOutSession({ sessionToken, deviceFingerprint: deviceFingerprintFor(serverOrigin) });
      await vault.delete(account);
      logger.info({ serverUrl: serverOrigin, serverConfirmed: response.ok, idleTimeoutMinutes }, 'session.timed_out');
    } finally {
      // The screen locks even when the keychain fails, so patient data never stays on an unattended screen.
      emit({ type: 'session_timed_out', idleTimeoutMinutes });
    }
  }

  /**
   * Tells the renderer that the server ended the session. SESSION_EXPIRED during the idle warning
   * (or for the input that dismissed it) is the idle time-out itself, because the server's idle
   * limit can pass up to one touch interval before the local lock. It gets the time-out message.
   */
  function announceEndedSession(code: ErrorCode, isDuringIdleWarning: boolean): void {
    if (code === 'SESSION_EXPIRED' && isDuringIdleWarning) {
      emit({ type: 'session_timed_out', idleTimeoutMinutes });
      return;
    }
    emit({ type: 'session_ended', code });
  }

  /** Tells the server the person is active, which moves its idle deadline forward. */
  async function touchSession(isAfterWarning: boolean): Promise<void> {
    const connection = connectToServer();
    if (connection === null) {
      return;
    }
    const serverOrigin = connection.trust.serverUrl;
    const account = sessionAccount(serverOrigin);
    const sessionToken = await vault.get(account);
    if (sessionToken === null) {
      return;
    }
    const response = await connection.api.getSession({ sessionToken, deviceFingerprint: deviceFingerprintFor(serverOrigin) });
    if (!response.ok && sessionEndingCodes.has(response.error.code)) {
      stopWatchingSession();
      await vault.delete(account);
      logger.info({ serverUrl: serverOrigin, reason: response.error.code }, 'session.discarded');
      announceEndedSession(response.error.code, isAfterWarning);
    }
  }

  /** Returns the stored session token and the request headers' values, or null when signed out. */
  async function readSessionCredentials(): Promise<{ api: ApiClient; account: string; sessionToken: string; deviceFingerprint: string } | null> {
    const connection = connectToServer();
    if (connection === null) {
      return null;
    }
    const serverOrigin = connection.trust.serverUrl;
    const account = sessionAccount(serverOrigin);
    const sessionToken = await vault.get(account);
    if (sessionToken === null) {
      return null;
    }
    return { api: connection.api, account, sessionToken, deviceFingerprint: deviceFingerprintFor(serverOrigin) };
  }

  /** Forgets a session the server no longer accepts, so the next screen is sign-in. */
  async function discardEndedSession(account: string, code: ErrorCode): Promise<void> {
    if (!sessionEndingCodes.has(code)) {
      return;
    }
    stopWatchingSession();
    await vault.delete(account);
    logger.info({ reason: code }, 'session.discarded');
  }

  /** Stores a new session token, first revoking a different one this workstation still held. */
  async function storeSession(serverOrigin: string, api: ApiClient, sessionToken: string): Promise<void> {
    const account = sessionAccount(serverOrigin);
    const previousToken = await vault.get(account);
    if (previousToken !== null && previousToken !== sessionToken) {
      await api.logout({ sessionToken: previousToken, deviceFingerprint: deviceFingerprintFor(serverOrigin) });
    }
    await vault.set(account, sessionToken);
  }

  const passwordFlow = createPasswordFlow({
    connectToServer,
    deviceFingerprintFor,
    async readSignedInUser() {
      const credentials = await readSessionCredentials();
      return credentials === null ? null : { api: credentials.api, account: credentials.account, credentials };
    },
    discardEndedSession,
    recordActivity: () => idleMonitor.recordActivity(),
    logger,
  });

  const accountSetupFlow = createAccountSetupFlow({ connectToServer, deviceFingerprintFor, logger });

  const administrationFlow = createAdministrationFlow({
    async readSignedInUser() {
      const credentials = await readSessionCredentials();
      return credentials === null ? null : { api: credentials.api, account: credentials.account, credentials };
    },
    discardEndedSession,
    recordActivity: () => idleMonitor.recordActivity(),
    logger,
  });

  const bridge: Omit<ClinicGateBridge, 'onAgentEvent'> = {
    ...passwordFlow,
    ...accountSetupFlow,
    ...administrationFlow,
    async getSetupState() {
      return bridgeSuccess(describeSetupState());
    },

    async probeServer(input) {
      const serverUrl = readStringField(input, 'serverUrl', 2048);
      if (serverUrl === null) {
        return bridgeFailure('SERVER_ADDRESS_INVALID', { field: '/serverUrl' });
      }

      const probed = await probeServerCertificate(serverUrl);
      if (!probed.ok) {
        return probed;
      }
      logger.info({ serverUrl: probed.value.certificate.serverUrl }, 'server certificate read');
      return bridgeSuccess<ServerCertificate>(probed.value.certificate);
    },

    async saveServer(input) {
      const serverUrl = readStringField(input, 'serverUrl', 2048);
      const fingerprint = readStringField(input, 'fingerprint', maxFingerprintLength);
      if (serverUrl === null) {
        return bridgeFailure('SERVER_ADDRESS_INVALID', { field: '/serverUrl' });
      }
      if (fingerprint === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/fingerprint' });
      }
      if (settings.isPreconfigured) {
        return bridgeFailure('VALIDATION_FAILED', {
          field: '/serverUrl',
          message: 'The server for this workstation is set by your IT contact and cannot be changed here.',
        });
      }

      // The certificate is read again because the person confirmed what an earlier connection
      // showed; if the server now presents another one, something changed in between.
      const probed = await probeServerCertificate(serverUrl);
      if (!probed.ok) {
        return probed;
      }
      if (!isSameFingerprint(probed.value.certificate.fingerprint, fingerprint)) {
        logger.warn({ serverUrl: probed.value.certificate.serverUrl }, 'server certificate changed before it was saved');
        return bridgeFailure('SERVER_CERTIFICATE_MISMATCH');
      }

      settings.saveConfirmedServer({
        serverUrl: probed.value.certificate.serverUrl,
        chainPem: probed.value.chainPem,
        fingerprint: probed.value.certificate.fingerprint,
      });
      challenge = null;
      return bridgeSuccess(describeSetupState());
    },

    async submitPassword(input) {
      const username = readStringField(input, 'username', maxUsernameLength);
      const password = readStringField(input, 'password', maxPasswordLength);
      if (username === null || username.trim() === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/username' });
      }
      if (password === null || password === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/password' });
      }
      const connection = connectToServer();
      if (connection === null) {
        return bridgeFailure('SERVER_NOT_CONFIGURED');
      }

      challenge = null;
      const serverOrigin = connection.trust.serverUrl;
      const trustAccount = deviceTrustAccount(serverOrigin, username);
      const deviceTrustToken = await vault.get(trustAccount);
      const response = await connection.api.submitPassword({
        username,
        password,
        deviceFingerprint: deviceFingerprintFor(serverOrigin),
        deviceName,
        ...(deviceTrustToken === null ? {} : { deviceTrustToken }),
      });
      if (!response.ok) {
        return response;
      }

      const step = response.value;
      if (step.status === 'signed_in') {
        await storeSession(serverOrigin, connection.api, step.session.token);
        watchSession(step.session.info, true);
        logger.info({ serverUrl: serverOrigin, mfa: step.session.info.mfa }, 'session.created');
        return bridgeSuccess<PasswordOutcome>({
          status: 'signed_in',
          session: await describeSession(serverOrigin, step.session.info),
        });
      }

      // A trust token that the server rejected with "new workstation" is expired or revoked.
      // With the other reasons it may still be valid, so it is kept.
      if (deviceTrustToken !== null && step.challenge.reason === 'new_workstation') {
        await vault.delete(trustAccount);
        logger.info({ serverUrl: serverOrigin }, 'device_trust.discarded');
      }
      challenge = { token: step.challenge.challengeToken, serverOrigin, username };
      logger.info({ serverUrl: serverOrigin, reason: step.challenge.reason }, 'mfa.required');
      return bridgeSuccess<PasswordOutcome>({
        status: 'code_required',
        reason: step.challenge.reason,
        channels: step.challenge.channels.map(({ channel, destination }) => ({ channel, destination })),
        preferredChannel: step.challenge.preferredChannel,
      });
    },

    async sendCode(input) {
      const channel = readStringField(input, 'channel', 16);
      if (channel === null || !isOtpChannel(channel)) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/channel' });
      }
      const pendingChallenge = challenge;
      const connection = connectToServer();
      if (pendingChallenge === null || connection === null || connection.trust.serverUrl !== pendingChallenge.serverOrigin) {
        return bridgeFailure('SIGN_IN_NOT_STARTED');
      }

      const response = await connection.api.sendCode({ challengeToken: pendingChallenge.token, channel });
      if (!response.ok) {
        forgetChallengeAfter(response.error.code, pendingChallenge);
        return response;
      }
      const delivery = response.value;
      return bridgeSuccess<CodeDelivery>({
        channel: delivery.channel,
        destination: delivery.destination,
        codeExpiresAt: delivery.codeExpiresAt,
        resendAvailableAt: delivery.resendAvailableAt,
        sendsRemainingThisHour: delivery.sendsRemainingThisHour,
        attemptsRemaining: delivery.attemptsRemaining,
      });
    },

    async verifyCode(input) {
      const code = readStringField(input, 'code', maxCodeLength);
      const rememberWorkstation = readBooleanField(input, 'rememberWorkstation');
      if (code === null || code.trim() === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/code' });
      }
      if (rememberWorkstation === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/rememberWorkstation' });
      }
      const pendingChallenge = challenge;
      const connection = connectToServer();
      if (pendingChallenge === null || connection === null || connection.trust.serverUrl !== pendingChallenge.serverOrigin) {
        return bridgeFailure('SIGN_IN_NOT_STARTED');
      }

      const response = await connection.api.verifyCode({
        challengeToken: pendingChallenge.token,
        code: code.trim(),
        deviceFingerprint: deviceFingerprintFor(pendingChallenge.serverOrigin),
        rememberDevice: rememberWorkstation,
        deviceName,
      });
      if (!response.ok) {
        forgetChallengeAfter(response.error.code, pendingChallenge);
        return response;
      }

      if (challenge === pendingChallenge) {
        challenge = null;
      }
      const { session, deviceTrust } = response.value;
      const trustAccount = deviceTrustAccount(pendingChallenge.serverOrigin, pendingChallenge.username);
      await storeSession(pendingChallenge.serverOrigin, connection.api, session.token);
      watchSession(session.info, true);
      if (rememberWorkstation && deviceTrust !== undefined) {
        await vault.set(trustAccount, deviceTrust.token);
        logger.info({ serverUrl: pendingChallenge.serverOrigin, expiresAt: deviceTrust.expiresAt }, 'device_trust.stored');
      } else if (!rememberWorkstation) {
        // Unticking "Remember this workstation" also deletes an earlier trust token for this user.
        await vault.delete(trustAccount);
      }
      logger.info({ serverUrl: pendingChallenge.serverOrigin, mfa: session.info.mfa }, 'session.created');
      return bridgeSuccess(await describeSession(pendingChallenge.serverOrigin, session.info));
    },

    async cancelSignIn() {
      challenge = null;
      return bridgeSuccess(null);
    },

    async getSession() {
      const connection = connectToServer();
      if (connection === null) {
        return bridgeSuccess(null);
      }
      const serverOrigin = connection.trust.serverUrl;
      const account = sessionAccount(serverOrigin);
      const sessionToken = await vault.get(account);
      if (sessionToken === null) {
        return bridgeSuccess(null);
      }

      // The app's own check, so the server does not count it as activity.
      const response = await connection.api.getSession(
        { sessionToken, deviceFingerprint: deviceFingerprintFor(serverOrigin) },
        { isBackground: true },
      );
      if (!response.ok) {
        await discardEndedSession(account, response.error.code);
        return response;
      }
      watchSession(response.value, false);
      return bridgeSuccess(await describeSession(serverOrigin, response.value));
    },

    async signOut() {
      challenge = null;
      stopWatchingSession();
      const connection = connectToServer();
      if (connection === null) {
        return bridgeSuccess(null);
      }
      const serverOrigin = connection.trust.serverUrl;
      const account = sessionAccount(serverOrigin);
      const sessionToken = await vault.get(account);
      if (sessionToken === null) {
        return bridgeSuccess(null);
      }

      // The local copy is deleted whatever the server responds, so a server that is down cannot
      // keep this workstation signed in. The server then ends the session at its idle time-out.
      const response = await connection.api.logout({
        sessionToken,
        deviceFingerprint: deviceFingerprintFor(serverOrigin),
      });
      await vault.delete(account);
      logger.info({ serverUrl: serverOrigin, serverConfirmed: response.ok }, 'session.signed_out');
      return bridgeSuccess(null);
    },

    async reportActivity() {
      idleMonitor.recordActivity();
      return bridgeSuccess(null);
    },

    async listAuditEvents(input) {
      const query = readAuditQuery(input, true);
      if (!query.ok) {
        return query;
      }
      const credentials = await readSessionCredentials();
      if (credentials === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      idleMonitor.recordActivity();
      const response = await credentials.api.listAuditEvents(credentials, query.value);
      if (!response.ok) {
        await discardEndedSession(credentials.account, response.error.code);
      }
      return response;
    },

    async exportAuditEvents(input) {
      const query = readAuditQuery(input, false);
      if (!query.ok) {
        return query;
      }
      const credentials = await readSessionCredentials();
      if (credentials === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      idleMonitor.recordActivity();
      const response = await credentials.api.exportAuditEvents(credentials, query.value);
      if (!response.ok) {
        await discardEndedSession(credentials.account, response.error.code);
        return response;
      }
      const fileName = `clinicgate-audit-${new Date(options.now?.() ?? Date.now()).toISOString().slice(0, 10)}.csv`;
      return bridgeSuccess({ fileName, csv: response.value });
    },

    async listTrustedWorkstations() {
      const credentials = await readSessionCredentials();
      if (credentials === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      idleMonitor.recordActivity();
      const response = await credentials.api.listTrustedDevices(credentials);
      if (!response.ok) {
        await discardEndedSession(credentials.account, response.error.code);
        return response;
      }
      return bridgeSuccess(response.value.devices);
    },

    async renameTrustedWorkstation(input) {
      const id = readStringField(input, 'id', maxDeviceIdLength);
      const label = readNullableStringField(input, 'label', maxDeviceLabelLength);
      if (id === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/id' });
      }
      if (label === undefined) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/label' });
      }
      const credentials = await readSessionCredentials();
      if (credentials === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      idleMonitor.recordActivity();
      const trimmed = label?.trim() ?? '';
      const response = await credentials.api.renameTrustedDevice(credentials, { deviceId: id, label: trimmed === '' ? null : trimmed });
      if (!response.ok) {
        await discardEndedSession(credentials.account, response.error.code);
      }
      return response;
    },

    async revokeTrustedWorkstation(input) {
      const id = readStringField(input, 'id', maxDeviceIdLength);
      if (id === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/id' });
      }
      const credentials = await readSessionCredentials();
      if (credentials === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      idleMonitor.recordActivity();
      // The username names this workstation's trust token in the vault; after the revocation the
      // session is gone, so it is read first.
      const session = await credentials.api.getSession(credentials, { isBackground: true });
      if (!session.ok) {
        await discardEndedSession(credentials.account, session.error.code);
        return session;
      }
      const response = await credentials.api.revokeTrustedDevice(credentials, { deviceId: id });
      if (!response.ok) {
        await discardEndedSession(credentials.account, response.error.code);
        return response;
      }
      if (response.value.wasCurrentDevice) {
        // The server ended this workstation's session with its trust, so both local tokens go.
        await forgetThisWorkstation(credentials.account, session.value.user.username);
      }
      return bridgeSuccess({ wasThisWorkstation: response.value.wasCurrentDevice });
    },
  };

  /** Deletes the session and every device-trust token this workstation holds for the signed-in user. */
  async function forgetThisWorkstation(sessionAccountName: string, username: string): Promise<void> {
    const connection = connectToServer();
    stopWatchingSession();
    challenge = null;
    await vault.delete(sessionAccountName);
    if (connection !== null) {
      await vault.delete(deviceTrustAccount(connection.trust.serverUrl, username));
    }
    logger.info({ serverUrl: connection?.trust.serverUrl ?? null }, 'device_trust.revoked_here');
  }

  function forgetChallengeAfter(code: ErrorCode, pendingChallenge: PendingChallenge): void {
    if (challengeEndingCodes.has(code) && challenge === pendingChallenge) {
      challenge = null;
    }
  }

  return {
    ...guardBridge(bridge, logger),
    onAgentEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    checkIdle() {
      idleMonitor.tick();
    },
    close() {
      stopWatchingSession();
      listeners.clear();
      client?.close();
      client = null;
      challenge = null;
    },
  };
}

/** Wraps every method so that a bug or a keychain failure becomes INTERNAL_ERROR, never a rejection. */
function guardBridge(bridge: Omit<ClinicGateBridge, 'onAgentEvent'>, logger: Logger): Omit<ClinicGateBridge, 'onAgentEvent'> {
  const guarded = {} as Record<BridgeMethod, (input: unknown) => Promise<BridgeResult<unknown>>>;
  for (const method of Object.keys(bridge) as BridgeMethod[]) {
    const call = bridge[method] as (input: unknown) => Promise<BridgeResult<unknown>>;
    guarded[method] = async (input) => {
      try {
        return await call(input);
      } catch (error) {
        logger.error({ method, err: describeError(error) }, 'bridge method failed');
        return bridgeFailure('INTERNAL_ERROR');
      }
    };
  }
  return guarded as unknown as Omit<ClinicGateBridge, 'onAgentEvent'>;
}

/** Checks an audit query from the renderer field by field and keeps only the known fields. */
function readAuditQuery(input: unknown, isPaged: boolean): BridgeResult<AuditEventQuery> {
  const query: AuditEventQuery = {};
  if (input === undefined || input === null) {
    return bridgeSuccess(query);
  }
  if (typeof input !== 'object') {
    return bridgeFailure('VALIDATION_FAILED');
  }
  const fields = input as Record<string, unknown>;
  for (const name of ['user', 'event', 'from', 'to', 'cursor'] as const) {
    const value = fields[name];
    if (value === undefined || value === '') {
      continue;
    }
    if (typeof value !== 'string' || value.length > 1024) {
      return bridgeFailure('VALIDATION_FAILED', { field: `/${name}` });
    }
    if (name !== 'cursor' || isPaged) {
      query[name] = value;
    }
  }
  const { outcome, sort, order, pageSize } = fields;
  if (outcome !== undefined && outcome !== '') {
    if (outcome !== 'success' && outcome !== 'failure') {
      return bridgeFailure('VALIDATION_FAILED', { field: '/outcome' });
    }
    query.outcome = outcome;
  }
  if (sort !== undefined) {
    if (typeof sort !== 'string' || !(auditSortColumns as readonly string[]).includes(sort)) {
      return bridgeFailure('VALIDATION_FAILED', { field: '/sort' });
    }
    query.sort = sort as AuditEventQuery['sort'];
  }
  if (order !== undefined) {
    if (order !== 'asc' && order !== 'desc') {
      return bridgeFailure('VALIDATION_FAILED', { field: '/order' });
    }
    query.order = order;
  }
  if (pageSize !== undefined && isPaged) {
    if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > auditMaxPageSize) {
      return bridgeFailure('VALIDATION_FAILED', { field: '/pageSize' });
    }
    query.pageSize = pageSize;
  } else if (isPaged) {
    query.pageSize = auditDefaultPageSize;
  }
  return bridgeSuccess(query);
}

/** Keeps an error's name, code and message out of the stack and any attached request data. */
function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) {
    return { type: typeof error };
  }
  return { name: error.name, code: (error as NodeJS.ErrnoException).code, message: error.message };
}

function readStringField(input: unknown, field: string, maxLength: number): string | null {
  if (typeof input !== 'object' || input === null) {
    return null;
  }
  const value = (input as Record<string, unknown>)[field];
  return typeof value === 'string' && value.length <= maxLength ? value : null;
}

/** Returns the string or null the field holds, or undefined when it is missing, too long or of another type. */
function readNullableStringField(input: unknown, field: string, maxLength: number): string | null | undefined {
  if (typeof input !== 'object' || input === null) {
    return undefined;
  }
  const value = (input as Record<string, unknown>)[field];
  if (value === null) {
    return null;
  }
  return typeof value === 'string' && value.length <= maxLength ? value : undefined;
}

function readBooleanField(input: unknown, field: string): boolean | null {
  if (typeof input !== 'object' || input === null) {
    return null;
  }
  const value = (input as Record<string, unknown>)[field];
  return typeof value === 'boolean' ? value : null;
}

function isOtpChannel(value: string): value is OtpChannel {
  return (otpChannels as readonly string[]).includes(value);
}

interface PendingChallenge {
  /** The challenge token; kept only in this process's memory. */
  token: string;
  serverOrigin: string;
  /** The username as typed, which names the device-trust keychain account. */
  username: string;
}
