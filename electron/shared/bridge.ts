/**
 * The contract between the renderer and the local auth agent. The Electron preload and
 * the browser shell both implement `ClinicGateBridge` over these channels, so the
 * renderer cannot tell them apart. Nothing here carries a session, device-trust or
 * challenge token: those stay in the agent.
 */
import type { AuditEventPage, AuditEventQuery, MfaReason, OtpChannel, PasswordPolicySummary, Role, TrustedDeviceSummary } from './api';
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
  /** The practice's password length rules, for the change-password screen; absent from older servers. */
  passwordPolicy?: PasswordPolicySummary;
}

/** A workstation the signed-in user chose to remember; `isCurrentDevice` marks this one. */
export type TrustedWorkstation = TrustedDeviceSummary;

export interface RenameWorkstationInput {
  id: string;
  /** 1 to 100 characters, or null to show the workstation name again. */
  label: string | null;
}

export interface RevokeWorkstationInput {
  id: string;
}

export interface WorkstationRevocation {
  /** True when this workstation was revoked: its trust token and session are gone, so the user is signed out. */
  wasThisWorkstation: boolean;
}

export interface PasswordResetStartInput {
  /** The email address registered for the account; matched ignoring case and surrounding spaces. */
  email: string;
}

/** The reset code step. The same whether or not the address belongs to an account. */
export interface PasswordResetCodeStep {
  /** The typed address, masked like `a•••@clinic.example`. */
  destination: string;
  codeExpiresAt: string;
  resendAvailableAt: string;
  /** When the reset attempt ends and the person has to start again. */
  expiresAt: string;
}

export interface PasswordResetCodeInput {
  code: string;
}

/** The code was right, so the agent keeps a single-use reset token in memory until the new password is set. */
export interface PasswordResetVerified {
  passwordPolicy: PasswordPolicySummary;
  /** When the reset token expires. */
  expiresAt: string;
}

export interface NewPasswordInput {
  newPassword: string;
}

export interface ChangePasswordInput {
  currentPassword: string;
  newPassword: string;
}

export interface PasswordChangeResult {
  /** The user's sessions on other workstations that the change ended. */
  otherSessionsEnded: number;
}

export interface PasswordStrengthInput {
  password: string;
}

/** A hint while typing; the server's policy check decides. */
export interface PasswordStrength {
  /** zxcvbn's guess-based score: 0 (guessed at once) to 4 (very hard to guess). */
  score: 0 | 1 | 2 | 3 | 4;
  /** A sentence on what makes the password weak, or null. */
  warning: string | null;
  suggestions: string[];
}

/** The filtered audit rows as a CSV file, ready to save. */
export interface AuditExport {
  fileName: string;
  csv: string;
}

/** Event the agent sends the renderer unprompted: the idle warning and the end of the session. */
export type AgentEvent =
  | { type: 'idle_warning'; locksAt: string }
  | { type: 'idle_warning_dismissed' }
  /** The session ended after the practice's idle period; the agent revoked it and removed it from the keychain. */
  | { type: 'session_timed_out'; idleTimeoutMinutes: number }
  /** The server ended the session for another reason, found during an activity check. */
  | { type: 'session_ended'; code: ErrorCode };

export type AgentEventListener = (event: AgentEvent) => void;

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
  /** Tells the agent the person used the app (key, pointer, wheel or touch input); the renderer throttles it. */
  reportActivity(): Promise<BridgeResult<null>>;
  /** One page of the practice's audit log; practice administrators only. */
  listAuditEvents(input: AuditEventQuery): Promise<BridgeResult<AuditEventPage>>;
  /** Every audit row that matches the filters, as CSV; practice administrators only. */
  exportAuditEvents(input: AuditEventQuery): Promise<BridgeResult<AuditExport>>;
  /** The signed-in user's remembered workstations that are neither revoked nor expired. */
  listTrustedWorkstations(): Promise<BridgeResult<TrustedWorkstation[]>>;
  renameTrustedWorkstation(input: RenameWorkstationInput): Promise<BridgeResult<TrustedWorkstation>>;
  /** Revokes a remembered workstation and ends its sessions; revoking this one signs out here. */
  revokeTrustedWorkstation(input: RevokeWorkstationInput): Promise<BridgeResult<WorkstationRevocation>>;
  /** Requests a reset code by email. The reply does not reveal whether the account exists. */
  startPasswordReset(input: PasswordResetStartInput): Promise<BridgeResult<PasswordResetCodeStep>>;
  resendPasswordResetCode(): Promise<BridgeResult<PasswordResetCodeStep>>;
  verifyPasswordResetCode(input: PasswordResetCodeInput): Promise<BridgeResult<PasswordResetVerified>>;
  /** Sets the new password. Every session and remembered workstation of the user ends, and the reset signs no one in. */
  completePasswordReset(input: NewPasswordInput): Promise<BridgeResult<null>>;
  cancelPasswordReset(): Promise<BridgeResult<null>>;
  /** Changes the signed-in user's password; their other sessions end. */
  changePassword(input: ChangePasswordInput): Promise<BridgeResult<PasswordChangeResult>>;
  estimatePasswordStrength(input: PasswordStrengthInput): Promise<BridgeResult<PasswordStrength>>;
  /** Subscribes to agent events; returns the function that unsubscribes. */
  onAgentEvent(listener: AgentEventListener): () => void;
}

/** Bridge members that are subscriptions rather than request and response calls. */
export type BridgeSubscription = 'onAgentEvent';
export const bridgeSubscriptions: readonly BridgeSubscription[] = ['onAgentEvent'];

/** The request and response calls of the bridge, each with its own IPC channel. */
export type BridgeMethod = Exclude<keyof ClinicGateBridge, BridgeSubscription>;

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
  reportActivity: 'session:report-activity',
  listAuditEvents: 'audit:list-events',
  exportAuditEvents: 'audit:export-events',
  listTrustedWorkstations: 'devices:list-trusted',
  renameTrustedWorkstation: 'devices:rename-trusted',
  revokeTrustedWorkstation: 'devices:revoke-trusted',
  startPasswordReset: 'password-reset:request-code',
  resendPasswordResetCode: 'password-reset:resend-code',
  verifyPasswordResetCode: 'password-reset:verify-code',
  completePasswordReset: 'password-reset:set-password',
  cancelPasswordReset: 'password-reset:cancel',
  changePassword: 'account:change-password',
  estimatePasswordStrength: 'password:estimate-strength',
} as const satisfies Record<BridgeMethod, string>;

/**
 * Channel on which the Electron main process sends agent events to the window, and the browser
 * shell's path for the same events as a Server-Sent Events stream.
 */
export const agentEventChannel = 'agent:event';
export const agentEventsPath = '/bridge-events';

export type BridgeChannel = (typeof bridgeChannels)[BridgeMethod];

export const bridgeMethods = Object.keys(bridgeChannels) as BridgeMethod[];

/** Name of the global the Electron preload defines in the renderer. */
export const bridgeGlobalName = 'clinicgate';

/** Header that carries the browser shell's per-launch secret. */
export const bridgeSecretHeader = 'x-clinicgate-bridge-secret';

export type BridgeInput<M extends BridgeMethod> = Parameters<ClinicGateBridge[M]>[0];
export type BridgeOutput<M extends BridgeMethod> = Awaited<ReturnType<ClinicGateBridge[M]>>;
