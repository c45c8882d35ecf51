/**
 * Shapes of the server's HTTP API, shared by the server routes and the agent's API client.
 * Times are ISO 8601 strings in UTC. Tokens appear only in the fields named `...Token`
 * and in `session.token`; none of them is ever logged or shown in the renderer.
 */
import type { ErrorCode, ErrorDetails } from './error-codes';

export const apiBasePath = '/api/v1';

export type OtpChannel = 'email' | 'sms';
export const otpChannels: readonly OtpChannel[] = ['email', 'sms'];

/** Reason the server requires a code. The screens show a sentence for each. */
export type MfaReason = 'new_workstation' | 'required_by_practice' | 'unusual_location';

export type Role = 'clinician' | 'front_desk' | 'billing' | 'practice_admin';

/** SHA-256 hex of the salted machine id, computed by the agent. */
export type DeviceFingerprint = string;
export const deviceFingerprintPattern = '^[0-9a-f]{64}$';

/** Request header that carries the device fingerprint on session requests. */
export const deviceHeader = 'x-clinicgate-device';

// POST /api/v1/auth/password
export interface PasswordStepRequest {
  username: string;
  password: string;
  deviceFingerprint: DeviceFingerprint;
  deviceTrustToken?: string;
  /** Workstation name shown later in the trusted-device list (the OS hostname by default). */
  deviceName?: string;
}

export type PasswordStepResponse =
  | { status: 'signed_in'; session: SessionGrant }
  | { status: 'mfa_required'; challenge: ChallengeSummary };

export interface ChallengeSummary {
  /** Opaque bearer value naming this sign-in attempt; stored by the server only as a hash. */
  challengeToken: string;
  reason: MfaReason;
  channels: ChannelOption[];
  preferredChannel: OtpChannel;
  expiresAt: string;
}

export interface ChannelOption {
  channel: OtpChannel;
  /** Masked destination, like `***-***-1234` or `a•••@clinic.example`. */
  destination: string;
}

// POST /api/v1/auth/otp/send
export interface SendCodeRequest {
  challengeToken: string;
  channel: OtpChannel;
}

export interface SendCodeResponse {
  channel: OtpChannel;
  destination: string;
  codeExpiresAt: string;
  resendAvailableAt: string;
  sendsRemainingThisHour: number;
  attemptsRemaining: number;
}

// POST /api/v1/auth/otp/verify
export interface VerifyCodeRequest {
  challengeToken: string;
  code: string;
  deviceFingerprint: DeviceFingerprint;
  rememberDevice: boolean;
  deviceName?: string;
}

export interface VerifyCodeResponse {
  session: SessionGrant;
  /** Present when `rememberDevice` was true. */
  deviceTrust?: { token: string; expiresAt: string };
}

export interface SessionGrant {
  token: string;
  info: SessionInfo;
}

// GET /api/v1/session (Authorization: Bearer <token>, x-clinicgate-device: <fingerprint>)
export interface SessionInfo {
  user: SessionUser;
  practice: { id: string; name: string };
  createdAt: string;
  idleExpiresAt: string;
  expiresAt: string;
  /** True when this session was established with a one-time code. */
  mfa: boolean;
  /** The practice's inactivity time-out. The desktop app locks after the same period without input. */
  idleTimeoutMinutes?: number;
  /** The practice's password length rules, for the change-password screen. */
  passwordPolicy?: PasswordPolicySummary;
}

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  permissions: string[];
}

// POST /api/v1/session/logout (same headers as GET /api/v1/session) returns 204.

/**
 * Request header that marks a session request as the app's own background check. Such a request
 * never counts as activity, so it cannot keep an unattended session alive.
 */
export const backgroundRequestHeader = 'x-clinicgate-background';

// POST /api/v1/session/timeout (same headers) returns 204. The desktop app sends it when it locks
// after inactivity, and the server ends the session and audits `session.timed_out`.

export type AuditOutcome = 'success' | 'failure';
export type AuditSortColumn = 'occurredAt' | 'event' | 'outcome' | 'username' | 'ip';
export const auditSortColumns: readonly AuditSortColumn[] = ['occurredAt', 'event', 'outcome', 'username', 'ip'];
export const auditMaxPageSize = 200;
export const auditDefaultPageSize = 50;

// GET /api/v1/audit/events and GET /api/v1/audit/events.csv (practice administrators only)
export interface AuditEventQuery {
  /** Username, matched exactly but case-insensitively; also matches attempts that typed it. */
  user?: string;
  event?: string;
  outcome?: AuditOutcome;
  /** ISO time; rows at or after it. */
  from?: string;
  /** ISO time; rows before it. */
  to?: string;
  sort?: AuditSortColumn;
  order?: 'asc' | 'desc';
  /** 1 to 200, 50 by default. Ignored by the CSV export, which returns every matching row. */
  pageSize?: number;
  /** Opaque keyset cursor from the `nextCursor` of an earlier page with the same filters and sort. */
  cursor?: string;
}

