import { createPrivateKey, X509Certificate } from 'node:crypto';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { extractCode } from '../helpers/extract-code';
import { startSmsProviderSink } from '../helpers/sms-provider-sink';
import type { SmsProviderSink } from '../helpers/sms-provider-sink';
import { startSmtpSink } from '../helpers/smtp-sink';
import type { SmtpSink } from '../helpers/smtp-sink';
import { createTestCertificateAuthority } from '../helpers/test-certificates';

const accountSid = 'AC5ea872f6da5a21de157d80997a64bd33';
const authToken = 'sink-test-token';
const basicAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
const openSinks: Array<SmtpSink | SmsProviderSink> = [];

afterEach(async () => {
  await Promise.all(openSinks.splice(0).map((sink) => sink.close()));
});

describe('extractCode', () => {
  it('returns the six-digit code', () => {
    expect(extractCode('Your code is 012345. It expires in 10 minutes.')).toBe('012345');
  });

  it('accepts the same code repeated', () => {
    expect(extractCode('012345\n\nEnter 012345 now')).toBe('012345');
  });

  it('ignores longer digit runs', () => {
    expect(extractCode('Ticket 1234567, code 654321')).toBe('654321');
  });

  it('throws when there is no code', () => {
    expect(() => extractCode('No digits here, only 12345.')).toThrow(/no 6-digit code/);
  });

  it('throws when there are two different codes', () => {
    expect(() => extractCode('111111 or 222222')).toThrow(/2 different/);
  });
});

describe('SMS provider sink', () => {
  async function startSink(): Promise<SmsProviderSink> {
    const sink = await startSmsProviderSink({ accountSid, authToken });
    openSinks.push(sink);
    return sink;
  }

  function postMessage(sink: SmsProviderSink, fields: Record<string, string>, authorization = basicAuth): Promise<Response> {
    return fetch(`${sink.baseUrl}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  }

  it('accepts a message with 201 and a SID', async () => {
    const sink = await startSink();

    const response = await postMessage(sink, { To: '+15550100003', From: '+15550109999', Body: 'code 123456' });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(201);
    expect(body.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(body.status).toBe('queued');
    expect(sink.messages).toEqual([{ to: '+15550100003', from: '+15550109999', body: 'code 123456' }]);
  });

  it('responds 401 to wrong credentials', async () => {
    const sink = await startSink();

    const response = await postMessage(sink, { To: '+15550100003', From: '+15550109999', Body: 'x' }, 'Basic d3Jvbmc6d3Jvbmc=');

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 20003, status: 401 });
    expect(sink.messages).toHaveLength(0);
  });

  it('responds 400 to a missing field', async () => {
    const sink = await startSink();

    const response = await postMessage(sink, { To: '+15550100003', From: '+15550109999' });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 21604, status: 400 });
  });

  it('responds 404 to another account', async () => {
    const sink = await startSink();

    const response = await fetch(`${sink.baseUrl}/2010-04-01/Accounts/ACother/Messages.json`, { method: 'POST', headers: { Authorization: basicAuth } });

    expect(response.status).toBe(404);
  });

  it('hands each message to one wait only', async () => {
    const sink = await startSink();
    await postMessage(sink, { To: '+15550100003', From: '+15550109999', Body: 'first' });
    await postMessage(sink, { To: '+15550100003', From: '+15550109999', Body: 'second' });

    const first = await sink.waitForMessage('+15550100003');
    const second = await sink.waitForMessage('+15550100003');

    expect(first.body).toBe('first');
    expect(second.body).toBe('second');
  });

  it('rejects a wait that sees no message in time', async () => {
    const sink = await startSink();

    const wait = sink.waitForMessage('+15550100003', 50);

    await expect(wait).rejects.toThrow(/no message to \+15550100003 within 50 ms/);
  });
});

describe('SMTP sink', () => {
  it('resolves a wait when the message arrives later', async () => {
    const sink = await startSmtpSink();
    openSinks.push(sink);
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });

    const wait = sink.waitForMessage('Bob@Clinic.example');
    await transport.sendMail({ from: 'a@clinic.example', to: 'bob@clinic.example', subject: 'Hello', text: 'Body text' });
    const received = await wait;

    expect(received).toEqual({ to: ['bob@clinic.example'], from: 'a@clinic.example', subject: 'Hello', text: 'Body text\n' });
  });
});

describe('test certificate authority', () => {
  it('issues a CA-signed leaf with names', () => {
    const certificateAuthority = createTestCertificateAuthority();

    const { certPem, keyPem } = certificateAuthority.issue(['localhost', '127.0.0.1']);
    const leaf = new X509Certificate(certPem);
    const ca = new X509Certificate(certificateAuthority.caCertPem);

    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(leaf.checkPrivateKey(createPrivateKey(keyPem))).toBe(true);
  });

  it('does not verify against another CA', () => {
    const first = createTestCertificateAuthority();
    const second = createTestCertificateAuthority();

    const leaf = new X509Certificate(first.issue([]).certPem);

    expect(leaf.verify(new X509Certificate(second.caCertPem).publicKey)).toBe(false);
  });
});
