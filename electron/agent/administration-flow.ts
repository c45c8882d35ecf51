import type { OtpChannel, PracticeSettingName, PracticeUserAction, PracticeUserSummary, Role } from '../shared/api';
import type { BridgeResult, ClinicGateBridge } from '../shared/bridge';
import type { ErrorCode } from '../shared/error-codes';
import type { Logger } from './agent-logger';
import type { ApiClient, SessionCredentials } from './api-client';
import { bridgeFailure, bridgeSuccess } from './bridge-result';

export type AdministrationFlowMethods = Pick<
  ClinicGateBridge,
  | 'getPracticeSettings'
  | 'changePracticeSetting'
  | 'setTrustedNetworks'
  | 'listPracticeUsers'
  | 'createPracticeUser'
  | 'updatePracticeUser'
  | 'administerPracticeUser'
  | 'sendAccountSetupCode'
  | 'listPracticeUserWorkstations'
  | 'revokePracticeUserWorkstation'
  | 'getProfile'
  | 'setPreferredChannel'
  | 'startContactChange'
  | 'verifyContactChange'
  | 'listActiveSessions'
  | 'signOutEverywhere'
>;

export interface AdministrationFlowDependencies {
  /** The stored session's credentials, or null when signed out. */
  readSignedInUser(): Promise<{ api: ApiClient; account: string; credentials: SessionCredentials } | null>;
  /** Deletes the stored session when the server replied with a session-ending code. */
  discardEndedSession(account: string, code: ErrorCode): Promise<void>;
  recordActivity(): void;
  logger: Logger;
}

const practiceSettingNames: readonly PracticeSettingName[] = [
  'require_mfa_always',
  'idle_timeout_minutes',
  'absolute_timeout_minutes',
  'device_trust_days',
  'min_password_length',
  'audit_retention_days',
  'resend_cooldown_seconds',
  'code_sends_per_hour',
  'wrong_codes_per_challenge',
  'wrong_codes_per_account_lockout',
  'failed_passwords_per_account',
];
const roles: readonly Role[] = ['clinician', 'front_desk', 'billing', 'practice_admin'];
const userActions: readonly PracticeUserAction[] = ['deactivate', 'reactivate', 'unlock', 'revoke-sessions'];
const channels: readonly OtpChannel[] = ['email', 'sms'];
const maxTrustedNetworks = 200;
const maxFieldLength = 254;
const maxPasswordLength = 1024;
const maxIdLength = 64;

/**
 * Builds the bridge methods for Practice Settings, Users and the signed-in user's Profile. Each
 * checks the renderer's input, calls the server with the stored session and deletes that session
 * when the server replies that it has ended. The server decides who may do what.
 */
