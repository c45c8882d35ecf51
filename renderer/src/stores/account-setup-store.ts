/**
 * "New here? Set up your account" as its screens see it: which step shows, the account the code
 * belongs to and the current error. The name, code and passwords are only arguments passed to the
 * bridge. After the code is accepted, the agent keeps the name and code for the password step.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { accountSetupCodeLength } from '../../../electron/shared/api';
import type { AccountSetupVerified, BridgeError, BridgeResult, ClinicGateBridge } from '../../../electron/shared/bridge';
import { errorCatalogue, type ErrorCode } from '../../../electron/shared/error-codes';
import { isCompleteCode, normalizeCodeInput } from '../format/code-input';

export function createAccountSetupStore(bridge: ClinicGateBridge, options: AccountSetupStoreOptions): AccountSetupStore {
  return createStore<AccountSetupState>()((set, get) => {
    async function runBusy(task: () => Promise<void>): Promise<void> {
      if (get().isBusy) {
        return;
      }
      set({ isBusy: true, error: null });
      try {
        await task();
      } finally {
        set({ isBusy: false });
      }
    }

    /** Shows the error; errors that end the code's use send the person back to the code step. */
    function handleError(error: BridgeError): void {
      const shown = describeSetupError(error);
      if (get().step === 'new_password' && setupEndingErrors.has(error.code)) {
        set({ step: 'code', verified: null, error: shown });
        return;
      }
      set({ error: shown });
    }

    return {
      step: 'code',
      verified: null,
      isBusy: false,
      error: null,

      verifyCode: (usernameOrEmail, code) =>
        runBusy(async () => {
          const name = usernameOrEmail.trim();
          if (name === '') {
            set({ error: bridgeError('VALIDATION_FAILED', 'Enter your username or the email address the welcome email went to.', '/usernameOrEmail') });
            return;
          }
          const digits = normalizeCodeInput(code, accountSetupCodeLength);
          if (digits === null || !isCompleteCode(digits, accountSetupCodeLength)) {
            set({ error: bridgeError('VALIDATION_FAILED', `Enter the ${accountSetupCodeLength}-digit setup code from your welcome email.`, '/code') });
            return;
          }
          const result = await callBridge(() => bridge.verifyAccountSetupCode({ usernameOrEmail: name, code: digits }));
          if (!result.ok) {
            handleError(result.error);
            return;
          }
          set({ step: 'new_password', verified: result.value });
        }),

      setNewPassword: (newPassword, confirmation) =>
        runBusy(async () => {
          if (newPassword === '') {
            set({ error: bridgeError('VALIDATION_FAILED', 'Enter a new password.', '/newPassword') });
            return;
          }
          if (newPassword !== confirmation) {
            set({ error: bridgeError('VALIDATION_FAILED', 'The two new passwords do not match. Type the same password in both fields.', '/confirmation') });
            return;
          }
          const result = await callBridge(() => bridge.completeAccountSetup({ newPassword }));
          if (!result.ok) {
            handleError(result.error);
            return;
          }
          options.onFinished(get().verified?.username ?? null);
        }),

      cancel: async () => {
        await callBridge(() => bridge.cancelAccountSetup());
        options.onCancelled();
      },

      clearError: () => set({ error: null }),
    };
  });
}

/** Builds the sign-in screen's message after the password was set. */
export function accountSetupSuccessMessage(username: string | null): string {
  const who = username === null ? 'your username' : `the username ${username}`;
  return `Your password is set. Sign in with ${who} and your new password.`;
}

const setupEndingErrors: ReadonlySet<ErrorCode> = new Set([
  'ACCOUNT_SETUP_CODE_INVALID',
  'ACCOUNT_SETUP_CODE_EXPIRED',
  'ACCOUNT_SETUP_CODE_LOCKED',
  'ACCOUNT_SETUP_NOT_STARTED',
]);

function describeSetupError(error: BridgeError): BridgeError {
  if (error.code === 'ACCOUNT_SETUP_CODE_INVALID' && error.attemptsRemaining !== undefined && error.attemptsRemaining > 0) {
    const tries = error.attemptsRemaining === 1 ? '1 more try' : `${error.attemptsRemaining} more tries`;
    return { ...error, message: `${errorCatalogue.ACCOUNT_SETUP_CODE_INVALID.message} You have ${tries} before this setup code stops working.` };
  }
  return error;
}

function bridgeError(code: ErrorCode, message: string = errorCatalogue[code].message, field?: string): BridgeError {
  return field === undefined ? { code, message } : { code, message, field };
}

async function callBridge<T>(call: () => Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  try {
    return await call();
  } catch {
    return { ok: false, error: bridgeError('INTERNAL_ERROR') };
  }
}

export type AccountSetupStep = 'code' | 'new_password';

export interface AccountSetupStoreOptions {
  /** Called after the password is set, with the account's username. Setup signs no one in. */
  onFinished(username: string | null): void;
  onCancelled(): void;
}

export interface AccountSetupState {
  step: AccountSetupStep;
  /** Set once the setup code is accepted. */
  verified: AccountSetupVerified | null;
  isBusy: boolean;
  error: BridgeError | null;
  verifyCode(usernameOrEmail: string, code: string): Promise<void>;
  setNewPassword(newPassword: string, confirmation: string): Promise<void>;
  cancel(): Promise<void>;
  clearError(): void;
}

export type AccountSetupStore = StoreApi<AccountSetupState>;
