import type { PasswordPolicySummary } from '../shared/api';
import type { BridgeResult, ClinicGateBridge, PasswordResetCodeStep } from '../shared/bridge';
import type { ErrorCode } from '../shared/error-codes';
import type { Logger } from './agent-logger';
import type { ApiClient, SessionCredentials } from './api-client';
import type { ServerTrust } from './agent-settings';
import { bridgeFailure, bridgeSuccess } from './bridge-result';
import { estimatePasswordStrength } from './password-strength';

export type PasswordFlowMethods = Pick<
  ClinicGateBridge,
  | 'startPasswordReset'
  | 'resendPasswordResetCode'
  | 'verifyPasswordResetCode'
  | 'completePasswordReset'
  | 'cancelPasswordReset'
  | 'changePassword'
  | 'estimatePasswordStrength'
>;

export interface PasswordFlowDependencies {
  connectToServer(): { trust: ServerTrust; api: ApiClient } | null;
  deviceFingerprintFor(serverOrigin: string): string;
  /** The stored session's credentials and the username it belongs to, or null when signed out. */
  readSignedInUser(): Promise<{ api: ApiClient; account: string; credentials: SessionCredentials } | null>;
  /** Deletes the stored session when the server replied with a session-ending code. */
  discardEndedSession(account: string, code: ErrorCode): Promise<void>;
  recordActivity(): void;
  logger: Logger;
}

/** Server errors after which the reset attempt cannot continue and the person starts again. */
const resetEndingCodes = new Set<ErrorCode>([
  'OTP_CHALLENGE_INVALID',
  'OTP_CHALLENGE_EXPIRED',
  'PASSWORD_RESET_TOKEN_INVALID',
  'PASSWORD_RESET_TOKEN_EXPIRED',
  'PASSWORD_RESET_TOKEN_USED',
]);

const maxEmailLength = 254;
const maxPasswordLength = 1024;
const maxCodeLength = 32;

/**
 * Builds the bridge methods for "Forgot password?" and for changing the password while signed in.
 * The reset challenge token and the reset token live only in this closure's memory: neither is
 * stored in the keychain nor sent to the renderer, and both are dropped when the reset ends.
 */
