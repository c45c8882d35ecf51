import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmailDeliverer } from '../../server/src/delivery/email-deliverer';
import { DeliveryError } from '../../server/src/delivery/types';
import type { CodeMessage, SmtpSettings } from '../../server/src/delivery/types';
import { extractCode } from '../helpers/extract-code';
import { startSmtpSink } from '../helpers/smtp-sink';
import type { SmtpSink } from '../helpers/smtp-sink';
import { createTestCertificateAuthority } from '../helpers/test-certificates';

const emailFrom = 'ClinicGate <no-reply@clinic.example>';
const message: CodeMessage = {
  channel: 'email',
  to: 'alice@clinic.example',
  code: '407381',
  purpose: 'sign_in',
  practiceName: 'Demo Clinic',
  expiresInMinutes: 10,
};

let temporaryDir: string;
let caFile: string;
const certificateAuthority = createTestCertificateAuthority();
const sinks: SmtpSink[] = [];

beforeAll(() => {
  temporaryDir = mkdtempSync(path.join(tmpdir(), 'clinicgate-email-'));
  caFile = path.join(temporaryDir, 'relay-ca.pem');
  writeFileSync(caFile, certificateAuthority.caCertPem);
});

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

afterAll(() => {
  rmSync(temporaryDir, { recursive: true, force: true });
});

async function startSink(options?: Parameters<typeof startSmtpSink>[0]): Promise<SmtpSink> {
  const sink = await startSmtpSink(options);
  sinks.push(sink);
  return sink;
}

function plainSettings(port: number, overrides: Partial<SmtpSettings> = {}): SmtpSettings {
  return { host: '127.0.0.1', port, security: 'none', timeoutMs: 5_000, ...overrides };
}

async function catchDeliveryError(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

function expectNoSecrets(error: DeliveryError): void {
  expect(error.message).not.toContain(message.code);
  expect(error.message).not.toContain(message.to);
}

describe('email deliverer over SMTP', () => {
  it('delivers subject and body with the code through a loopback relay', async () => {
    const sink = await startSink();
    const deliverer = createEmailDeliverer(plainSettings(sink.port), emailFrom);

    const receipt = await deliverer.deliver(message);
    const received = await sink.waitForMessage('alice@clinic.example');

    expect(received.to).toEqual(['alice@clinic.example']);
    expect(received.from).toBe('no-reply@clinic.example');
    expect(received.subject).toBe('Your ClinicGate sign-in code for Demo Clinic');
    expect(extractCode(received.text)).toBe('407381');
    expect(receipt).toMatchObject({ channel: 'email', transport: 'smtp', maskedDestination: 'a•••@clinic.example' });
    expect(receipt.reference).toMatch(/^<.+@.+>$/);
  });

  it('sends through STARTTLS with the CA from caFile', async () => {
    const sink = await startSink({ tls: toSinkTls(certificateAuthority.issue(['localhost', '127.0.0.1'])) });
    const deliverer = createEmailDeliverer(plainSettings(sink.port, { security: 'starttls', caFile }), emailFrom);

    await deliverer.deliver(message);
    const received = await sink.waitForMessage('alice@clinic.example');

    expect(extractCode(received.text)).toBe('407381');
  });

  it('fails STARTTLS when the relay CA is not trusted', async () => {
    const sink = await startSink({ tls: toSinkTls(certificateAuthority.issue(['localhost', '127.0.0.1'])) });
    const deliverer = createEmailDeliverer(plainSettings(sink.port, { security: 'starttls' }), emailFrom);

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${sink.port}`);
    expect(error.message).toContain('caFile');
    expect(sink.messages).toHaveLength(0);
  });

  it('fails STARTTLS when the certificate names another host', async () => {
    const sink = await startSink({ tls: toSinkTls(certificateAuthority.issue(['mail.clinic.example'])) });
    const deliverer = createEmailDeliverer(plainSettings(sink.port, { security: 'starttls', caFile }), emailFrom);

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(sink.messages).toHaveLength(0);
  });

  it('stops when the relay lacks STARTTLS', async () => {
    const sink = await startSink();
    const deliverer = createEmailDeliverer(plainSettings(sink.port, { security: 'starttls', caFile }), emailFrom);

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('misconfigured');
    expect(error.message).toContain('STARTTLS');
    expect(sink.messages).toHaveLength(0);
  });

  it('sends over implicit TLS with the CA from caFile', async () => {
    const { keyPem, certPem } = certificateAuthority.issue(['127.0.0.1']);
    const received: string[] = [];
    const server = new SMTPServer({
      secure: true,
      key: keyPem,
      cert: certPem,
      logger: false,
      authOptional: true,
      onData(stream, session, callback) {
        stream.resume();
        stream.on('end', () => {
          received.push(...session.envelope.rcptTo.map((recipient) => recipient.address));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.server.address() as AddressInfo;
    const deliverer = createEmailDeliverer(plainSettings(port, { security: 'tls', caFile }), emailFrom);

    try {
      await deliverer.deliver(message);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    expect(received).toEqual(['alice@clinic.example']);
  });

  it('reports a 550 reply as rejected', async () => {
    const sink = await startSink();
    sink.setFailure('reject');
    const deliverer = createEmailDeliverer(plainSettings(sink.port), emailFrom);

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('rejected');
    expect(error.channel).toBe('email');
    expect(error.message).toContain('550');
    expect(error.message).toContain(`127.0.0.1:${sink.port}`);
    expectNoSecrets(error);
  });

  it('times out on a silent relay', async () => {
    const sink = await startSink();
    sink.setFailure('hang');
    const deliverer = createEmailDeliverer(plainSettings(sink.port, { timeoutMs: 500 }), emailFrom);
    const startedAt = performance.now();

    const error = await catchDeliveryError(deliverer.deliver(message));
    const elapsedMs = performance.now() - startedAt;

    expect(error.reason).toBe('timeout');
    expect(elapsedMs).toBeLessThan(2_500);
    expectNoSecrets(error);
  });

  it('reports a closed port as unreachable', async () => {
    const port = await findClosedPort();
    const deliverer = createEmailDeliverer(plainSettings(port), emailFrom);

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('rejects a recipient list instead of sending to each', async () => {
    const sink = await startSink();
    const deliverer = createEmailDeliverer(plainSettings(sink.port), emailFrom);

    const error = await catchDeliveryError(deliverer.deliver({ ...message, to: 'alice@clinic.example, mallory@elsewhere.example' }));

    expect(error.reason).toBe('rejected');
    expect(sink.messages).toHaveLength(0);
  });

  it('rejects security none off loopback', () => {
    const create = (): unknown => createEmailDeliverer({ host: 'smtp.clinic.example', port: 25, security: 'none', timeoutMs: 1_000 }, emailFrom);

    expect(create).toThrow(DeliveryError);
    expect(create).toThrow(/smtp\.clinic\.example/);
  });

  it('rejects a missing caFile', () => {
    const missingFile = path.join(temporaryDir, 'missing.pem');

    const create = (): unknown => createEmailDeliverer(plainSettings(25, { security: 'starttls', caFile: missingFile }), emailFrom);

    expect(create).toThrow(/ENOENT/);
  });
});

function toSinkTls(issued: { keyPem: string; certPem: string }): { key: string; cert: string } {
  return { key: issued.keyPem, cert: issued.certPem };
}

async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
