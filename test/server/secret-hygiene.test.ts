import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { findBrokenAuditRow } from '../../server/src/audit/audit-log';
import {
  clinicianPassword,
  createHarness,
  seconds,
  sendCode,
  sessionHeaders,
  startChallenge,
  submitPassword,
  verifyCode,
  wrongCodeFor,
  type Harness,
} from './support/harness';

class LineCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(chunk.toString('utf8'));
    done();
  }

  text(): string {
    return this.lines.join('');
  }
}

/** Runs a full sign-in with a wrong code, a resend, trust, a trusted sign-in and logout; returns every secret seen. */
async function runFullSignIn(harness: Harness): Promise<string[]> {
  const challengeToken = await startChallenge(harness.app, { deviceName: 'Exam room 2' });
  await sendCode(harness.app, challengeToken);
  const firstCode = harness.email.lastCode();
  await verifyCode(harness.app, challengeToken, wrongCodeFor(firstCode));
  harness.clock.advance(seconds(31));
  await sendCode(harness.app, challengeToken, 'sms');
  const code = harness.sms.lastCode();
  const verified = await verifyCode(harness.app, challengeToken, code, { rememberDevice: true });
  const { session, deviceTrust } = verified.json() as { session: { token: string }; deviceTrust: { token: string } };
  await harness.app.inject({ method: 'GET', url: '/api/v1/session', headers: sessionHeaders(session.token) });
  const trusted = await submitPassword(harness.app, { deviceTrustToken: deviceTrust.token });
  const trustedToken = (trusted.json() as { session: { token: string } }).session.token;
  await harness.app.inject({ method: 'POST', url: '/api/v1/session/logout', headers: sessionHeaders(trustedToken) });
  return [clinicianPassword, firstCode, code, challengeToken, session.token, deviceTrust.token, trustedToken];
}

describe('secrets stay out of logs and audit rows', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('keeps every code, password and token out of the logs', async () => {
    const capture = new LineCapture();
    harness = await createHarness({ logLevel: 'trace', logStream: capture });

    const secrets = await runFullSignIn(harness);

    const logText = capture.text();
    expect(capture.lines.length).toBeGreaterThan(10);
    for (const secret of secrets) {
      expect(logText).not.toContain(secret);
    }
    expect(logText).not.toContain('casey@clinic.example');
    expect(logText).not.toContain('+15550100002');
  });

  it('logs requests with method, route, id and address only', async () => {
    const capture = new LineCapture();
    harness = await createHarness({ logLevel: 'info', logStream: capture });

    await harness.app.inject({ method: 'GET', url: '/api/v1/health?token=secret-query', headers: { authorization: 'Bearer abc' } });

    const requestLines = capture.lines.map((line) => JSON.parse(line) as { req?: Record<string, unknown>; module?: string });
    const incoming = requestLines.find((line) => line.req !== undefined);
    expect(Object.keys(incoming?.req ?? {}).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
    expect(incoming?.req?.url).toBe('/api/v1/health');
    expect(incoming?.module).toBe('http');
    expect(capture.text()).not.toContain('secret-query');
    expect(capture.text()).not.toContain('Bearer abc');
  });

  it('keeps every code, password, token and full destination out of audit rows', async () => {
    harness = await createHarness();

    const secrets = await runFullSignIn(harness);

    const auditText = JSON.stringify(harness.db.prepare('SELECT * FROM audit_events').all());
    for (const secret of secrets) {
      expect(auditText).not.toContain(secret);
    }
    expect(auditText).not.toContain('casey@clinic.example');
    expect(auditText).not.toContain('+15550100002');
  });

  it('stores no code or token in plain text in any table', async () => {
    harness = await createHarness();

    const secrets = await runFullSignIn(harness);

    const tables = ['otp_challenges', 'otp_sends', 'sessions', 'device_trusts', 'users', 'rate_limits'];
    const dump = tables.map((table) => JSON.stringify(harness.db.prepare(`SELECT * FROM ${table}`).all())).join('\n');
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
    }
  });
});

describe('audit trail', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('records the sign-in events in order with a valid hash chain', async () => {
    harness = await createHarness();

    await runFullSignIn(harness);

    const events = (harness.db.prepare('SELECT event FROM audit_events ORDER BY id').all() as Array<{ event: string }>).map((row) => row.event);
    expect(events).toEqual([
      'password.verified',
      'mfa.required',
      'otp.sent',
      'otp.rejected',
      'otp.sent',
      'otp.accepted',
      'session.created',
      'device.trusted',
      'password.verified',
      'session.created',
      'session.revoked',
    ]);
    expect(findBrokenAuditRow(harness.db)).toBeNull();
  });

  it('records who, where and from which device', async () => {
    harness = await createHarness();

    await submitPassword(harness.app, { username: 'x'.repeat(64) });

    const row = harness.db.prepare('SELECT * FROM audit_events').get() as Record<string, unknown>;
    expect(row).toMatchObject({
      occurred_at: harness.clock.now(),
      username: 'x'.repeat(64),
      ip: '127.0.0.1',
      device: 'aaaaaaaaaaaa',
      event: 'password.rejected',
      outcome: 'failure',
      reason: 'unknown_username',
    });
  });

  it('rejects updates and deletes of audit rows', async () => {
    harness = await createHarness();
    await submitPassword(harness.app);

    const update = () => harness.db.prepare("UPDATE audit_events SET outcome = 'success'").run();
    const remove = () => harness.db.prepare('DELETE FROM audit_events').run();

    expect(update).toThrow(/append-only/);
    expect(remove).toThrow(/append-only/);
  });

  it('detects a row changed behind its back', async () => {
    harness = await createHarness();
    await runFullSignIn(harness);
    harness.db.exec('DROP TRIGGER audit_events_reject_update');

    harness.db.prepare("UPDATE audit_events SET reason = 'edited' WHERE id = 3").run();

    expect(findBrokenAuditRow(harness.db)).toBe(3);
  });
});
