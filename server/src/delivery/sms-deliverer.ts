import { Agent as HttpsAgent } from 'node:https';
import axios, { isAxiosError } from 'axios';
import type { AxiosInstance } from 'axios';
import { formatCodeSms } from './code-message-text';
import { formatNoticeSms } from './notice-message-text';
import { isCertificateVerificationError, readTrustedCertificates } from './extra-certificate-authority';
import { isLoopbackHost } from './loopback-host';
import { maskMobile } from './mask-destination';
import { DeliveryError } from './types';
import type { CodeDeliverer, CodeMessage, DeliveryReceipt, NoticeMessage, SmsProviderSettings } from './types';

const e164Pattern = /^\+[1-9]\d{6,14}$/;
const failedMessageStatuses = new Set(['failed', 'undelivered', 'canceled']);
const maxResponseBytes = 64 * 1024;

/**
 * Creates a deliverer that sends code and notice texts through the Messages API of Twilio or a
 * provider with the same shape. Throws a `misconfigured` DeliveryError when the base URL
 * is not HTTPS (plain HTTP is allowed on loopback only) or when `caFile` cannot be read.
 */
export function createSmsDeliverer(settings: SmsProviderSettings): CodeDeliverer {
  const baseUrl = parseProviderBaseUrl(settings.baseUrl);
  const providerName = `SMS provider ${baseUrl.host}`;
  const messagesPath = `2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
  const client = createProviderClient(settings, new URL(messagesPath, baseUrl));

  const sendText = async (to: string, body: string): Promise<DeliveryReceipt> => {
    if (!e164Pattern.test(to)) {
      throw new DeliveryError('sms', 'rejected', 'The recipient is not a mobile number in E.164 form (like +15550100003), so no text was sent.');
    }

    const form = new URLSearchParams({ To: to, From: settings.fromNumber, Body: body });
    let response;
    try {
      response = await client.post<unknown>('', form);
    } catch (error) {
      throw convertRequestFailure(error, providerName);
    }

    const sid = readMessageSid(response.status, response.data, providerName);
    return { channel: 'sms', maskedDestination: maskMobile(to), transport: 'sms-provider', reference: sid };
  };

  return {
    deliver: async (message: CodeMessage) => sendText(message.to, formatCodeSms(message)),
    deliverNotice: async (message: NoticeMessage) => sendText(message.to, formatNoticeSms(message)),
  };
}

function parseProviderBaseUrl(value: string): URL {
  let baseUrl: URL;
  try {
    baseUrl = new URL(value);
  } catch {
    throw new DeliveryError('sms', 'misconfigured', 'The SMS provider base URL is not a valid URL. Set it like https://api.twilio.com.');
  }

  const isPlainHttpOnLoopback = baseUrl.protocol === 'http:' && isLoopbackHost(baseUrl.hostname);
  if (baseUrl.protocol !== 'https:' && !isPlainHttpOnLoopback) {
    throw new DeliveryError(
      'sms',
      'misconfigured',
      `The SMS provider base URL must use https (plain http is allowed only on this machine), but it is ${baseUrl.protocol}//${baseUrl.host}.`,
    );
  }

  // The path is resolved against the base, so a trailing slash keeps a prefix like /twilio.
  baseUrl.username = '';
  baseUrl.password = '';
  if (!baseUrl.pathname.endsWith('/')) {
    baseUrl.pathname += '/';
  }
  return baseUrl;
}

function createProviderClient(settings: SmsProviderSettings, messagesUrl: URL): AxiosInstance {
  const httpsAgent = new HttpsAgent({
    keepAlive: true,
    minVersion: 'TLSv1.2',
    ...(settings.caFile === undefined ? {} : { ca: readTrustedCertificates('sms', settings.caFile) }),
  });

  return axios.create({
    baseURL: messagesUrl.href,
    auth: { username: settings.accountSid, password: settings.authToken },
    headers: { Accept: 'application/json' },
    timeout: settings.timeoutMs,
    httpsAgent,
    // NOTE: Proxies from HTTP(S)_PROXY are ignored. axios sends an https request to an http
    // proxy without a CONNECT tunnel, which would expose the auth token to the proxy.
    proxy: false,
    // A redirect would carry the credentials to another address.
    maxRedirects: 0,
    maxContentLength: maxResponseBytes,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true },
  });
}

/**
 * Returns the message SID from a provider response or throws a DeliveryError. A failure
 * message includes the provider's numeric error code but never the response text, which
 * can repeat the phone number and the message body.
 */
function readMessageSid(status: number, body: unknown, providerName: string): string {
  const fields = typeof body === 'object' && body !== null ? (body as ProviderMessageFields) : {};
  const providerCode = typeof fields.code === 'number' ? ` (provider error code ${fields.code})` : '';

  if (status >= 400 && status < 500) {
    return throwDelivery('rejected', `${providerName} rejected the message with HTTP ${status}${providerCode}.`);
  }
  if (status >= 500) {
    return throwDelivery('unreachable', `${providerName} failed with HTTP ${status}${providerCode}.`);
  }
  if (status !== 200 && status !== 201) {
    return throwDelivery('unreachable', `${providerName} responded with unexpected HTTP ${status}.`);
  }

  if (typeof fields.status === 'string' && failedMessageStatuses.has(fields.status)) {
    const errorCode = typeof fields.error_code === 'number' ? ` (provider error code ${fields.error_code})` : '';
    return throwDelivery('rejected', `${providerName} reported the message as ${fields.status}${errorCode}.`);
  }
  if (typeof fields.sid !== 'string' || !/^[A-Za-z0-9]{2,64}$/.test(fields.sid)) {
    return throwDelivery('unreachable', `${providerName} responded with HTTP ${status} but no message SID, so delivery is unknown.`);
  }
  return fields.sid;
}

function convertRequestFailure(error: unknown, providerName: string): DeliveryError {
  const errorCode = isAxiosError(error) && typeof error.code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(error.code) ? error.code : undefined;

  if (errorCode === 'ETIMEDOUT' || errorCode === 'ECONNABORTED') {
    return new DeliveryError('sms', 'timeout', `${providerName} did not respond in time.`);
  }
  if (errorCode === 'ERR_BAD_RESPONSE' || errorCode === 'ERR_FR_MAX_BODY_LENGTH_EXCEEDED') {
    return new DeliveryError('sms', 'unreachable', `${providerName} sent a response that could not be read (${errorCode}).`);
  }
  if (errorCode !== undefined && isCertificateVerificationError(errorCode)) {
    return new DeliveryError(
      'sms',
      'unreachable',
      `${providerName} presented a certificate that failed verification (${errorCode}). If the provider uses a private certificate authority, set caFile to its certificate.`,
    );
  }
  return new DeliveryError('sms', 'unreachable', `Could not connect to ${providerName}${errorCode === undefined ? '' : ` (${errorCode})`}.`);
}

function throwDelivery(reason: DeliveryError['reason'], message: string): never {
  throw new DeliveryError('sms', reason, message);
}

interface ProviderMessageFields {
  sid?: unknown;
  status?: unknown;
  code?: unknown;
  error_code?: unknown;
}
