import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser';
import type { SMTPTransportOptions } from 'nodemailer/lib/smtp-transport';
import { formatCodeEmail } from './code-message-text';
import { formatNoticeEmail } from './notice-message-text';
import { isCertificateVerificationError, readTrustedCertificates } from './extra-certificate-authority';
import { isLoopbackHost } from './loopback-host';
import { maskEmail } from './mask-destination';
import { DeliveryError } from './types';
import type { CodeDeliverer, CodeMessage, DeliveryReceipt, NoticeMessage, SmtpSettings } from './types';

/**
 * Creates a deliverer that sends code emails through an SMTP relay, one connection per
 * message. Throws a `misconfigured` DeliveryError when `security` is `none` for a relay
 * that is not on loopback, or when `caFile` cannot be read.
 */
export function createEmailDeliverer(settings: SmtpSettings, emailFrom: string): CodeDeliverer {
  const relayAddress = `${settings.host}:${settings.port}`;
  const transport = nodemailer.createTransport(buildSmtpTransportOptions(settings));

  const sendEmail = async (to: string, { subject, text }: { subject: string; text: string }): Promise<DeliveryReceipt> => {
    const recipient = parseSingleRecipient(to);
    if (recipient === null) {
      throw new DeliveryError('email', 'rejected', 'The recipient is not a single valid email address, so no email was sent.');
    }

    let messageId: string;
    try {
      const info = await transport.sendMail({
        from: emailFrom,
        to: recipient,
        // An explicit envelope keeps the relay's recipient list to exactly this address.
        envelope: { from: extractAddress(emailFrom), to: [recipient] },
        subject,
        text,
        headers: { 'Auto-Submitted': 'auto-generated' },
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      messageId = info.messageId;
    } catch (error) {
      throw convertSmtpFailure(error, relayAddress);
    }

    return { channel: 'email', maskedDestination: maskEmail(to), transport: 'smtp', reference: messageId };
  };

  return {
    deliver: async (message: CodeMessage) => sendEmail(message.to, formatCodeEmail(message)),
    deliverNotice: async (message: NoticeMessage) => sendEmail(message.to, formatNoticeEmail(message)),
  };
}

function buildSmtpTransportOptions(settings: SmtpSettings): SMTPTransportOptions {
  if (settings.security === 'none' && !isLoopbackHost(settings.host)) {
    throw new DeliveryError(
      'email',
      'misconfigured',
      `SMTP security "none" is allowed only for a relay on this machine, but the host is ${settings.host}. Use "starttls" or "tls".`,
    );
  }

  const options: SMTPTransportOptions = {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
    tls: {
      minVersion: 'TLSv1.2',
      ...(settings.caFile === undefined ? {} : { ca: readTrustedCertificates('email', settings.caFile) }),
    },
  };

  if (settings.user !== undefined && settings.user !== '') {
    options.auth = { user: settings.user, pass: settings.password ?? '' };
  }
  return options;
}

// nodemailer reads a `to` string as an address list, so "a@x.example, b@y.example" would
// reach two people. Only a value that parses to exactly one plain mailbox is accepted.
function parseSingleRecipient(to: string): string | null {
  const trimmed = to.trim();
  const addresses = addressparser(trimmed);
  const [first] = addresses;
  if (addresses.length !== 1 || first === undefined || first.group !== undefined) {
    return null;
  }
  if (first.address !== trimmed || !/^[^@\s]+@[^@\s]+$/.test(first.address)) {
    return null;
  }
  return first.address;
}

function extractAddress(emailFrom: string): string {
  const [first] = addressparser(emailFrom);
  return first?.address ?? emailFrom;
}

/**
 * Converts a nodemailer failure into a DeliveryError. The message names the relay, the SMTP
 * command and reply code, and system error codes, but never nodemailer's own message text,
 * because that repeats the relay's reply, which often quotes the recipient address.
 */
function convertSmtpFailure(error: unknown, relayAddress: string): DeliveryError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as SmtpFailure;
  const isKnownCommand = typeof failure.command === 'string' && /^[A-Z][A-Z -]{1,31}$/.test(failure.command);
  const command = isKnownCommand && failure.command !== 'CONN' ? ` at ${String(failure.command)}` : '';

  if (failure.code === 'ETIMEDOUT') {
    return new DeliveryError('email', 'timeout', `SMTP relay ${relayAddress} did not respond in time${command}.`);
  }

  // A relay that turns STARTTLS down was set up for plain SMTP, or someone on the path
  // removed STARTTLS; either way the message must not go out unencrypted.
  if (failure.command === 'STARTTLS' && typeof failure.responseCode === 'number') {
    return new DeliveryError(
      'email',
      'misconfigured',
      `SMTP relay ${relayAddress} rejected STARTTLS with reply code ${failure.responseCode}, so the message was not sent. Check the port and the security setting.`,
    );
  }

  if (typeof failure.responseCode === 'number' && failure.responseCode >= 400) {
    const kind = failure.responseCode >= 500 ? 'rejected' : 'temporarily rejected';
    return new DeliveryError(
      'email',
      'rejected',
      `SMTP relay ${relayAddress} ${kind} the message${command} with reply code ${failure.responseCode}.`,
    );
  }

  if (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE') {
    return new DeliveryError('email', 'rejected', `The email to SMTP relay ${relayAddress} was not sent because the message is invalid (${failure.code}).`);
  }

  const errorCodes = [failure.code, failure.originalCode].filter(isSafeErrorCode);
  const detail = errorCodes.length > 0 ? ` (${errorCodes.join(', ')})` : '';
  return new DeliveryError('email', 'unreachable', describeConnectionFailure(relayAddress, errorCodes, detail));
}

function describeConnectionFailure(relayAddress: string, errorCodes: string[], detail: string): string {
  if (errorCodes.some(isCertificateVerificationError)) {
    return `SMTP relay ${relayAddress} presented a certificate that failed verification${detail}. If the relay uses a private certificate authority, set caFile to its certificate.`;
  }
  if (errorCodes.some((code) => code === 'ETLS' || code.startsWith('ERR_SSL'))) {
    return `The TLS handshake with SMTP relay ${relayAddress} failed${detail}. Check the port and the security setting (tls or starttls).`;
  }
  return `Could not connect to SMTP relay ${relayAddress}${detail}.`;
}

function isSafeErrorCode(code: unknown): code is string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code);
}

interface SmtpFailure {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
  command?: unknown;
}
