import type { OtpChannel } from '../../../electron/shared/api';

/** A one-time code on its way to a person. `code` is the only secret field. */
export interface CodeMessage {
  channel: OtpChannel;
  /** Full email address or E.164 mobile number. */
  to: string;
  code: string;
  purpose: 'sign_in' | 'password_reset' | 'contact_change' | 'account_setup';
  practiceName: string;
  expiresInMinutes: number;
  /** For `account_setup`, the welcome email: whom the new account is for and when the code expires (ISO 8601). */
  newAccount?: { username: string; displayName: string; codeExpiresAt: string };
}

export interface DeliveryReceipt {
  channel: OtpChannel;
  maskedDestination: string;
  /** Transport that carried the message: `smtp`, `sms-provider`, or `outbox`. */
  transport: 'smtp' | 'sms-provider' | 'outbox';
  /** Outbox file path, SMTP message id or provider message SID; never the message text. */
  reference: string;
}

/** Thrown by a deliverer when the message did not leave; the text never includes the code. */
export class DeliveryError extends Error {
  constructor(
    readonly channel: OtpChannel,
    readonly reason: 'timeout' | 'rejected' | 'unreachable' | 'misconfigured',
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** A security notice sent after an account event; it carries no code, link or other secret. */
export interface NoticeMessage {
  kind: 'workstation_remembered' | 'unusual_location_sign_in' | 'password_reset' | 'password_changed' | 'contact_changed';
  /** Full email address, or an E.164 mobile number for a text. */
  to: string;
  displayName: string;
  practiceName: string;
  workstationName: string;
  /** Approximate place, like `London, England, United Kingdom`. */
  location: string;
  /** ISO 8601 time of the sign-in. */
  occurredAt: string;
  /**
   * For `contact_changed`: which contact changed, its new value masked (like `j***@clinic.example`,
   * or null when it was removed), and whether the account owner or a practice administrator changed it.
   */
  changedContact?: { channel: 'email' | 'sms'; maskedNewValue: string | null; changedBy?: 'owner' | 'practice_admin' };
}

export interface CodeDeliverer {
  deliver(message: CodeMessage): Promise<DeliveryReceipt>;
  /** Sends a security notice to `message.to` on this deliverer's channel. */
  deliverNotice?(message: NoticeMessage): Promise<DeliveryReceipt>;
}

export interface SmtpSettings {
  host: string;
  port: number;
  /** `tls`: implicit TLS (usually 465); `starttls`: upgrade required (usually 587); `none`: loopback relays only. */
  security: 'tls' | 'starttls' | 'none';
  user?: string;
  password?: string;
  /** Extra CA certificate (PEM file) to trust for the relay, e.g. a clinic's internal CA. */
  caFile?: string;
  timeoutMs: number;
}

export interface SmsProviderSettings {
  /** Base URL of a Twilio-compatible REST API, `https://api.twilio.com` for Twilio itself. */
  baseUrl: string;
  accountSid: string;
  authToken: string;
  /** Sender number in E.164 form. */
  fromNumber: string;
  caFile?: string;
  timeoutMs: number;
}

export interface DeliverySettings {
  /** From address of code emails, e.g. `ClinicGate <no-reply@clinic.example>`. */
  emailFrom: string;
  smtp: SmtpSettings | null;
  sms: SmsProviderSettings | null;
  /** Folder for messages when SMTP or SMS is not configured. */
  outboxDir: string;
}