export function createAdministrationFlow(deps: AdministrationFlowDependencies): AdministrationFlowMethods {
  async function withSession<T>(call: (api: ApiClient, credentials: SessionCredentials) => Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
    const signedIn = await deps.readSignedInUser();
    if (signedIn === null) {
      return bridgeFailure('SESSION_INVALID');
    }
    deps.recordActivity();
    const response = await call(signedIn.api, signedIn.credentials);
    if (!response.ok) {
      await deps.discardEndedSession(signedIn.account, response.error.code);
    }
    return response;
  }

  return {
    getPracticeSettings: () => withSession((api, credentials) => api.getPracticeSettings(credentials)),

    async changePracticeSetting(input) {
      const setting = readChoice(input, 'setting', practiceSettingNames);
      const value = readField(input, 'value');
      if (setting === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/setting' });
      }
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/value', problem: `${setting}: enter a whole number.` });
      }
      const response = await withSession((api, credentials) => api.changePracticeSetting(credentials, { setting, value }));
      if (response.ok) {
        deps.logger.info({ setting, newValue: response.value.newValue, sessionsEnded: response.value.sessionsEnded }, 'settings.changed');
      }
      return response;
    },

    async setTrustedNetworks(input) {
      const networks = readField(input, 'networks');
      if (!Array.isArray(networks) || networks.length > maxTrustedNetworks || !networks.every((network) => isShortString(network, maxIdLength))) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/networks' });
      }
      const response = await withSession((api, credentials) => api.setTrustedNetworks(credentials, { networks: networks as string[] }));
      return response.ok ? bridgeSuccess(response.value.trustedNetworks) : response;
    },

    async listPracticeUsers(input) {
      const search = readString(input, 'search', maxIdLength) ?? '';
      const response = await withSession((api, credentials) => api.listPracticeUsers(credentials, { search: search.trim() }));
      return response.ok ? bridgeSuccess(response.value.users) : response;
    },

    async createPracticeUser(input) {
      const username = readString(input, 'username', maxIdLength);
      const displayName = readString(input, 'displayName', maxFieldLength);
      const email = readString(input, 'email', maxFieldLength);
      const mobile = readField(input, 'mobile');
      const role = readChoice(input, 'role', roles);
      const preferredChannel = readChoice(input, 'preferredChannel', channels);

      if (username === null || username.trim() === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/username' });
      }
      if (displayName === null || displayName.trim() === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/displayName' });
      }
      if (email === null || email.trim() === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/email' });
      }
      if (mobile !== null && !isShortString(mobile, 20)) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/mobile' });
      }
      if (role === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/role' });
      }

      const trimmedMobile = typeof mobile === 'string' && mobile.trim() !== '' ? mobile.trim() : null;
      return withSession((api, credentials) =>
        api.createPracticeUser(credentials, {
          username: username.trim(),
          displayName: displayName.trim(),
          email: email.trim(),
          mobile: trimmedMobile,
          role,
          preferredChannel: preferredChannel ?? 'email',
        }),
      );
    },

    async updatePracticeUser(input) {
      const userId = readString(input, 'userId', maxIdLength);
      if (userId === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/userId' });
      }
      const change: { displayName?: string; email?: string; mobile?: string | null } = {};
      for (const field of ['displayName', 'email'] as const) {
        const value = readField(input, field);
        if (value !== undefined) {
          if (!isShortString(value, maxFieldLength) || value.trim() === '') {
            return bridgeFailure('VALIDATION_FAILED', { field: `/${field}` });
          }
          change[field] = value.trim();
        }
      }
      const mobile = readField(input, 'mobile');
      if (mobile !== undefined) {
        if (mobile !== null && !isShortString(mobile, 20)) {
          return bridgeFailure('VALIDATION_FAILED', { field: '/mobile' });
        }
        change.mobile = typeof mobile === 'string' && mobile.trim() !== '' ? mobile.trim() : null;
      }
      const roleField = readField(input, 'role');
      const role = roleField === undefined ? undefined : readChoice(input, 'role', roles);
      if (role === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/role' });
      }

      let latest: BridgeResult<{ user: PracticeUserSummary }> | null = null;
      let setupEmailSent: boolean | undefined;
      if (Object.keys(change).length > 0) {
        const updated = await withSession((api, credentials) => api.updatePracticeUserDetails(credentials, { userId, change }));
        if (!updated.ok) {
          return updated;
        }
        latest = updated;
        setupEmailSent = typeof updated.value.setupEmailSent === 'boolean' ? updated.value.setupEmailSent : undefined;
      }
      if (role !== undefined) {
        latest = await withSession((api, credentials) => api.changePracticeUserRole(credentials, { userId, role }));
        if (!latest.ok) {
          return latest;
        }
      }
      if (latest === null) {
        return bridgeFailure('VALIDATION_FAILED', { problem: 'Change at least one field.' });
      }
      return bridgeSuccess(setupEmailSent === undefined ? latest.value.user : { ...latest.value.user, setupEmailSent });
    },

    async sendAccountSetupCode(input) {
      const userId = readString(input, 'userId', maxIdLength);
      if (userId === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/userId' });
      }
      return withSession((api, credentials) => api.sendAccountSetupCode(credentials, { userId }));
    },

    async administerPracticeUser(input) {
      const userId = readString(input, 'userId', maxIdLength);
      const action = readChoice(input, 'action', userActions);
      if (userId === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/userId' });
      }
      if (action === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/action' });
      }
      return withSession((api, credentials) => api.administerPracticeUser(credentials, { userId, action }));
    },

    async listPracticeUserWorkstations(input) {
      const userId = readString(input, 'userId', maxIdLength);
      if (userId === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/userId' });
      }
      const response = await withSession((api, credentials) => api.listPracticeUserDevices(credentials, { userId }));
      return response.ok ? bridgeSuccess(response.value.devices) : response;
    },

    async revokePracticeUserWorkstation(input) {
      const userId = readString(input, 'userId', maxIdLength);
      const deviceId = readString(input, 'id', maxIdLength);
      if (userId === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/userId' });
      }
      if (deviceId === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/id' });
      }
      const response = await withSession((api, credentials) => api.revokePracticeUserDevice(credentials, { userId, deviceId }));
      if (!response.ok) {
        return response;
      }
      deps.logger.info({ sessionsEnded: response.value.sessionsEnded }, 'device.revoked_by_admin');
      return bridgeSuccess({ sessionsEnded: response.value.sessionsEnded });
    },

    getProfile: () => withSession((api, credentials) => api.getProfile(credentials)),

    async setPreferredChannel(input) {
      const channel = readChoice(input, 'channel', channels);
      if (channel === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/channel' });
      }
      return withSession((api, credentials) => api.setPreferredChannel(credentials, { channel }));
    },

    async startContactChange(input) {
      const channel = readChoice(input, 'channel', channels);
      const value = readString(input, 'value', maxFieldLength);
      const currentPassword = readString(input, 'currentPassword', maxPasswordLength);
      if (channel === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/channel' });
      }
      if (value === null || value.trim() === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: channel === 'email' ? '/email' : '/mobile' });
      }
      if (currentPassword === null || currentPassword === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/currentPassword' });
      }
      return withSession((api, credentials) => api.startContactChange(credentials, { channel, value: value.trim(), currentPassword }));
    },

    async verifyContactChange(input) {
      const channel = readChoice(input, 'channel', channels);
      const code = readString(input, 'code', 32)?.replace(/\s/g, '') ?? null;
      if (channel === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/channel' });
      }
      if (code === null || !/^[0-9]{6}$/.test(code)) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/code' });
      }
      return withSession((api, credentials) => api.verifyContactChange(credentials, { channel, code }));
    },

    async listActiveSessions() {
      const response = await withSession((api, credentials) => api.listActiveSessions(credentials));
      return response.ok ? bridgeSuccess(response.value.sessions) : response;
    },

    async signOutEverywhere() {
      const signedIn = await deps.readSignedInUser();
      if (signedIn === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      const response = await signedIn.api.signOutEverywhere(signedIn.credentials);
      if (!response.ok) {
        await deps.discardEndedSession(signedIn.account, response.error.code);
        return response;
      }
      // This session ended with the others, so the local token goes too.
      await deps.discardEndedSession(signedIn.account, 'SESSION_INVALID');
      deps.logger.info({ sessionsEnded: response.value.sessionsEnded }, 'session.signed_out_everywhere');
      return bridgeSuccess({ sessionsEnded: response.value.sessionsEnded });
    },
  };
}

function readField(input: unknown, field: string): unknown {
  if (typeof input !== 'object' || input === null) {
    return undefined;
  }
  return (input as Record<string, unknown>)[field];
}

function readString(input: unknown, field: string, maxLength: number): string | null {
  const value = readField(input, field);
  return isShortString(value, maxLength) ? value : null;
}

function readChoice<T extends string>(input: unknown, field: string, choices: readonly T[]): T | null {
  const value = readField(input, field);
  return typeof value === 'string' && (choices as readonly string[]).includes(value) ? (value as T) : null;
}

function isShortString(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}
