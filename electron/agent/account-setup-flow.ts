import { accountSetupCodeLength } from '../shared/api';
import type { BridgeResult, ClinicGateBridge } from '../shared/bridge';
import type { ErrorCode } from '../shared/error-codes';
import type { Logger } from './agent-logger';
import type { ApiClient } from './api-client';
import type { ServerTrust } from './agent-settings';
import { bridgeFailure, bridgeSuccess } from './bridge-result';

export type AccountSetupFlowMethods = Pick<ClinicGateBridge, 'verifyAccountSetupCode' | 'completeAccountSetup' | 'cancelAccountSetup'>;

export interface AccountSetupFlowDependencies {
  connectToServer(): { trust: ServerTrust; api: ApiClient } | null;
  deviceFingerprintFor(serverOrigin: string): string;
  logger: Logger;
}

/** Server errors after which the setup code cannot work again, so the person starts over with a new one. */
const setupEndingCodes = new Set<ErrorCode>(['ACCOUNT_SETUP_CODE_INVALID', 'ACCOUNT_SETUP_CODE_EXPIRED', 'ACCOUNT_SETUP_CODE_LOCKED']);

const maxNameLength = 254;
const maxPasswordLength = 1024;
const maxCodeInputLength = 32;
// Separators people copy along with a code: whitespace and the common dashes.
const codeSeparatorPattern = /[\s\-\u2010-\u2015\u2212]/gu;

/**
 * Builds the bridge methods for "New here? Set up your account". After the server accepts the
 * setup code, the name and code stay only in this closure's memory, never in the keychain or the
 * renderer. They are dropped when the password is set or the person leaves the screen.
 */
export function createAccountSetupFlow(deps: AccountSetupFlowDependencies): AccountSetupFlowMethods {
  let setup: PendingSetup | null = null;

  return {
    async verifyAccountSetupCode(input) {
      const usernameOrEmail = readString(input, 'usernameOrEmail', maxNameLength)?.trim() ?? '';
      const code = normalizeSetupCode(readString(input, 'code', maxCodeInputLength) ?? '');
      if (usernameOrEmail === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/usernameOrEmail', message: 'Enter your username or the email address the welcome email went to.' });
      }
      if (code === null) {
        return bridgeFailure('VALIDATION_FAILED', { field: '/code', message: `Enter the ${accountSetupCodeLength}-digit setup code from your welcome email.` });
      }
      const connection = deps.connectToServer();
      if (connection === null) {
        return bridgeFailure('SERVER_NOT_CONFIGURED');
      }
      setup = null;
      const serverOrigin = connection.trust.serverUrl;
      const response = await connection.api.verifyAccountSetupCode({ usernameOrEmail, code, deviceFingerprint: deps.deviceFingerprintFor(serverOrigin) });
      if (!response.ok) {
        return response;
      }
      setup = { serverOrigin, usernameOrEmail, code };
      return bridgeSuccess({ username: response.value.username, passwordPolicy: response.value.passwordPolicy, codeExpiresAt: response.value.codeExpiresAt });
    },

    async completeAccountSetup(input) {
      const newPassword = readString(input, 'newPassword', maxPasswordLength);
      if (newPassword === null || newPassword === '') {
        return bridgeFailure('VALIDATION_FAILED', { field: '/newPassword' });
      }
      const connection = deps.connectToServer();
      const pending = setup;
      if (pending === null || connection === null || connection.trust.serverUrl !== pending.serverOrigin) {
        return bridgeFailure('ACCOUNT_SETUP_NOT_STARTED');
      }
      const response = await connection.api.completeAccountSetup({
        usernameOrEmail: pending.usernameOrEmail,
        code: pending.code,
        newPassword,
        deviceFingerprint: deps.deviceFingerprintFor(pending.serverOrigin),
      });
      if (!response.ok) {
        return endSetupAfter(response, pending);
      }
      setup = null;
      deps.logger.info({ serverUrl: pending.serverOrigin }, 'account_setup.completed');
      return bridgeSuccess(null);
    },

    async cancelAccountSetup() {
      setup = null;
      return bridgeSuccess(null);
    },
  };

  function endSetupAfter<T>(result: BridgeResult<T>, pending: PendingSetup): BridgeResult<T> {
    if (!result.ok && setupEndingCodes.has(result.error.code) && setup === pending) {
      setup = null;
    }
    return result;
  }
}

/** Returns the digits of a typed or pasted setup code (NFKC, separators removed), or null when it is not exactly one code. */
export function normalizeSetupCode(text: string): string | null {
  const digits = text.normalize('NFKC').replace(codeSeparatorPattern, '');
  return new RegExp(`^[0-9]{${accountSetupCodeLength}}$`).test(digits) ? digits : null;
}

function readString(input: unknown, field: string, maxLength: number): string | null {
  if (typeof input !== 'object' || input === null) {
    return null;
  }
  const value = (input as Record<string, unknown>)[field];
  return typeof value === 'string' && value.length <= maxLength ? value : null;
}

interface PendingSetup {
  serverOrigin: string;
  usernameOrEmail: string;
  /** The accepted setup code; kept only in this process's memory until the password is set. */
  code: string;
}
