import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeliverers } from '../../server/src/delivery/create-deliverers';
import { DeliveryError } from '../../server/src/delivery/types';
import type { CodeMessage, DeliverySettings, NoticeMessage } from '../../server/src/delivery/types';
import { startSmsProviderSink } from '../helpers/sms-provider-sink';
import type { SmsProviderSink } from '../helpers/sms-provider-sink';
import { startSmtpSink } from '../helpers/smtp-sink';
import type { SmtpSink } from '../helpers/smtp-sink';
import { createTestCertificateAuthority } from '../helpers/test-certificates';

const email = 'alice.lee@clinic.example';
const mobile = '+15550100003';
const authToken = 'provider-token-8c41d7';
const emailMessage: CodeMessage = { channel: 'email', to: email, code: '381946', purpose: 'sign_in', practiceName: 'Demo Clinic', expiresInMinutes: 10 };
const smsMessage: CodeMessage = { ...emailMessage, channel: 'sms', to: mobile, code: '705228' };
const forbiddenFragments = [
  '381946',
  '705228',
  email,
  'alice.lee',
  mobile,
  '5550100003',
  authToken,
  'expires in 10 minutes',
];

let temporaryDir: string;
let smtpSink: SmtpSink;
let smsSink: SmsProviderSink;
let caFile: string;

beforeAll(async () => {
  temporaryDir = mkdtempSync(path.join(tmpdir(), 'clinicgate-delivery-log-'));
  const certificateAuthority = createTestCertificateAuthority();
  const { keyPem, certPem } = certificateAuthority.issue(['127.0.0.1']);
  caFile = path.join(temporaryDir, 'ca.pem');
  writeFileSync(caFile, certificateAuthority.caCertPem);
  smtpSink = await startSmtpSink({ tls: { key: keyPem, cert: certPem } });
  smsSink = await startSmsProviderSink({ accountSid: 'AC1', authToken, tls: { key: keyPem, cert: certPem } });
});

afterAll(async () => {
  await smtpSink.close();
  await smsSink.close();
  rmSync(temporaryDir, { recursive: true, force: true });
});

function createCapturedLogger(): { logger: pino.Logger; lines: () => LogLine[]; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const text = (): string => chunks.join('');
  const lines = (): LogLine[] =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as LogLine);
  return { logger, lines, text };
}

function providerSettings(): DeliverySettings {
  return {
    emailFrom: 'ClinicGate <no-reply@clinic.example>',
    smtp: { host: '127.0.0.1', port: smtpSink.port, security: 'starttls', caFile, user: 'relay-user', password: 'relay-password-77', timeoutMs: 2_000 },
    sms: { baseUrl: smsSink.baseUrl, accountSid: 'AC1', authToken, fromNumber: '+15550109999', caFile, timeoutMs: 2_000 },
    outboxDir: path.join(temporaryDir, 'outbox'),
  };
}

describe('delivery logging', () => {
  it('logs successful deliveries with masked destinations only', async () => {
    const captured = createCapturedLogger();
    const deliverers = createDeliverers(providerSettings(), captured.logger);

    await deliverers.email.deliver(emailMessage);
    await deliverers.sms.deliver(smsMessage);

    const delivered = captured.lines().filter((line) => line.msg === 'code delivered');
    expect(delivered).toHaveLength(2);
    expect(delivered[0]).toMatchObject({ module: 'delivery', level: 30, channel: 'email', destination: 'a•••@clinic.example', transport: 'smtp' });
    expect(delivered[1]).toMatchObject({ module: 'delivery', level: 30, channel: 'sms', destination: '***-***-0003', transport: 'sms-provider' });
    expect(delivered[1]?.reference).toMatch(/^SM[0-9a-f]{32}$/);
    for (const fragment of [...forbiddenFragments, 'relay-password-77']) {
      expect(captured.text()).not.toContain(fragment);
    }
  });

  it('logs failed deliveries at warn without secrets', async () => {
    const captured = createCapturedLogger();
    const deliverers = createDeliverers(providerSettings(), captured.logger);
    smtpSink.setFailure('reject');
    smsSink.setFailure('server-error');

    const emailError = await deliverers.email.deliver(emailMessage).catch((error: unknown) => error);
    const smsError = await deliverers.sms.deliver(smsMessage).catch((error: unknown) => error);
    smtpSink.setFailure('none');
    smsSink.setFailure('none');

    expect(emailError).toBeInstanceOf(DeliveryError);
    expect(smsError).toBeInstanceOf(DeliveryError);
    const failures = captured.lines().filter((line) => line.msg === 'code delivery failed');
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ level: 40, channel: 'email', destination: 'a•••@clinic.example', reason: 'rejected' });
    expect(failures[1]).toMatchObject({ level: 40, channel: 'sms', destination: '***-***-0003', reason: 'unreachable' });
    for (const fragment of forbiddenFragments) {
      expect(captured.text()).not.toContain(fragment);
    }
  });

  it('logs where outbox files are written', async () => {
    const captured = createCapturedLogger();
    const settings: DeliverySettings = { ...providerSettings(), smtp: null, sms: null };
    const deliverers = createDeliverers(settings, captured.logger);

    const emailReceipt = await deliverers.email.deliver(emailMessage);
    const smsReceipt = await deliverers.sms.deliver(smsMessage);

    const written = captured.lines().filter((line) => line.msg === 'code written to outbox');
    expect(written.map((line) => line.reference)).toEqual([emailReceipt.reference, smsReceipt.reference]);
    expect(written.every((line) => line.transport === 'outbox')).toBe(true);
    const startupLines = captured.lines().filter((line) => line.outboxDir === settings.outboxDir);
    expect(startupLines).toHaveLength(2);
    for (const fragment of forbiddenFragments) {
      expect(captured.text()).not.toContain(fragment);
    }
  });

  it('logs notices with masked destinations only', async () => {
    const captured = createCapturedLogger();
    const deliverers = createDeliverers(providerSettings(), captured.logger);
    const outboxDeliverers = createDeliverers({ ...providerSettings(), smtp: null, sms: null }, captured.logger);
    const notice: NoticeMessage = {
      kind: 'contact_changed',
      to: mobile,
      displayName: 'Alice Lee',
      practiceName: 'Demo Clinic',
      workstationName: '',
      location: '',
      occurredAt: '2026-01-05T09:00:00.000Z',
      changedContact: { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'owner' },
    };

    await deliverers.sms.deliverNotice!(notice);
    await outboxDeliverers.sms.deliverNotice!(notice);

    const delivered = captured.lines().filter((line) => line.msg === 'notice delivered');
    const written = captured.lines().filter((line) => line.msg === 'notice written to outbox');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatchObject({ channel: 'sms', destination: '***-***-0003', kind: 'contact_changed', transport: 'sms-provider' });
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ channel: 'sms', destination: '***-***-0003', transport: 'outbox' });
    for (const fragment of [...forbiddenFragments, 'the mobile number on your']) {
      expect(captured.text()).not.toContain(fragment);
    }
  });

  it('rejects a message for the other channel', async () => {
    const captured = createCapturedLogger();
    const deliverers = createDeliverers({ ...providerSettings(), smtp: null, sms: null }, captured.logger);

    const attempt = deliverers.email.deliver(smsMessage);

    await expect(attempt).rejects.toThrow(/sms channel/);
  });
});

interface LogLine {
  level: number;
  msg: string;
  module?: string;
  channel?: string;
  destination?: string;
  transport?: string;
  reference?: string;
  reason?: string;
  outboxDir?: string;
}
