/**
 * The contract between the renderer and the local auth agent. The Electron preload and
 * the browser shell both implement `ClinicGateBridge` over these channels, so the
 * renderer cannot tell them apart. Nothing here carries a session, device-trust or
 * challenge token: those stay in the agent.
 */
import type { MfaReason, OtpChannel, Role } from './api';
import type { ErrorCode, ErrorDetails } from './error-codes';

export type BridgeResult<T> = { ok: true; value: T } | { ok: false; error: BridgeError };

export interface BridgeError extends ErrorDetails {
  code: ErrorCode;
  message: string;
}

export interface SetupState {
  serverUrl: string | null;
  /** SHA-256 fingerprint of the confirmed server certificate, as colon-separated hex pairs. */
  certificateFingerprint: string | null;
  /** `memory` means no keychain service was reachable and tokens last only until the app closes. */
  tokenStorage: 'keychain' | 'memory';
  shell: 'electron' | 'browser';
  /**
   * Server address the IT person preset with CLINICGATE_SERVER_URL but without a CA file, so the
   * setup screen can fill it in; its certificate still has to be confirmed. Present only while
   * `serverUrl` is null.
   */
  suggestedServerUrl?: string;
}

export interface ServerCertificate {
  serverUrl: string;
  fingerprint: string;
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
}

export interface ProbeServerInput {
  serverUrl: string;
}

export interface SaveServerInput {
  serverUrl: string;
  /** The fingerprint the user confirmed; saving fails if the server now presents another. */
  fingerprint: string;
}

export interface SubmitPasswordInput {
  username: string;
  password: string;
}

export type PasswordOutcome =
  | { status: 'signed_in'; session: SessionView }
  | { status: 'code_required'; reason: MfaReason; channels: ChannelChoice[]; preferredChannel: OtpChannel };

export interface ChannelChoice {
  channel: OtpChannel;
  destination: string;
}

export interface SendCodeInput {
  channel: OtpChannel;
}

export interface CodeDelivery {
  channel: OtpChannel;
  destination: string;
  codeExpiresAt: string;
  resendAvailableAt: string;
  sendsRemainingThisHour: number;
  attemptsRemaining: number;
}

export interface VerifyCodeInput {
  code: string;
  rememberWorkstation: boolean;
}

export interface SessionView {
  user: { username: string; displayName: string; role: Role; permissions: string[] };
  practice: { name: string };
  expiresAt: string;
  idleExpiresAt: string;
  mfa: boolean;
  workstationRemembered: boolean;
}

export interface ClinicGateBridge {
  getSetupState(): Promise<BridgeResult<SetupState>>;
  probeServer(input: ProbeServerInput): Promise<BridgeResult<ServerCertificate>>;
  saveServer(input: SaveServerInput): Promise<BridgeResult<SetupState>>;
  submitPassword(input: SubmitPasswordInput): Promise<BridgeResult<PasswordOutcome>>;
  sendCode(input: SendCodeInput): Promise<BridgeResult<CodeDelivery>>;
  verifyCode(input: VerifyCodeInput): Promise<BridgeResult<SessionView>>;
  cancelSignIn(): Promise<BridgeResult<null>>;
  getSession(): Promise<BridgeResult<SessionView | null>>;
  signOut(): Promise<BridgeResult<null>>;
}

export type BridgeMethod = keyof ClinicGateBridge;

/** IPC channel (and browser-shell route) for each bridge method; the allow-list of both. */
export const bridgeChannels = {
  getSetupState: 'setup:get-state',
  probeServer: 'setup:probe-server',
  saveServer: 'setup:save-server',
  submitPassword: 'auth:submit-password',
  sendCode: 'auth:send-code',
  verifyCode: 'auth:verify-code',
  cancelSignIn: 'auth:cancel-sign-in',
  getSession: 'auth:get-session',
  signOut: 'auth:sign-out',
} as const satisfies Record<BridgeMethod, string>;

export type BridgeChannel = (typeof bridgeChannels)[BridgeMethod];

export const bridgeMethods = Object.keys(bridgeChannels) as BridgeMethod[];

/** Name of the global the Electron preload defines in the renderer. */
export const bridgeGlobalName = 'clinicgate';

/** Header that carries the browser shell's per-launch secret. */
export const bridgeSecretHeader = 'x-clinicgate-bridge-secret';

export type BridgeInput<M extends BridgeMethod> = Parameters<ClinicGateBridge[M]>[0];
export type BridgeOutput<M extends BridgeMethod> = Awaited<ReturnType<ClinicGateBridge[M]>>;
