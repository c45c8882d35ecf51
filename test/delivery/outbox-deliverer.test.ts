import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOutboxDeliverer } from '../../server/src/delivery/outbox-deliverer';
import { DeliveryError } from '../../server/src/delivery/types';
import type { CodeMessage, NoticeMessage } from '../../server/src/delivery/types';
import { extractCode } from '../helpers/extract-code';

const isPosix = process.platform !== 'win32';
const emailMessage: CodeMessage = {
  channel: 'email',
  to: 'alice@clinic.example',
  code: '553012',
  purpose: 'password_reset',
  practiceName: 'Demo Clinic',
  expiresInMinutes: 10,
};
const smsMessage: CodeMessage = { ...emailMessage, channel: 'sms', to: '+15550100003', purpose: 'sign_in' };
const smsNotice: NoticeMessage = {
  kind: 'contact_changed',
  to: '+15550100003',
  displayName: 'Alice Lee',
  practiceName: 'Demo Clinic',
  workstationName: '',
  location: '',
  occurredAt: '2026-01-05T09:00:00.000Z',
  changedContact: { channel: 'sms', maskedNewValue: '***-***-0142', changedBy: 'owner' },
};

let outboxDir: string;

beforeEach(() => {
  outboxDir = path.join(mkdtempSync(path.join(tmpdir(), 'clinicgate-outbox-')), 'outbox');
});

afterEach(() => {
  rmSync(path.dirname(outboxDir), { recursive: true, force: true });
});

describe('outbox deliverer', () => {
  it('writes an email that parses back as RFC 5322', async () => {
    const deliverer = createOutboxDeliverer('email', { outboxDir, emailFrom: 'ClinicGate <no-reply@clinic.example>' });

    const receipt = await deliverer.deliver(emailMessage);
    const parsed = await simpleParser(readFileSync(receipt.reference));

    expect(path.dirname(receipt.reference)).toBe(path.join(outboxDir, 'email'));
    expect(receipt.reference).toMatch(/\d{8}T\d{9}Z-[0-9a-f]{12}\.eml$/);
    expect(receipt).toMatchObject({ channel: 'email', transport: 'outbox', maskedDestination: 'a•••@clinic.example' });
    expect(parsed.subject).toBe('Your ClinicGate password reset code for Demo Clinic');
    expect(parsed.from?.value[0]?.address).toBe('no-reply@clinic.example');
    expect(parsed.messageId).toMatch(/^<.+@.+>$/);
    expect(extractCode(parsed.text ?? '')).toBe('553012');
  });

  it('addresses the email file to the recipient', async () => {
    const deliverer = createOutboxDeliverer('email', { outboxDir, emailFrom: 'no-reply@clinic.example' });

    const receipt = await deliverer.deliver(emailMessage);
    const parsed = await simpleParser(readFileSync(receipt.reference));

    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value[0]?.address).toBe('alice@clinic.example');
  });

  it('writes a text with To, From and Body lines', async () => {
    const deliverer = createOutboxDeliverer('sms', { outboxDir, emailFrom: 'no-reply@clinic.example' });

    const receipt = await deliverer.deliver(smsMessage);
    const lines = readFileSync(receipt.reference, 'utf8').split('\n');

    expect(path.dirname(receipt.reference)).toBe(path.join(outboxDir, 'sms'));
    expect(receipt.reference.endsWith('.txt')).toBe(true);
    expect(receipt).toMatchObject({ channel: 'sms', transport: 'outbox', maskedDestination: '***-***-0003' });
    expect(lines[0]).toBe('To: +15550100003');
    expect(lines[1]?.startsWith('From: ')).toBe(true);
    expect(lines[3]).toBe("Body: Your ClinicGate sign-in code for Demo Clinic is 553012. It expires in 10 minutes. Don't share it.");
  });

  it('writes a notice text with no code', async () => {
    const deliverer = createOutboxDeliverer('sms', { outboxDir, emailFrom: 'no-reply@clinic.example' });

    const receipt = await deliverer.deliverNotice!(smsNotice);
    const lines = readFileSync(receipt.reference, 'utf8').split('\n');

    expect(path.dirname(receipt.reference)).toBe(path.join(outboxDir, 'sms'));
    expect(receipt).toMatchObject({ channel: 'sms', transport: 'outbox', maskedDestination: '***-***-0003' });
    expect(lines[0]).toBe('To: +15550100003');
    expect(lines[3]).toBe('Body: ClinicGate: the mobile number on your Demo Clinic account was changed. If this was not you, contact your practice.');
  });

  it.runIf(isPosix)('creates files 0600 in folders 0700', async () => {
    const deliverer = createOutboxDeliverer('sms', { outboxDir, emailFrom: 'no-reply@clinic.example' });

    const receipt = await deliverer.deliver(smsMessage);

    expect(statSync(receipt.reference).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(receipt.reference)).mode & 0o777).toBe(0o700);
  });

  it('writes one file per message', async () => {
    const deliverer = createOutboxDeliverer('email', { outboxDir, emailFrom: 'no-reply@clinic.example' });

    const receipts = await Promise.all([deliverer.deliver(emailMessage), deliverer.deliver(emailMessage), deliverer.deliver(emailMessage)]);
    const files = readdirSync(path.join(outboxDir, 'email'));

    expect(new Set(receipts.map((receipt) => receipt.reference)).size).toBe(3);
    expect(files).toHaveLength(3);
    expect(files.every((file) => file.endsWith('.eml') && !file.startsWith('.'))).toBe(true);
  });

  it('reports an unwritable outbox as misconfigured', async () => {
    writeFileSync(outboxDir, 'a file where the outbox folder should be');
    const deliverer = createOutboxDeliverer('sms', { outboxDir, emailFrom: 'no-reply@clinic.example' });

    const error = await deliverer.deliver(smsMessage).catch((failure: unknown) => failure);

    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).reason).toBe('misconfigured');
    expect((error as DeliveryError).message).toContain(outboxDir);
    expect((error as DeliveryError).message).not.toContain('553012');
  });
});
