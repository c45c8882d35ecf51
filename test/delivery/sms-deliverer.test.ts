import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSmsDeliverer } from '../../server/src/delivery/sms-deliverer';
import { DeliveryError } from '../../server/src/delivery/types';
import type { CodeMessage, NoticeMessage, SmsProviderSettings } from '../../server/src/delivery/types';
import { extractCode } from '../helpers/extract-code';
import { startSmsProviderSink } from '../helpers/sms-provider-sink';
import type { SmsProviderSink } from '../helpers/sms-provider-sink';
import { createTestCertificateAuthority } from '../helpers/test-certificates';

const accountSid = 'AC0123456789abcdef0123456789abcdef';
const authToken = 'sink-auth-token-5f2c9e';
const message: CodeMessage = {
  channel: 'sms',
  to: '+15550100003',
  code: '926104',
  purpose: 'sign_in',
  practiceName: 'Demo Clinic',
  expiresInMinutes: 10,
};

let temporaryDir: string;
let caFile: string;
let sink: SmsProviderSink;
const certificateAuthority = createTestCertificateAuthority();
const extraServers: Server[] = [];

beforeAll(async () => {
  temporaryDir = mkdtempSync(path.join(tmpdir(), 'clinicgate-sms-'));
  caFile = path.join(temporaryDir, 'provider-ca.pem');
  writeFileSync(caFile, certificateAuthority.caCertPem);
  const { keyPem, certPem } = certificateAuthority.issue(['localhost', '127.0.0.1']);
  sink = await startSmsProviderSink({ accountSid, authToken, tls: { key: keyPem, cert: certPem } });
});

