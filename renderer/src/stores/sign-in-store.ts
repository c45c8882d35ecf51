/**
 * The sign-in flow as the screens see it: which phase is showing, what the code step needs to
 * display and the current error. Secrets stay out of the state: the password and the code are
 * only arguments passed through to the bridge, and tokens never reach the renderer at all.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { MfaReason, OtpChannel } from '../../../electron/shared/api';
import type {
  AgentEvent,
  BridgeError,
  BridgeResult,
  ChannelChoice,
  ClinicGateBridge,
  CodeDelivery,
  ServerCertificate,
  SessionView,
  SetupState,
} from '../../../electron/shared/bridge';
import { errorCatalogue, type ErrorCode } from '../../../electron/shared/error-codes';
import { isCompleteCode, normalizeCodeInput } from '../format/code-input';

export function createSignInStore(bridge: ClinicGateBridge, options: SignInStoreOptions = {}): SignInStore {
  const now = options.now ?? Date.now;

  // Counts sign-in attempts. Leaving the code step or the session bumps it, so a reply that
  // arrives for an attempt the person already left (after Cancel, say) is dropped.
  let attemptNumber = 0;
  let lastActivityReportAt = Number.NEGATIVE_INFINITY;

  const store = createStore<SignInState>()((set, get) => {
    async function runBusy(task: (isCurrent: () => boolean) => Promise<void>): Promise<void> {
      if (get().isBusy) {
        return;
      }
      const startedAttempt = attemptNumber;
      const isCurrent = () => startedAttempt === attemptNumber;
      set({ isBusy: true, error: null });
      try {
        await task(isCurrent);
      } finally {
        if (isCurrent()) {
          set({ isBusy: false });
        }
      }
    }

    function returnToSignIn(error: BridgeError | null): void {
      attemptNumber += 1;
      set({
        phase: 'sign_in',
        codeStep: null,
        session: null,
        pendingCertificate: null,
        isBusy: false,
        error,
        idleWarning: null,
        view: 'home',
        previousView: 'home',
        signInMfaReason: null,
      });
    }

    /** Returns to sign-in with an explanation that is news, not a failure, such as an idle lock. */
    function returnToSignInWithNotice(notice: string): void {
      returnToSignIn(null);
      set({ notice });
    }

    function returnToServerSetup(error: BridgeError | null): void {
      attemptNumber += 1;
      set({ phase: 'server_setup', codeStep: null, session: null, pendingCertificate: null, isBusy: false, error });
    }

    function updateCodeStep(change: Partial<CodeStep>, error: BridgeError | null): void {
      const codeStep = get().codeStep;
      if (codeStep === null) {
        return;
      }
      set({ codeStep: { ...codeStep, ...change }, error });
    }

    async function sendCodeToChannel(channel: OtpChannel, isCurrent: () => boolean): Promise<void> {
      const hadCode = get().codeStep?.sentCode != null;
      updateCodeStep({ channel, isSending: true }, null);

      const result = await callBridge(() => bridge.sendCode({ channel }));
      if (!isCurrent()) {
        return;
      }

      updateCodeStep({ isSending: false }, null);
      if (result.ok) {
        updateCodeStep({ ...codeStepAfterDelivery(result.value), isReplacementCode: hadCode }, null);
        return;
      }
      handleCodeStepError(result.error);
    }

    function handleCodeStepError(error: BridgeError): void {
      const codeStep = get().codeStep;
      if (codeStep === null) {
        return;
      }
      const attemptsRemaining = error.attemptsRemaining ?? codeStep.attemptsRemaining;

      switch (error.code) {
        case 'OTP_CHALLENGE_EXPIRED':
        case 'OTP_CHALLENGE_INVALID':
        case 'SIGN_IN_NOT_STARTED':
        case 'AUTH_ACCOUNT_LOCKED':
        case 'AUTH_ACCOUNT_DISABLED':
          returnToSignIn(error);
          return;
        case 'SERVER_NOT_CONFIGURED':
          returnToServerSetup(error);
          return;
        case 'OTP_CHALLENGE_LOCKED':
          updateCodeStep({ isLocked: true, attemptsRemaining: 0 }, error);
          return;
        case 'OTP_CODE_INVALID':
          // The last allowed wrong code locks the challenge, even when the reply carries OTP_CODE_INVALID.
          if (attemptsRemaining === 0) {
            updateCodeStep({ isLocked: true, attemptsRemaining: 0, hasRejectedCode: true }, bridgeError('OTP_CHALLENGE_LOCKED'));
            return;
          }
          updateCodeStep({ attemptsRemaining, hasRejectedCode: true }, error);
          return;
        case 'OTP_CODE_EXPIRED':
          updateCodeStep({ isCodeExpired: true, attemptsRemaining }, error);
          return;
        // The server refused these before trying to deliver, so the code already sent stays the
        // current one, and so does its channel.
        case 'OTP_RESEND_COOLDOWN':
          updateCodeStep(
            {
              channel: codeStep.sentCode?.channel ?? codeStep.channel,
              resendAvailableAt: instantAfter(error.retryAfterSeconds) ?? codeStep.resendAvailableAt,
            },
            error,
          );
          return;
        case 'OTP_SEND_LIMIT_REACHED': {
          // With a known wait the countdown controls the resend button. Without one the button stays off.
          const resendAvailableAt = instantAfter(error.retryAfterSeconds);
          updateCodeStep(
            {
              channel: codeStep.sentCode?.channel ?? codeStep.channel,
              resendAvailableAt,
              sendsRemainingThisHour: resendAvailableAt === null ? 0 : null,
            },
            error,
          );
          return;
        }
        default:
          updateCodeStep({ attemptsRemaining }, error);
      }
    }

    function instantAfter(seconds: number | undefined): string | null {
      if (seconds === undefined || seconds <= 0) {
        return null;
      }
      return new Date(now() + seconds * 1000).toISOString();
    }

    return {
      phase: 'loading',
      setup: null,
      pendingCertificate: null,
      codeStep: null,
      session: null,
      isBusy: false,
      error: null,
      idleWarning: null,
      view: 'home',
      previousView: 'home',
      signInMfaReason: null,
      notice: null,

      initialize: () =>
        runBusy(async () => {
          set({ phase: 'loading' });

          const setupResult = await callBridge(() => bridge.getSetupState());
          if (!setupResult.ok) {
            set({ error: setupResult.error });
            return;
          }
          const setup = setupResult.value;
          set({ setup });
          if (setup.serverUrl === null) {
            set({ phase: 'server_setup' });
            return;
          }

          const sessionResult = await callBridge(() => bridge.getSession());
          if (!sessionResult.ok) {
            set({ phase: 'sign_in', error: sessionResult.error });
            return;
          }
          if (sessionResult.value === null) {
            set({ phase: 'sign_in' });
            return;
          }
          set({ phase: 'signed_in', session: sessionResult.value });
        }),

      probeServer: (serverUrl) =>
        runBusy(async () => {
          const trimmedUrl = serverUrl.trim();
          if (trimmedUrl === '') {
            set({ error: bridgeError('SERVER_ADDRESS_INVALID') });
            return;
          }

          const result = await callBridge(() => bridge.probeServer({ serverUrl: trimmedUrl }));

          if (!result.ok) {
            set({ pendingCertificate: null, error: result.error });
            return;
          }
          set({ pendingCertificate: result.value });
        }),

      confirmServer: () =>
        runBusy(async () => {
          const certificate = get().pendingCertificate;
          if (certificate === null) {
            return;
          }

          const result = await callBridge(() =>
            bridge.saveServer({ serverUrl: certificate.serverUrl, fingerprint: certificate.fingerprint }),
          );

          if (!result.ok) {
            // A mismatch means the server changed its certificate after the person looked at it,
            // so the one on screen must not stay there to be trusted.
            const isMismatch = result.error.code === 'SERVER_CERTIFICATE_MISMATCH';
            set({ pendingCertificate: isMismatch ? null : certificate, error: result.error });
            return;
          }
          set({ setup: result.value, pendingCertificate: null, phase: 'sign_in' });
        }),

      discardCertificate: () => {
        set({ pendingCertificate: null, error: null });
      },

      submitPassword: (username, password) =>
        runBusy(async (isCurrent) => {
          set({ notice: null });
          const trimmedUsername = username.trim();
          if (trimmedUsername === '' || password === '') {
            set({ error: bridgeError('VALIDATION_FAILED', 'Enter your username and password.') });
            return;
          }

          const result = await callBridge(() => bridge.submitPassword({ username: trimmedUsername, password }));
          if (!isCurrent()) {
            return;
          }

          if (!result.ok) {
            if (result.error.code === 'SERVER_NOT_CONFIGURED') {
              returnToServerSetup(result.error);
              return;
            }
            set({ error: result.error });
            return;
          }
          const outcome = result.value;
          if (outcome.status === 'signed_in') {
            set({ phase: 'signed_in', session: outcome.session });
            return;
          }

          const firstChannel = pickFirstChannel(outcome.channels, outcome.preferredChannel);
          set({ phase: 'code', codeStep: newCodeStep(outcome.reason, outcome.channels, firstChannel ?? outcome.preferredChannel) });
          if (firstChannel === null) {
            set({ error: bridgeError('OTP_CHANNEL_UNAVAILABLE') });
            return;
          }
          // Send right away so the person does not have to ask for the first code.
          await sendCodeToChannel(firstChannel, isCurrent);
        }),

      sendCode: (channel) =>
        runBusy(async (isCurrent) => {
          if (get().codeStep === null) {
            return;
          }
          await sendCodeToChannel(channel, isCurrent);
        }),

      verifyCode: (code, rememberWorkstation) =>
        runBusy(async (isCurrent) => {
          const codeStep = get().codeStep;
          if (codeStep === null) {
            return;
          }
          if (codeStep.isLocked) {
            set({ error: bridgeError('OTP_CHALLENGE_LOCKED') });
            return;
          }
          const digits = normalizeCodeInput(code);
          if (digits === null || !isCompleteCode(digits)) {
            set({ error: bridgeError('VALIDATION_FAILED', 'Enter the 6-digit code we sent you.', '/code') });
            return;
          }

          const result = await callBridge(() => bridge.verifyCode({ code: digits, rememberWorkstation }));
          if (!isCurrent()) {
            return;
          }

          if (!result.ok) {
            handleCodeStepError(result.error);
            return;
          }
          set({ phase: 'signed_in', session: result.value, codeStep: null, signInMfaReason: codeStep.reason });
        }),

      cancel: async () => {
        const wasInCodeStep = get().codeStep !== null;
        returnToSignIn(null);
        if (wasInCodeStep) {
          // The agent discards the challenge. The screens can do nothing about a failure here, so it is ignored.
          await callBridge(() => bridge.cancelSignIn());
        }
      },

      signOut: () =>
        runBusy(async () => {
          const result = await callBridge(() => bridge.signOut());

          if (!result.ok && !isSessionEndedCode(result.error.code)) {
            set({ error: result.error });
            return;
          }
          returnToSignIn(null);
        }),

      refreshSession: async () => {
        if (get().phase !== 'signed_in' || get().isBusy) {
          return;
        }
        const startedAttempt = attemptNumber;

        const result = await callBridge(() => bridge.getSession());
        if (startedAttempt !== attemptNumber || get().phase !== 'signed_in') {
          return;
        }

        if (result.ok && result.value !== null) {
          set({ session: result.value });
          return;
        }
        if (result.ok) {
          returnToSignIn(bridgeError('SESSION_INVALID'));
          return;
        }
        // An unreachable server does not prove the session ended, so only the session codes sign out here.
        if (isSessionEndedCode(result.error.code)) {
          returnToSignIn(result.error);
        }
      },

      clearError: () => {
        set({ error: null });
      },

      reportActivity: () => {
        if (get().phase !== 'signed_in') {
          return;
        }
        const isWarningShown = get().idleWarning !== null;
        const reportedAt = now();
        // Input during the warning is reported at once, because it is what keeps the session.
        if (!isWarningShown && reportedAt - lastActivityReportAt < activityReportIntervalMs) {
          return;
        }
        lastActivityReportAt = reportedAt;
        if (isWarningShown) {
          set({ idleWarning: null });
        }
        void callBridge(() => bridge.reportActivity());
      },

      handleAgentEvent: (event) => {
        switch (event.type) {
          case 'idle_warning':
            if (get().phase === 'signed_in') {
              set({ idleWarning: { locksAt: event.locksAt } });
            }
            return;
          case 'idle_warning_dismissed':
            set({ idleWarning: null });
            return;
          case 'session_timed_out':
            if (get().phase === 'signed_in') {
              returnToSignInWithNotice(describeIdleSignOut(event.idleTimeoutMinutes));
            }
            return;
          case 'session_ended':
            if (get().phase === 'signed_in') {
              returnToSignIn(bridgeError(event.code));
            }
            return;
        }
      },

      showView: (view) => {
        const current = get();
        if (current.phase !== 'signed_in') {
          return;
        }
        // Opening the view that is already shown keeps where its "Back" leads.
        set(view === current.view ? { error: null } : { view, previousView: current.view, error: null });
      },

      showPreviousView: () => {
        const current = get();
        if (current.phase === 'signed_in') {
          set({ view: current.previousView, previousView: 'home', error: null });
        }
      },

      signOutAfterWorkstationRevoked: () => {
        if (get().phase === 'signed_in') {
          returnToSignInWithNotice(workstationRevokedMessage);
        }
      },

      signOutAfterSigningOutEverywhere: (sessionsEnded) => {
        if (get().phase === 'signed_in') {
          const count = sessionsEnded === 1 ? '1 session' : `${sessionsEnded} sessions`;
          returnToSignInWithNotice(`You signed out everywhere: ${count} ended, including this one. Sign in again to continue.`);
        }
      },

      showPasswordReset: () => {
        if (get().phase === 'sign_in') {
          set({ phase: 'password_reset', error: null, notice: null });
        }
      },

      finishPasswordReset: (notice) => {
        if (get().phase === 'password_reset') {
          set({ phase: 'sign_in', error: null, notice });
        }
      },

      showAccountSetup: () => {
        if (get().phase === 'sign_in') {
          set({ phase: 'account_setup', error: null, notice: null });
        }
      },

      finishAccountSetup: (notice) => {
        if (get().phase === 'account_setup') {
          set({ phase: 'sign_in', error: null, notice });
        }
      },
    };
  });

  bridge.onAgentEvent((event) => store.getState().handleAgentEvent(event));
  return store;
}

