/**
 * The contract between the renderer and the local auth agent. The Electron preload and
 * the browser shell both implement `ClinicGateBridge` over these channels, so the
 * renderer cannot tell them apart. Nothing here carries a session, device-trust or
 * challenge token: those stay in the agent.
 */
import type {
  ActiveSessionSummary,
  AuditEventPage,
  AuditEventQuery,
  AccountSetupCodeResentResponse,
  ContactChangeStartedResponse,
  CreatePracticeUserRequest,
  CreatePracticeUserResponse,
  MfaReason,
  OtpChannel,
  PasswordPolicySummary,
  PracticeSettingChangeResponse,
  PracticeSettingName,
  PracticeSettingsResponse,
  PracticeUserAction,
  PracticeUserActionResponse,
  PracticeUserSummary,
  ProfileResponse,
  Role,
  TrustedDeviceSummary,
} from './api';
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
   * setup screen can fill it in. Its certificate still has to be confirmed. Present only while
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

export interface AccountSetupCodeInput {
  /** The username, or the email address the welcome email went to. */
  usernameOrEmail: string;
  /** The setup code from the welcome email; spaces and dashes are ignored. */
  code: string;
}

/** The setup code was right, so the agent keeps the name and code in memory until the password is set. */
export interface AccountSetupVerified {
  /** The account's username as stored, to show on the password step. */
  username: string;
  passwordPolicy: PasswordPolicySummary;
  codeExpiresAt: string;
}

