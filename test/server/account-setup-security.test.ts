import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import {
  changeUserEmail,
  completeSetup,
  createPendingUser,
  lastSetupEmail,
  newUserPassword,
  resendSetupCode,
  signInAdmin,
  verifySetup,
  wrongSetupCodeFor,
} from './support/account-setup-steps';
import { createHarness, errorCode, hours, seconds, submitPassword, type Harness } from './support/harness';

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

function attemptsRemaining(response: { json(): unknown }): number | undefined {
  return (response.json() as { error?: { attemptsRemaining?: number } }).error?.attemptsRemaining;
}

describe('account setup code security', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('locks the code after five wrong codes', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);
    const wrong = wrongSetupCodeFor(code);

    const replies = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      replies.push(await verifySetup(harness, wrong));
    }
    const rightAfterLock = await verifySetup(harness, code);
    const completeAfterLock = await completeSetup(harness, code);

    expect(replies.slice(0, 4).map(errorCode)).toEqual(Array(4).fill('ACCOUNT_SETUP_CODE_INVALID'));
    expect(replies.slice(0, 4).map(attemptsRemaining)).toEqual([4, 3, 2, 1]);
    expect(replies[4]?.statusCode).toBe(423);
    expect(errorCode(replies[4]!)).toBe('ACCOUNT_SETUP_CODE_LOCKED');
    expect(errorCode(rightAfterLock)).toBe('ACCOUNT_SETUP_CODE_LOCKED');
    expect(errorCode(completeAfterLock)).toBe('ACCOUNT_SETUP_CODE_LOCKED');
    expect((await submitPassword(harness.app, { username: 'frankie.desk', password: newUserPassword })).statusCode).toBe(401);
  });

  it('counts wrong codes on the complete step too', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    await verifySetup(harness, wrongSetupCodeFor(code));
    const completed = await completeSetup(harness, wrongSetupCodeFor(code));

    expect(errorCode(completed)).toBe('ACCOUNT_SETUP_CODE_INVALID');
    expect(attemptsRemaining(completed)).toBe(3);
  });

  it('expires the code after 72 hours', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    harness.clock.advance(hours(72) - seconds(1));
    const beforeExpiry = await verifySetup(harness, code);
    harness.clock.advance(seconds(1));
    const atExpiry = await verifySetup(harness, code);
    const completed = await completeSetup(harness, code);

    expect(beforeExpiry.statusCode).toBe(200);
    expect(atExpiry.statusCode).toBe(401);
    expect(errorCode(atExpiry)).toBe('ACCOUNT_SETUP_CODE_EXPIRED');
    expect(errorCode(completed)).toBe('ACCOUNT_SETUP_CODE_EXPIRED');
    const rejected = harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'account_setup.code_rejected'").all();
    expect(rejected).toEqual([{ reason: 'code_expired' }, { reason: 'code_expired' }]);
  });

  it('tells an expired code apart only to someone who has it', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);
    harness.clock.advance(hours(73));

    const wrongPending = await verifySetup(harness, wrongSetupCodeFor(code));
    const wrongUnknown = await verifySetup(harness, wrongSetupCodeFor(code), 'nobody.here');

    expect(wrongPending.statusCode).toBe(wrongUnknown.statusCode);
    expect(wrongPending.json()).toEqual(wrongUnknown.json());
  });

  it('answers an unknown name like a waiting account', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);
    const wrong = wrongSetupCodeFor(code);

    const pendingReplies = [];
    const unknownReplies = [];
    const setUpReplies = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      pendingReplies.push(await verifySetup(harness, wrong, 'frankie.desk'));
      unknownReplies.push(await verifySetup(harness, wrong, 'nobody.here'));
      setUpReplies.push(await verifySetup(harness, wrong, 'casey.clinician'));
    }

    const describeReply = (reply: { statusCode: number; body: string }) => `${reply.statusCode} ${reply.body}`;
    expect(unknownReplies.map(describeReply)).toEqual(pendingReplies.map(describeReply));
    expect(setUpReplies.map(describeReply)).toEqual(pendingReplies.map(describeReply));
    expect(errorCode(pendingReplies[5]!)).toBe('ACCOUNT_SETUP_CODE_LOCKED');
  });

  it('sets one password for two parallel requests with the right code', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    const [first, second] = await Promise.all([
      completeSetup(harness, code, 'first parallel password here'),
      completeSetup(harness, code, 'second parallel password here'),
    ]);

    expect([first.statusCode, second.statusCode].sort()).toEqual([204, 401]);
    const winner = first.statusCode === 204 ? 'first parallel password here' : 'second parallel password here';
    const loser = first.statusCode === 204 ? 'second parallel password here' : 'first parallel password here';
    expect((await submitPassword(harness.app, { username: 'frankie.desk', password: winner })).statusCode).toBe(200);
    expect((await submitPassword(harness.app, { username: 'frankie.desk', password: loser })).statusCode).toBe(401);
    const completed = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'account_setup.completed'").get();
    expect(completed).toEqual({ count: 1 });
  });

  it('stores only a keyed hash of the code', async () => {
    harness = await createHarness();
    const adminToken = await signInAdmin(harness);
    const { code } = await createPendingUser(harness, adminToken);

    const rows = harness.db.prepare('SELECT * FROM account_setup_codes').all() as Array<Record<string, unknown>>;

    expect(rows).toHaveLength(1);
    expect(rows[0]?.code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(rows)).not.toContain(code);
  });

  it('keeps setup codes and passwords out of logs and audit rows', async () => {
    const capture = new LineCapture();
    harness = await createHarness({ logLevel: 'trace', logStream: capture });
    const adminToken = await signInAdmin(harness);
    const { userId, code: firstCode } = await createPendingUser(harness, adminToken);
    await verifySetup(harness, wrongSetupCodeFor(firstCode));
    harness.clock.advance(seconds(30));
    await resendSetupCode(harness, adminToken, userId);
    const secondCode = lastSetupEmail(harness).code;
    await verifySetup(harness, secondCode, 'frankie@clinic.example');
    await changeUserEmail(harness, adminToken, userId, 'frankie.desk@clinic.example');
    const thirdCode = lastSetupEmail(harness).code;
    await completeSetup(harness, thirdCode);

    const audit = JSON.stringify(harness.db.prepare('SELECT * FROM audit_events').all());
    const logs = capture.text();
    const codes = [firstCode, secondCode, thirdCode];
    const groupedCodes = codes.map((code) => `${code.slice(0, 4)} ${code.slice(4)}`);

    expect(logs).toContain('account setup completed');
    for (const secret of [...codes, ...groupedCodes, newUserPassword]) {
      expect(logs).not.toContain(secret);
      expect(audit).not.toContain(secret);
    }
    expect(audit).not.toContain('frankie@clinic.example');
    expect(audit).not.toContain('frankie.desk@clinic.example');
  });
});