/** Shortest time between two activity reports to the agent while no warning shows. */
export const activityReportIntervalMs = 5_000;

export const workstationRevokedMessage = 'You revoked this workstation, so you are signed out. Your next sign-in here needs a code.';

/** Builds the sign-in screen's message after an idle lock, with the practice's real period. */
export function describeIdleSignOut(idleTimeoutMinutes: number): string {
  const period = idleTimeoutMinutes === 1 ? '1 minute' : `${idleTimeoutMinutes} minutes`;
  return `You were signed out after ${period} without activity.`;
}

/**
 * Returns the channel the code step offers besides the current one, or null when there is none.
 * After a failed delivery the reply may list the channels still usable, and that list wins.
 */
export function selectAlternativeChannel(state: Pick<SignInState, 'codeStep' | 'error'>): ChannelChoice | null {
  const codeStep = state.codeStep;
  if (codeStep === null) {
    return null;
  }
  const usableChannels = state.error?.channels;
  const alternative = codeStep.channels.find(
    (choice) => choice.channel !== codeStep.channel && (usableChannels === undefined || usableChannels.includes(choice.channel)),
  );
  return alternative ?? null;
}

function newCodeStep(reason: MfaReason, channels: ChannelChoice[], channel: OtpChannel): CodeStep {
  return {
    reason,
    channels,
    channel,
    sentCode: null,
    isSending: false,
    isReplacementCode: false,
    resendAvailableAt: null,
    sendsRemainingThisHour: null,
    attemptsRemaining: null,
    hasRejectedCode: false,
    isLocked: false,
    isCodeExpired: false,
  };
}