export function createPasswordFlow(deps: PasswordFlowDependencies): PasswordFlowMethods {
  let reset: PendingReset | null = null;

  function currentReset(): { pending: PendingReset; api: ApiClient } | null {
    const connection = deps.connectToServer();
    if (reset === null || connection === null || connection.trust.serverUrl !== reset.serverOrigin) {
      return null;
    }
    return { pending: reset, api: connection.api };
  }

  function endResetAfter<T>(result: BridgeResult<T>, pending: PendingReset): BridgeResult<T> {
    if (!result.ok && resetEndingCodes.has(result.error.code) && reset === pending) {
      reset = null;
    }
    return result;
  }

  return {
    async startPasswordReset(input) {
      const email = readString(input, 'email', maxEmailLength)?.trim() ?? '';
      if (email === '' || !email.includes('@')) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/email', message: 'Enter the email address registered for your account, like name@clinic.example.' });
      }
      const connection = deps.connectToServer();
      if (connection === null) {
        return bridgeFailure('SERVER_NOT_CONFIGURED');
      }
      reset = null;
      const serverOrigin = connection.trust.serverUrl;
      const response = await connection.api.requestPasswordReset({ email, deviceFingerprint: deps.deviceFingerprintFor(serverOrigin) });
      if (!response.ok) {
        return response;
      }
      reset = { serverOrigin, challengeToken: response.value.challengeToken, resetToken: null, email };
      deps.logger.info({ serverUrl: serverOrigin }, 'password_reset.requested');
      return bridgeSuccess(toCodeStep(response.value));
    },

    async resendPasswordResetCode() {
      const current = currentReset();
      if (current === null) {
        return bridgeFailure('PASSWORD_RESET_NOT_STARTED');
      }
      const { pending, api } = current;
      const response = await api.resendPasswordResetCode({
        challengeToken: pending.challengeToken,
        deviceFingerprint: deps.deviceFingerprintFor(pending.serverOrigin),
      });
      return endResetAfter(response.ok ? bridgeSuccess(toCodeStep(response.value)) : response, pending);
    },

    async verifyPasswordResetCode(input) {
      const code = readString(input, 'code', maxCodeLength)?.trim() ?? '';
      if (code === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/code' });
      }
      const current = currentReset();
      if (current === null) {
        return bridgeFailure('PASSWORD_RESET_NOT_STARTED');
      }
      const { pending, api } = current;
      const response = await api.verifyPasswordResetCode({
        challengeToken: pending.challengeToken,
        code,
        deviceFingerprint: deps.deviceFingerprintFor(pending.serverOrigin),
      });
      if (!response.ok) {
        return endResetAfter(response, pending);
      }
      pending.resetToken = response.value.resetToken;
      return bridgeSuccess({ passwordPolicy: response.value.passwordPolicy satisfies PasswordPolicySummary, expiresAt: response.value.expiresAt });
    },

    async completePasswordReset(input) {
      const newPassword = readString(input, 'newPassword', maxPasswordLength);
      if (newPassword === null || newPassword === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/newPassword' });
      }
      const current = currentReset();
      if (current === null || current.pending.resetToken === null) {
        return bridgeFailure('PASSWORD_RESET_NOT_STARTED');
      }
      const { pending, api } = current;
      const response = await api.completePasswordReset({
        challengeToken: pending.challengeToken,
        resetToken: pending.resetToken as string,
        newPassword,
        deviceFingerprint: deps.deviceFingerprintFor(pending.serverOrigin),
      });
      if (!response.ok) {
        return endResetAfter(response, pending);
      }
      reset = null;
      // Every session of the user ended on the server, this workstation's included if it had one.
      const signedIn = await deps.readSignedInUser();
      if (signedIn !== null) {
        await deps.discardEndedSession(signedIn.account, 'SESSION_PASSWORD_CHANGED');
      }
      deps.logger.info({ serverUrl: pending.serverOrigin }, 'password_reset.completed');
      return bridgeSuccess(null);
    },

    async cancelPasswordReset() {
      reset = null;
      return bridgeSuccess(null);
    },

    async changePassword(input) {
      const currentPassword = readString(input, 'currentPassword', maxPasswordLength);
      const newPassword = readString(input, 'newPassword', maxPasswordLength);
      if (currentPassword === null || currentPassword === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/currentPassword' });
      }
      if (newPassword === null || newPassword === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/newPassword' });
      }
      const signedIn = await deps.readSignedInUser();
      if (signedIn === null) {
        return bridgeFailure('SESSION_INVALID');
      }
      deps.recordActivity();
      const response = await signedIn.api.changePassword(signedIn.credentials, { currentPassword, newPassword });
      if (!response.ok) {
        await deps.discardEndedSession(signedIn.account, response.error.code);
        return response;
      }
      deps.logger.info({ otherSessionsEnded: response.value.otherSessionsEnded }, 'password.changed');
      return bridgeSuccess({ otherSessionsEnded: response.value.otherSessionsEnded });
    },

    async estimatePasswordStrength(input) {
      const password = readString(input, 'password', maxPasswordLength);
      if (password === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/password' });
      }
      const personalWords = reset === null ? [] : reset.email.split(/[@.]/);
      return bridgeSuccess(estimatePasswordStrength(password, personalWords));
    },
  };
}

function toCodeStep(sent: { destination: string; codeExpiresAt: string; resendAvailableAt: string; expiresAt: string }): PasswordResetCodeStep {
  return { destination: sent.destination, codeExpiresAt: sent.codeExpiresAt, resendAvailableAt: sent.resendAvailableAt, expiresAt: sent.expiresAt };
}

function readString(input: unknown, field: string, maxLength: number): string | null {
  if (typeof input !== 'object' || input === null) {
    return null;
  }
  const value = (input as Record<string, unknown>)[field];
  return typeof value === 'string' && value.length <= maxLength ? value : null;
}

interface PendingReset {
  serverOrigin: string;
  /** The reset challenge token; kept only in this process's memory. */
  challengeToken: string;
  /** Set once the code is accepted; single use, kept only in memory. */
  resetToken: string | null;
  /** The address as typed, a personal word for the strength estimate. */
  email: string;
}