export interface SendAccountSetupCodeInput {
  userId: string;
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

export interface ChangePracticeSettingInput {
  setting: PracticeSettingName;
  /** A whole number in the setting's range; `require_mfa_always` takes 0 or 1. */
  value: number;
}

export interface SetTrustedNetworksInput {
  /** CIDR blocks like `203.0.113.0/24`; an empty list clears them. */
  networks: string[];
}

export interface ListPracticeUsersInput {
  /** Part of a username or name, matched ignoring case; empty lists everyone. */
  search: string;
}

export type CreatePracticeUserInput = CreatePracticeUserRequest;

export interface UpdatePracticeUserInput {
  userId: string;
  displayName?: string;
  email?: string;
  /** An E.164 number, or null to remove it. */
  mobile?: string | null;
  role?: Role;
}

/** The changed user. `setupEmailSent` is present only when the email of a user waiting for setup changed. */
export interface UpdatedPracticeUser extends PracticeUserSummary {
  setupEmailSent?: boolean;
}

export interface AdministerPracticeUserInput {
  userId: string;
  action: PracticeUserAction;
}

export interface PracticeUserWorkstationsInput {
  userId: string;
}

export interface RevokePracticeUserWorkstationInput {
  userId: string;
  /** The workstation's id from `listPracticeUserWorkstations`. */
  id: string;
}

export interface PracticeUserWorkstationRevocation {
  /** That user's sessions on the workstation that the revocation ended. */
  sessionsEnded: number;
}

export interface PreferredChannelInput {
  channel: OtpChannel;
}

export interface StartContactChangeInput {
  channel: OtpChannel;
  /** The new email address or E.164 mobile number. */
  value: string;
  currentPassword: string;
}

export interface VerifyContactChangeInput {
  channel: OtpChannel;
  code: string;
}

export interface SignOutEverywhereResult {
  sessionsEnded: number;
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
  /** Checks a new account's setup code without using it up and returns the password rules. */
  verifyAccountSetupCode(input: AccountSetupCodeInput): Promise<BridgeResult<AccountSetupVerified>>;
  /** Sets the first password with the verified setup code, which is then used up; it signs no one in. */
  completeAccountSetup(input: NewPasswordInput): Promise<BridgeResult<null>>;
  cancelAccountSetup(): Promise<BridgeResult<null>>;
  /** Changes the signed-in user's password; their other sessions end. */
  changePassword(input: ChangePasswordInput): Promise<BridgeResult<PasswordChangeResult>>;
  estimatePasswordStrength(input: PasswordStrengthInput): Promise<BridgeResult<PasswordStrength>>;
  /** The practice's security settings with their ranges; practice administrators only. */
  getPracticeSettings(): Promise<BridgeResult<PracticeSettingsResponse>>;
  /** Changes one setting; turning on `require_mfa_always` ends every session made without a code. */
  changePracticeSetting(input: ChangePracticeSettingInput): Promise<BridgeResult<PracticeSettingChangeResponse>>;
  /** Replaces the practice's trusted networks and returns the stored list. */
  setTrustedNetworks(input: SetTrustedNetworksInput): Promise<BridgeResult<string[]>>;
  listPracticeUsers(input: ListPracticeUsersInput): Promise<BridgeResult<PracticeUserSummary[]>>;
  /** Creates a user, who is emailed a setup code for choosing their own password. */
  createPracticeUser(input: CreatePracticeUserInput): Promise<BridgeResult<CreatePracticeUserResponse>>;
  /** Emails a user who has not chosen a password yet a new setup code; the previous one stops working. */
  sendAccountSetupCode(input: SendAccountSetupCodeInput): Promise<BridgeResult<AccountSetupCodeResentResponse>>;
  /** Changes a user's name, contacts or role; a new email of a user waiting for setup gets a new setup code. */
  updatePracticeUser(input: UpdatePracticeUserInput): Promise<BridgeResult<UpdatedPracticeUser>>;
  /** Deactivates, reactivates or unlocks a user, or ends their sessions and revokes their workstations. */
  administerPracticeUser(input: AdministerPracticeUserInput): Promise<BridgeResult<PracticeUserActionResponse>>;
  /** A practice user's remembered workstations that are neither revoked nor expired; practice administrators only. */
  listPracticeUserWorkstations(input: PracticeUserWorkstationsInput): Promise<BridgeResult<TrustedWorkstation[]>>;
  /** Revokes one of a practice user's remembered workstations and ends that user's sessions on it; practice administrators only. */
  revokePracticeUserWorkstation(input: RevokePracticeUserWorkstationInput): Promise<BridgeResult<PracticeUserWorkstationRevocation>>;
  getProfile(): Promise<BridgeResult<ProfileResponse>>;
  setPreferredChannel(input: PreferredChannelInput): Promise<BridgeResult<ProfileResponse>>;
  /** Checks the password and sends a code to the new email or mobile; nothing changes until it is entered. */
  startContactChange(input: StartContactChangeInput): Promise<BridgeResult<ContactChangeStartedResponse>>;
  verifyContactChange(input: VerifyContactChangeInput): Promise<BridgeResult<ProfileResponse>>;
  listActiveSessions(): Promise<BridgeResult<ActiveSessionSummary[]>>;
  /** Ends every session of the signed-in user, this one included, so the app returns to sign-in. */
  signOutEverywhere(): Promise<BridgeResult<SignOutEverywhereResult>>;
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
  verifyAccountSetupCode: 'account-setup:verify-code',
  completeAccountSetup: 'account-setup:set-password',
  cancelAccountSetup: 'account-setup:cancel',
  changePassword: 'account:change-password',
  estimatePasswordStrength: 'password:estimate-strength',
  getPracticeSettings: 'practice:get-settings',
  changePracticeSetting: 'practice:change-setting',
  setTrustedNetworks: 'practice:set-trusted-networks',
  listPracticeUsers: 'users:list',
  createPracticeUser: 'users:create',
  sendAccountSetupCode: 'users:send-setup-code',
  updatePracticeUser: 'users:update',
  administerPracticeUser: 'users:administer',
  listPracticeUserWorkstations: 'users:list-workstations',
  revokePracticeUserWorkstation: 'users:revoke-workstation',
  getProfile: 'profile:get',
  setPreferredChannel: 'profile:set-preferred-channel',
  startContactChange: 'profile:start-contact-change',
  verifyContactChange: 'profile:verify-contact-change',
  listActiveSessions: 'sessions:list-active',
  signOutEverywhere: 'sessions:sign-out-everywhere',
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