function codeStepAfterDelivery(delivery: CodeDelivery): Partial<CodeStep> {
  return {
    channel: delivery.channel,
    sentCode: { channel: delivery.channel, destination: delivery.destination, expiresAt: delivery.codeExpiresAt },
    resendAvailableAt: delivery.resendAvailableAt,
    sendsRemainingThisHour: delivery.sendsRemainingThisHour,
    attemptsRemaining: delivery.attemptsRemaining,
    hasRejectedCode: false,
    isLocked: false,
    isCodeExpired: false,
  };
}

function pickFirstChannel(channels: ChannelChoice[], preferredChannel: OtpChannel): OtpChannel | null {
  if (channels.some((choice) => choice.channel === preferredChannel)) {
    return preferredChannel;
  }
  return channels[0]?.channel ?? null;
}

const sessionEndingCodes: ReadonlySet<ErrorCode> = new Set([
  'SESSION_INVALID',
  'SESSION_EXPIRED',
  'SESSION_DEVICE_MISMATCH',
  'SESSION_PASSWORD_CHANGED',
  'SESSION_MFA_REQUIRED',
  'SESSION_REVOKED_BY_ADMIN',
  'SESSION_ACCOUNT_DEACTIVATED',
  'SESSION_SIGNED_OUT_EVERYWHERE',
]);