export interface AuditEventRecord {
  id: number;
  occurredAt: string;
  event: string;
  outcome: AuditOutcome;
  /** The user's current username, or the username as typed for an attempt that named no known user. */
  username: string | null;
  ip: string | null;
  /** First 12 hex digits of the device fingerprint. */
  device: string | null;
  reason: string | null;
  /** Channel, masked destination and similar facts as JSON text; never a secret. */
  details: string;
}

export interface AuditEventPage {
  events: AuditEventRecord[];
  /** Cursor for the page after this one, or null on the last page. */
  nextCursor: string | null;
}

// GET /api/v1/devices (session headers): the signed-in user's remembered workstations.
// GET /api/v1/admin/users/{userId}/devices: the same for a user of the admin's practice.
export interface TrustedDeviceList {
  devices: TrustedDeviceSummary[];
}

/** A remembered workstation that is neither revoked nor expired. */
export interface TrustedDeviceSummary {
  id: string;
  /** The label when set, otherwise the workstation name sent at sign-in. */
  name: string;
  label: string | null;
  /** Workstation name sent at sign-in (the OS host name by default). */
  hostname: string | null;
  firstUsedAt: string;
  lastUsedAt: string | null;
  /** Approximate place of the last use, like `London, England, United Kingdom` or `Local network`. */
  lastLocation: string | null;
  expiresAt: string;
  /** True for the workstation that sent this request. */
  isCurrentDevice: boolean;
}

// PATCH /api/v1/devices/{deviceId} returns the updated TrustedDeviceSummary.
export interface RenameTrustedDeviceRequest {
  /** 1 to 100 characters, or null to go back to the workstation name. */
  label: string | null;
}

// DELETE /api/v1/devices/{deviceId} and DELETE /api/v1/admin/users/{userId}/devices/{deviceId}
export interface RevokeTrustedDeviceResponse {
  /** Sessions of that user on that workstation that the revocation ended. */
  sessionsEnded: number;
  /** True when the revoked workstation is the one that sent the request, whose session has ended too. */
  wasCurrentDevice: boolean;
}

// POST /api/v1/auth/password-reset/request replies 202 with the same body whether or not the
// email belongs to an account, so the reply reveals nothing about who is registered.
export interface PasswordResetRequest {
  /** Matched ignoring case and surrounding spaces. */
  email: string;
  deviceFingerprint: DeviceFingerprint;
}

export interface PasswordResetCodeSent {
  /** Opaque bearer value naming this reset attempt; it lives 30 minutes. */
  challengeToken: string;
  /** The typed address, masked like `a•••@clinic.example`. */
  destination: string;
  codeExpiresAt: string;
  resendAvailableAt: string;
  expiresAt: string;
}

// POST /api/v1/auth/password-reset/resend replies 200 with a PasswordResetCodeSent.
export interface PasswordResetResendRequest {
  challengeToken: string;
  deviceFingerprint: DeviceFingerprint;
}

// POST /api/v1/auth/password-reset/verify
export interface PasswordResetVerifyRequest {
  challengeToken: string;
  code: string;
  deviceFingerprint: DeviceFingerprint;
}

export interface PasswordResetVerifyResponse {
  /** Single-use bearer value that allows one password change; it lives 10 minutes. */
  resetToken: string;
  expiresAt: string;
  passwordPolicy: PasswordPolicySummary;
}

// POST /api/v1/auth/password-reset/complete returns 204. The user then signs in again.
export interface PasswordResetCompleteRequest {
  challengeToken: string;
  resetToken: string;
  newPassword: string;
  deviceFingerprint: DeviceFingerprint;
}

/** Digits in the setup code of a new account's welcome email. */
export const accountSetupCodeLength = 8;

// POST /api/v1/auth/account-setup/verify checks a setup code without using it up.
export interface AccountSetupVerifyRequest {
  /** The username, or the email address the welcome email went to; matched ignoring case. */
  usernameOrEmail: string;
  /** `accountSetupCodeLength` digits. */
  code: string;
  deviceFingerprint: DeviceFingerprint;
}

export interface AccountSetupVerifyResponse {
  /** The account's username as stored. */
  username: string;
  passwordPolicy: PasswordPolicySummary;
  codeExpiresAt: string;
}

// POST /api/v1/auth/account-setup/complete returns 204. The code is used up; the user then signs in.
export interface AccountSetupCompleteRequest {
  usernameOrEmail: string;
  code: string;
  newPassword: string;
  deviceFingerprint: DeviceFingerprint;
}