afterEach(async () => {
  sink.setFailure('none');
  await Promise.all(extraServers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

afterAll(async () => {
  await sink.close();
  rmSync(temporaryDir, { recursive: true, force: true });
});

function sinkSettings(overrides: Partial<SmsProviderSettings> = {}): SmsProviderSettings {
  return { baseUrl: sink.baseUrl, accountSid, authToken, fromNumber: '+15550109999', caFile, timeoutMs: 5_000, ...overrides };
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
  expect(error.message).not.toContain(authToken);
}

describe('SMS deliverer against a Twilio-shaped provider', () => {
  it('posts To, From and Body with basic auth over verified HTTPS', async () => {
    const deliverer = createSmsDeliverer(sinkSettings());

    const receipt = await deliverer.deliver(message);
    const received = await sink.waitForMessage('+15550100003');

    expect(received.from).toBe('+15550109999');
    expect(received.body.startsWith('Your ClinicGate sign-in code for Demo Clinic')).toBe(true);
    expect(extractCode(received.body)).toBe('926104');
    expect(receipt).toMatchObject({ channel: 'sms', transport: 'sms-provider', maskedDestination: '***-***-0003' });
    expect(receipt.reference).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('posts a notice text without a code', async () => {
    const deliverer = createSmsDeliverer(sinkSettings());
    const notice: NoticeMessage = {
      kind: 'contact_changed',
      to: '+15550100004',
      displayName: 'Alice Lee',
      practiceName: 'Demo Clinic',
      workstationName: '',
      location: '',
      occurredAt: '2026-01-05T09:00:00.000Z',
      changedContact: { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'practice_admin' },
    };

    const receipt = await deliverer.deliverNotice!(notice);
    const received = await sink.waitForMessage('+15550100004');

    expect(received.from).toBe('+15550109999');
    expect(received.body).toBe(
      'ClinicGate: your practice administrator changed the mobile number on your Demo Clinic account. If you did not ask for this, contact your practice.',
    );
    expect(receipt).toMatchObject({ channel: 'sms', transport: 'sms-provider', maskedDestination: '***-***-0004' });
  });

  it('rejects a notice to a non-E.164 destination', async () => {
    const deliverer = createSmsDeliverer(sinkSettings());
    const before = sink.messages.length;

    const error = await catchDeliveryError(
      deliverer.deliverNotice!({
        kind: 'contact_changed',
        to: 'alice@clinic.example',
        displayName: 'Alice Lee',
        practiceName: 'Demo Clinic',
        workstationName: '',
        location: '',
        occurredAt: '2026-01-05T09:00:00.000Z',
      }),
    );

    expect(error.reason).toBe('rejected');
    expect(sink.messages).toHaveLength(before);
  });

  it('keeps a path prefix of the base URL', async () => {
    const requests: string[] = [];
    const baseUrl = await startLoopbackProvider(extraServers, (request) => {
      requests.push(`${request.method ?? ''} ${request.url ?? ''}`);
      return { status: 201, body: { sid: 'SM00000000000000000000000000000001', status: 'queued' } };
    });
    const deliverer = createSmsDeliverer(sinkSettings({ baseUrl: `${baseUrl}/twilio`, caFile: undefined }));

    await deliverer.deliver(message);

    expect(requests).toEqual([`POST /twilio/2010-04-01/Accounts/${accountSid}/Messages.json`]);
  });

  it('reports wrong credentials as rejected', async () => {
    const deliverer = createSmsDeliverer(sinkSettings({ authToken: 'wrong-token' }));

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('rejected');
    expect(error.message).toContain('HTTP 401');
    expect(error.message).toContain('20003');
    expectNoSecrets(error);
    expect(error.message).not.toContain('wrong-token');
  });

  it('reports a missing field as rejected', async () => {
    const deliverer = createSmsDeliverer(sinkSettings({ fromNumber: '' }));

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('rejected');
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain('21604');
    expectNoSecrets(error);
  });

  it('reports a server error as unreachable', async () => {
    sink.setFailure('server-error');
    const deliverer = createSmsDeliverer(sinkSettings());

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain('HTTP 500');
    expectNoSecrets(error);
  });

  it('times out on a silent provider', async () => {
    sink.setFailure('hang');
    const deliverer = createSmsDeliverer(sinkSettings({ timeoutMs: 500 }));
    const startedAt = performance.now();

    const error = await catchDeliveryError(deliverer.deliver(message));
    const elapsedMs = performance.now() - startedAt;

    expect(error.reason).toBe('timeout');
    expect(elapsedMs).toBeLessThan(2_500);
    expectNoSecrets(error);
  });

  it('fails when the provider CA is not trusted', async () => {
    const deliverer = createSmsDeliverer(sinkSettings({ caFile: undefined }));
    const messageCount = sink.messages.length;

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(error.message).toContain('caFile');
    expect(sink.messages).toHaveLength(messageCount);
  });

  it('reports a failed message status as rejected', async () => {
    const baseUrl = await startLoopbackProvider(extraServers, () => ({
      status: 201,
      body: { sid: 'SM00000000000000000000000000000002', status: 'failed', error_code: 30006, to: message.to, body: 'echo 926104' },
    }));
    const deliverer = createSmsDeliverer(sinkSettings({ baseUrl, caFile: undefined }));

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('rejected');
    expect(error.message).toContain('30006');
    expectNoSecrets(error);
  });

  it('does not follow a redirect with the credentials', async () => {
    let requestCount = 0;
    const baseUrl = await startLoopbackProvider(extraServers, () => {
      requestCount += 1;
      return { status: 307, body: {}, headers: { Location: 'http://127.0.0.1:9/elsewhere' } };
    });
    const deliverer = createSmsDeliverer(sinkSettings({ baseUrl, caFile: undefined }));

    const error = await catchDeliveryError(deliverer.deliver(message));

    expect(error.reason).toBe('unreachable');
    expect(error.message).toContain('HTTP 307');
    expect(requestCount).toBe(1);
  });

  it('rejects a non-E.164 destination', async () => {
    const deliverer = createSmsDeliverer(sinkSettings());
    const messageCount = sink.messages.length;

    const error = await catchDeliveryError(deliverer.deliver({ ...message, to: '555-0100' }));

    expect(error.reason).toBe('rejected');
    expect(sink.messages).toHaveLength(messageCount);
  });

  it('rejects plain http off loopback', () => {
    const create = (): unknown => createSmsDeliverer(sinkSettings({ baseUrl: 'http://sms.example.com', caFile: undefined }));

    expect(create).toThrow(DeliveryError);
    expect(create).toThrow(/https/);
  });
});

interface ProviderReply {
  status: number;
  body: object;
  headers?: Record<string, string>;
}

async function startLoopbackProvider(servers: Server[], reply: (request: IncomingMessage) => ProviderReply): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const { status, body, headers } = reply(request);
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}