/** True for the errors that mean the server ended this session, so the app returns to sign-in. */
export function isSessionEndedCode(code: ErrorCode): boolean {
  return sessionEndingCodes.has(code);
}

function bridgeError(code: ErrorCode, message: string = errorCatalogue[code].message, field?: string): BridgeError {
  return field === undefined ? { code, message } : { code, message, field };
}

// The bridge contract returns failures as values, but a preload or shell bug could still reject.
async function callBridge<T>(call: () => Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  try {
    return await call();
  } catch {
    return { ok: false, error: bridgeError('INTERNAL_ERROR') };
  }
}

export type SignInPhase = 'loading' | 'server_setup' | 'sign_in' | 'code' | 'signed_in' | 'password_reset' | 'account_setup';

/** Screen of the signed-in phase: the home summary or the audit log (practice administrators). */
export type SignedInView = 'home' | 'audit_log' | 'trusted_workstations' | 'change_password' | 'practice_settings' | 'users' | 'profile';

export interface SignInStoreOptions {
  /** Clock in epoch milliseconds. Tests pass a fixed one. */
  now?: () => number;
}

/** A code that reached its channel. */
export interface SentCode {
  channel: OtpChannel;
  /** Masked destination, like `***-***-1234`. */
  destination: string;
  expiresAt: string;
}

