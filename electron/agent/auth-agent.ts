import os from 'node:os';
import { otpChannels, type OtpChannel, type SessionInfo } from '../shared/api';
import type {
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
}

/** The bridge plus a way to release its network connections on shutdown. */
export interface AuthAgent extends ClinicGateBridge {
  close(): void;
}

/** Server errors after which the pending sign-in attempt cannot continue. */
const challengeEndingCodes = new Set<ErrorCode>([
  'OTP_CHALLENGE_INVALID',
  'OTP_CHALLENGE_EXPIRED',
  'AUTH_ACCOUNT_LOCKED',
  'AUTH_ACCOUNT_DISABLED',
]);

/** Server errors that mean the stored session token is no longer any good. */
const sessionEndingCodes = new Set<ErrorCode>(['SESSION_INVALID', 'SESSION_EXPIRED', 'SESSION_DEVICE_MISMATCH']);

const maxUsernameLength = 256;
const maxPasswordLength = 1024;
const maxCodeLength = 32;
const maxFingerprintLength = 200;

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
    };
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

  const bridge: ClinicGateBridge = {
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

      const response = await connection.api.getSession({
        sessionToken,
        deviceFingerprint: deviceFingerprintFor(serverOrigin),
      });
      if (!response.ok) {
        if (sessionEndingCodes.has(response.error.code)) {
          await vault.delete(account);
          logger.info({ serverUrl: serverOrigin, reason: response.error.code }, 'session.discarded');
        }
        return response;
      }
      return bridgeSuccess(await describeSession(serverOrigin, response.value));
    },

    async signOut() {
      challenge = null;
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
  };

  function forgetChallengeAfter(code: ErrorCode, pendingChallenge: PendingChallenge): void {
    if (challengeEndingCodes.has(code) && challenge === pendingChallenge) {
      challenge = null;
    }
  }

  return {
    ...guardBridge(bridge, logger),
    close() {
      client?.close();
      client = null;
      challenge = null;
    },
  };
}

/** Wraps every method so that a bug or a keychain failure becomes INTERNAL_ERROR, never a rejection. */
function guardBridge(bridge: ClinicGateBridge, logger: Logger): ClinicGateBridge {
  const guarded = {} as Record<keyof ClinicGateBridge, (input: unknown) => Promise<BridgeResult<unknown>>>;
  for (const method of Object.keys(bridge) as Array<keyof ClinicGateBridge>) {
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
  return guarded as unknown as ClinicGateBridge;
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