// POST /api/v1/account/password (session headers) changes the signed-in user's password.
export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

export interface ChangePasswordResponse {
  /** The user's sessions on other workstations that the change ended. */
  otherSessionsEnded: number;
}

/** The length rules of the practice's password policy, for the screens that set a password. */
export interface PasswordPolicySummary {
  /** Unicode code points after NFKC normalization; never below 8. */
  minLength: number;
  maxLength: number;
}

// Practice administration (practice administrators of their own practice only)
/** Practice settings the Security pane changes, in the units their names carry; `require_mfa_always` is 0 or 1. */
export type PracticeSettingName =
  | 'require_mfa_always'
  | 'idle_timeout_minutes'
  | 'absolute_timeout_minutes'
  | 'device_trust_days'
  | 'min_password_length'
  | 'audit_retention_days'
  | 'resend_cooldown_seconds'
  | 'code_sends_per_hour'
  | 'wrong_codes_per_challenge'
  | 'wrong_codes_per_account_lockout'
  | 'failed_passwords_per_account';

// GET /api/v1/admin/practice/settings
export interface PracticeSettingsResponse {
  practice: { id: string; name: string };
  /** Current value and allowed range of each setting. */
  settings: Record<string, { value: number; min: number; max: number }>;
  /** CIDR blocks, like `203.0.113.0/24`. */
  trustedNetworks: string[];
}

// PUT /api/v1/admin/practice/settings/:setting
export interface PracticeSettingChangeResponse {
  setting: string;
  oldValue: number;
  newValue: number;
  /** Sessions ended because enforcement was turned on. */
  sessionsEnded: number;
}

// PUT /api/v1/admin/practice/trusted-networks
export interface TrustedNetworksChangeResponse {
  trustedNetworks: string[];
}

export interface PracticeUserSummary {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  status: 'active' | 'deactivated';
  isLocked: boolean;
  /** Masked, like `c•••@clinic.example`; null when the user has none. */
  email: string | null;
  /** Masked, like `***-***-1234`; null when the user has none. */
  mobile: string | null;
  /** True until the user chooses a password with their setup code; absent from servers without setup codes. */
  isSetupPending?: boolean;
  /** The channel that receives sign-in codes first, at `email` or, for `sms`, `mobile` above. Absent from older servers. */
  preferredChannel?: OtpChannel;
}

// POST /api/v1/admin/users
export interface CreatePracticeUserRequest {
  username: string;
  displayName: string;
  email: string;
  mobile: string | null;
  role: Role;
  preferredChannel: OtpChannel;
}

/** The new user, and whether the welcome email with the setup code left the server. */
export interface CreatePracticeUserResponse extends PracticeUserSummary {
  setupEmailSent: boolean;
}

// POST /api/v1/admin/users/:userId/setup-code revokes the user's setup code and emails a new one.
export interface AccountSetupCodeResentResponse {
  user: PracticeUserSummary;
  codeExpiresAt: string;
}

// PATCH /api/v1/admin/users/:userId
export interface PracticeUserDetailsChangeResponse {
  user: PracticeUserSummary;
  /**
   * Present only when the email of a user waiting for setup changed: whether a new setup code went
   * to the new address. The code sent to the old address stops working either way.
   */
  setupEmailSent?: boolean;
}

export type PracticeUserAction = 'deactivate' | 'reactivate' | 'unlock' | 'revoke-sessions';

export interface PracticeUserActionResponse {
  user: PracticeUserSummary;
  sessionsEnded: number;
}

// Profile (every signed-in user)
// GET /api/v1/profile
export interface ProfileResponse {
  username: string;
  displayName: string;
  /** Masked. */
  email: string | null;
  /** Masked. */
  mobile: string | null;
  preferredChannel: OtpChannel;
}

// POST /api/v1/profile/contact
export interface ContactChangeRequest {
  channel: OtpChannel;
  /** The new email address or E.164 mobile number. */
  value: string;
  currentPassword: string;
}

export interface ContactChangeStartedResponse {
  channel: OtpChannel;
  /** The new value, masked. */
  destination: string;
  codeExpiresAt: string;
  resendAvailableAt: string;
}

// POST /api/v1/profile/contact/verify
export interface ContactChangeVerifyRequest {
  channel: OtpChannel;
  code: string;
}

export interface ActiveSessionSummary {
  id: string;
  createdAt: string;
  lastActivityAt: string;
  /** Whether the session was made with a one-time code. */
  mfa: boolean;
  isCurrentSession: boolean;
}

// GET /api/v1/profile/sessions
export interface ActiveSessionList {
  sessions: ActiveSessionSummary[];
}

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string } & ErrorDetails;
}
