/**
 * Shapes of the server's HTTP API, shared by the server routes and the agent's API client.
 * Times are ISO 8601 strings in UTC. Tokens appear only in the fields named `...Token`
 * and in `session.token`; none of them is ever logged or shown in the renderer.
 */
import type { ErrorCode, ErrorDetails } from './error-codes';

export const apiBasePath = '/api/v1';

export type OtpChannel = 'email' | 'sms';
export const otpChannels: readonly OtpChannel[] = ['email', 'sms'];

/** Why the server asks for a code; the screens show a sentence for each. */
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
}

export interface SessionUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  permissions: string[];
}

// POST /api/v1/session/logout (same headers as GET /api/v1/session) answers 204.

export interface ApiErrorBody {
  error: { code: ErrorCode; message: string } & ErrorDetails;
}
