/**
 * The "Forgot password?" flow as its screens see it: which step shows, what the code step displays
 * and the current error. The email, code and passwords are only arguments passed to the bridge;
 * the reset tokens stay in the agent.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { PasswordPolicySummary } from '../../../electron/shared/api';
import type { BridgeError, BridgeResult, ClinicGateBridge, PasswordResetCodeStep } from '../../../electron/shared/bridge';
import { errorCatalogue, type ErrorCode } from '../../../electron/shared/error-codes';
import { isCompleteCode, normalizeCodeInput } from '../format/code-input';

export function createPasswordResetStore(bridge: ClinicGateBridge, options: PasswordResetStoreOptions): PasswordResetStore {
  const store = createStore<PasswordResetState>()((set, get) => {
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

    /** Sends the person back to the email step after errors that end the attempt. */
    function handleError(error: BridgeError): void {
      if (resetEndingErrors.has(error.code)) {
        set({ step: 'email', codeStep: null, passwordPolicy: null, isCodeLocked: false, error: { ...error, message: describeEndedReset(error.code) } });
        return;
      }
      if (error.code === 'OTP_CHALLENGE_LOCKED' || (error.code === 'OTP_CODE_INVALID' && error.attemptsRemaining === 0)) {
        set({ isCodeLocked: true, error: bridgeError('OTP_CHALLENGE_LOCKED') });
        return;
      }
      if (error.code === 'OTP_RESEND_COOLDOWN' || error.code === 'OTP_SEND_LIMIT_REACHED') {
        const codeStep = get().codeStep;
        const wait = error.retryAfterSeconds;
        if (codeStep !== null && wait !== undefined) {
          set({ codeStep: { ...codeStep, resendAvailableAt: new Date(Date.now() + wait * 1000).toISOString() } });
        }
      }
      set({ error });
    }

    return {
      step: 'email',
      codeStep: null,
      passwordPolicy: null,
      isCodeLocked: false,
      isBusy: false,
      error: null,

      requestCode: (email) =>
        runBusy(async () => {
          const trimmed = email.trim();
          if (trimmed === '' || !trimmed.includes('@')) {
            set({ error: bridgeError('VALIDATION_FAILED', 'Enter the email address registered for your account, like name@clinic.example.', '/email') });
            return;
          }
          const result = await callBridge(() => bridge.startPasswordReset({ email: trimmed }));
          if (!result.ok) {
            handleError(result.error);
            return;
          }
          set({ step: 'code', codeStep: result.value, isCodeLocked: false });
        }),

      resendCode: () =>
        runBusy(async () => {
          const result = await callBridge(() => bridge.resendPasswordResetCode());
          if (!result.ok) {
            handleError(result.error);
            return;
          }
          set({ codeStep: result.value, isCodeLocked: false });
        }),

      verifyCode: (code) =>
        runBusy(async () => {
          const digits = normalizeCodeInput(code);
          if (digits === null || !isCompleteCode(digits)) {
            set({ error: bridgeError('VALIDATION_FAILED', 'Enter the 6-digit code we sent you.', '/code') });
            return;
          }
          const result = await callBridge(() => bridge.verifyPasswordResetCode({ code: digits }));
          if (!result.ok) {
            handleError(result.error);
            return;
          }
          set({ step: 'new_password', passwordPolicy: result.value.passwordPolicy });
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
          const result = await callBridge(() => bridge.completePasswordReset({ newPassword }));
          if (!result.ok) {
            handleError(result.error);
            return;
          }
          options.onFinished();
        }),

      cancel: async () => {
        await callBridge(() => bridge.cancelPasswordReset());
        options.onCancelled();
      },

      clearError: () => set({ error: null }),
    };
  });
  return store;
}

/** Builds the sign-in screen's message after a successful reset. */
export const passwordResetSuccessMessage =
  'Your password was changed. Every session and remembered workstation was signed out. Sign in with your new password.';

const resetEndingErrors: ReadonlySet<ErrorCode> = new Set([
  'OTP_CHALLENGE_INVALID',
  'OTP_CHALLENGE_EXPIRED',
  'PASSWORD_RESET_NOT_STARTED',
  'PASSWORD_RESET_TOKEN_INVALID',
  'PASSWORD_RESET_TOKEN_EXPIRED',
  'PASSWORD_RESET_TOKEN_USED',
]);

// The catalogue's sign-in wording ("This sign-in attempt …") would mislead on the reset screens.
function describeEndedReset(code: ErrorCode): string {
  switch (code) {
    case 'OTP_CHALLENGE_EXPIRED':
    case 'PASSWORD_RESET_TOKEN_EXPIRED':
      return 'This password reset expired. Enter your email address to get a new code.';
    case 'PASSWORD_RESET_TOKEN_USED':
      return errorCatalogue.PASSWORD_RESET_TOKEN_USED.message;
    default:
      return 'This password reset is no longer valid. Enter your email address to get a new code.';
  }
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

export type PasswordResetStep = 'email' | 'code' | 'new_password';

export interface PasswordResetStoreOptions {
  /** Called after the new password is set. The reset signs no one in. */
  onFinished(): void;
  onCancelled(): void;
}

export interface PasswordResetState {
  step: PasswordResetStep;
  codeStep: PasswordResetCodeStep | null;
  /** Set once the code is accepted. */
  passwordPolicy: PasswordPolicySummary | null;
  /** Five wrong codes lock the attempt until a new code is sent. */
  isCodeLocked: boolean;
  isBusy: boolean;
  error: BridgeError | null;
  requestCode(email: string): Promise<void>;
  resendCode(): Promise<void>;
  verifyCode(code: string): Promise<void>;
  setNewPassword(newPassword: string, confirmation: string): Promise<void>;
  cancel(): Promise<void>;
  clearError(): void;
}

export type PasswordResetStore = StoreApi<PasswordResetState>;