/** State of the code screen for the sign-in attempt in progress. */
export interface CodeStep {
  reason: MfaReason;
  channels: ChannelChoice[];
  /** Channel of the latest send request, whether or not it was delivered. */
  channel: OtpChannel;
  /** The latest code delivered. A failed send to another channel leaves it in place. */
  sentCode: SentCode | null;
  /** True when `sentCode` replaced an earlier code, which no longer works. */
  isReplacementCode: boolean;
  isSending: boolean;
  resendAvailableAt: string | null;
  sendsRemainingThisHour: number | null;
  attemptsRemaining: number | null;
  /** True after the server rejected a code in this step, so the screen shows the attempts left. */
  hasRejectedCode: boolean;
  isLocked: boolean;
  isCodeExpired: boolean;
}

export interface SignInState {
  phase: SignInPhase;
  setup: SetupState | null;
  /** Certificate the server presented, waiting for the person to trust it or cancel. */
  pendingCertificate: ServerCertificate | null;
  codeStep: CodeStep | null;
  session: SessionView | null;
  isBusy: boolean;
  error: BridgeError | null;
  /** Set while the agent warns that the session is about to lock for inactivity. */
  idleWarning: { locksAt: string } | null;
  view: SignedInView;
  /** The view `view` was opened from, where "Back" returns to; home after sign-in. */
  previousView: SignedInView;
  /**
   * Reason this sign-in needed a code, kept after the code step so the home screen can describe the next
   * sign-in. Null when it needed no code, and after a restart, because the session does not include it.
   */
  signInMfaReason: MfaReason | null;
  /** A success message for the sign-in screen, such as the one after a password reset. */
  notice: string | null;
  initialize(): Promise<void>;
  probeServer(serverUrl: string): Promise<void>;
  confirmServer(): Promise<void>;
  discardCertificate(): void;
  submitPassword(username: string, password: string): Promise<void>;
  sendCode(channel: OtpChannel): Promise<void>;
  verifyCode(code: string, rememberWorkstation: boolean): Promise<void>;
  cancel(): Promise<void>;
  signOut(): Promise<void>;
  /** Rechecks the session with the agent, returning to sign-in when it has ended. */
  refreshSession(): Promise<void>;
  clearError(): void;
  /** Passes the person's input on to the agent's idle monitor, at most every 5 s unless the warning shows. */
  reportActivity(): void;
  handleAgentEvent(event: AgentEvent): void;
  showView(view: SignedInView): void;
  /** Returns to the view the current one was opened from. */
  showPreviousView(): void;
  /** Shows sign-in after the user revoked this workstation, whose agent has already dropped its tokens. */
  signOutAfterWorkstationRevoked(): void;
  /** Shows sign-in after "Sign out everywhere", whose agent has already dropped this session. */
  signOutAfterSigningOutEverywhere(sessionsEnded: number): void;
  /** Leaves the sign-in screen for "Forgot password?". */
  showPasswordReset(): void;
  /** Returns from "Forgot password?" to sign-in, with the success message when the password was reset. */
  finishPasswordReset(notice: string | null): void;
  /** Leaves the sign-in screen for "New here? Set up your account". */
  showAccountSetup(): void;
  /** Returns from account setup to sign-in, with the success message when the password was set. */
  finishAccountSetup(notice: string | null): void;
}

export type SignInStore = StoreApi<SignInState>;
