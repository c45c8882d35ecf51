import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEventPage, AuditEventRecord } from '../../electron/shared/api';
import { appendAuditEvent, type AuditEvent } from '../../server/src/audit/audit-log';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { runImmediate } from '../../server/src/db/database';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser, type User } from '../../server/src/users/user-repository';
import {
  createHarness,
  errorCode,
  minutes,
  sessionHeaders,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  type Harness,
} from './support/harness';

const adminPassword = 'admin password for the audit tests';

describe('audit viewer API', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  async function addUser(username: string, role: User['role'], practiceId = harness.practice.id): Promise<User> {
    const hasher = await createPasswordHasher(harness.config.argon2);
    return createUser(harness.db, {
      practiceId,
      username,
      displayName: username,
      email: `${username.toLowerCase()}@clinic.example`,
      mobile: null,
      role,
      passwordHash: await hasher.hashPassword(adminPassword),
      preferredChannel: 'email',
      createdAt: harness.clock.now(),
    });
  }

  async function signInAs(username: string, password: string): Promise<string> {
    const challenge = await submitPassword(harness.app, { username, password });
    const challengeToken = (challenge.json() as { challenge: { challengeToken: string } }).challenge.challengeToken;
    await harness.app.inject({
      method: 'POST',
      url: '/api/v1/auth/otp/send',
      payload: { challengeToken, channel: 'email' },
      headers: { 'content-type': 'application/json' },
    });
    const verified = await verifyCode(harness.app, challengeToken, harness.email.lastCode());
    return (verified.json() as { session: { token: string } }).session.token;
  }

  async function signInAdmin(): Promise<string> {
    await addUser('Dana.Admin', 'practice_admin');
    return signInAs('dana.admin', adminPassword);
  }

  function appendRows(events: Array<Partial<AuditEvent> & Pick<AuditEvent, 'event'>>): void {
    runImmediate(harness.db, () => {
      for (const event of events) {
        appendAuditEvent(harness.db, {
          occurredAt: harness.clock.now(),
          outcome: 'success',
          origin: { ip: '192.0.2.10', deviceFingerprint: null },
          practiceId: harness.practice.id,
          ...event,
        });
      }
    });
  }

  function listEvents(token: string, query: Record<string, string> = {}) {
    const search = new URLSearchParams(query).toString();
    return harness.app.inject({ method: 'GET', url: `/api/v1/audit/events${search === '' ? '' : `?${search}`}`, headers: sessionHeaders(token) });
  }

  async function listAllPages(token: string, query: Record<string, string>): Promise<AuditEventRecord[]> {
    const records: AuditEventRecord[] = [];
    let cursor: string | null = null;
    do {
      const response = await listEvents(token, cursor === null ? query : { ...query, cursor });
      expect(response.statusCode).toBe(200);
      const page = response.json() as AuditEventPage;
      records.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor !== null);
    return records;
  }

  it('refuses a clinician with AUTH_FORBIDDEN and audits it', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const token = ((await verifyCode(harness.app, challengeToken, code)).json() as { session: { token: string } }).session.token;

    const response = await listEvents(token);
    const csv = await harness.app.inject({ method: 'GET', url: '/api/v1/audit/events.csv', headers: sessionHeaders(token) });

    expect(response.statusCode).toBe(403);
    expect(errorCode(response)).toBe('AUTH_FORBIDDEN');
    expect(csv.statusCode).toBe(403);
    const denied = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'audit.access_denied'").get() as { count: number };
    expect(denied.count).toBe(2);
  });

  it('refuses a request without a session', async () => {
    harness = await createHarness();

    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/audit/events' });

    expect(response.statusCode).toBe(401);
    expect(errorCode(response)).toBe('SESSION_INVALID');
  });

  it('lists newest first, fifty to a page', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    for (let index = 0; index < 60; index += 1) {
      harness.clock.advance(1000);
      appendRows([{ event: 'otp.sent', details: { index } }]);
    }

    const response = await listEvents(token);

    const page = response.json() as AuditEventPage;
    expect(response.statusCode).toBe(200);
    expect(page.events).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
    expect(page.events[0]?.details).toBe('{"index":59}');
    const times = page.events.map((event) => Date.parse(event.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('pages through every row once with the cursor', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    // Rows with the same time show that the id breaks ties between pages.
    for (let index = 0; index < 45; index += 1) {
      if (index % 3 === 0) {
        harness.clock.advance(1000);
      }
      appendRows([{ event: 'otp.sent' }]);
    }
    const total = (harness.db.prepare('SELECT COUNT(*) AS count FROM audit_events').get() as { count: number }).count;

    const records = await listAllPages(token, { pageSize: '7' });

    const ids = records.map((record) => record.id);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });

  it('sorts by username across pages with the id as tie-breaker', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    const usernames = ['zoe', 'adam', 'mia', 'adam', 'bo', 'mia', 'adam'];
    appendRows(usernames.map((username) => ({ event: 'password.rejected', outcome: 'failure' as const, username, reason: 'wrong_password' })));

    const records = await listAllPages(token, { sort: 'username', order: 'asc', pageSize: '2', event: 'password.rejected' });

    expect(records.map((record) => record.username)).toEqual(['adam', 'adam', 'adam', 'bo', 'mia', 'mia', 'zoe']);
    const adamIds = records.filter((record) => record.username === 'adam').map((record) => record.id);
    expect(adamIds).toEqual([...adamIds].sort((a, b) => a - b));
  });

  it('filters by user, event, outcome and time range', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    const startedAt = harness.clock.now();
    harness.clock.advance(minutes(1));
    appendRows([
      { event: 'password.rejected', outcome: 'failure', userId: harness.clinician.id, username: 'casey.clinician', reason: 'wrong_password' },
      { event: 'password.rejected', outcome: 'failure', username: 'nobody', reason: 'unknown_username' },
    ]);
    harness.clock.advance(minutes(10));
    appendRows([{ event: 'password.verified', userId: harness.clinician.id }]);

    const byUser = await listAllPages(token, { user: 'CASEY.CLINICIAN' });
    const failures = await listAllPages(token, { outcome: 'failure', event: 'password.rejected' });
    const inRange = await listAllPages(token, {
      from: new Date(startedAt + minutes(1)).toISOString(),
      to: new Date(startedAt + minutes(2)).toISOString(),
    });
    const unknown = await listAllPages(token, { user: 'Nobody' });

    expect(byUser.every((record) => record.username === 'Casey.Clinician')).toBe(true);
    expect(byUser.map((record) => record.event)).toContain('password.verified');
    expect(byUser.map((record) => record.event)).toContain('password.rejected');
    expect(failures.map((record) => record.reason).sort()).toEqual(['unknown_username', 'wrong_password']);
    expect(inRange).toHaveLength(2);
    expect(unknown.map((record) => record.reason)).toEqual(['unknown_username']);
  });

  it("shows only the admin's practice when the server holds several", async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    const otherPractice = runImmediate(harness.db, () => createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() }));
    appendRows([
      { event: 'otp.sent', practiceId: otherPractice.id, details: { marker: 'other' } },
      { event: 'request.rate_limited', practiceId: null, outcome: 'failure', reason: 'auth_requests_per_ip' },
    ]);

    const records = await listAllPages(token, {});

    expect(records.length).toBeGreaterThan(0);
    expect(records.some((record) => record.details.includes('other'))).toBe(false);
    expect(records.some((record) => record.event === 'request.rate_limited')).toBe(false);
  });

  it('shows rows without a practice on a single-practice server', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    await submitPassword(harness.app, { username: 'no.such.user', password: 'whatever it is' });

    const records = await listAllPages(token, { event: 'password.rejected' });

    expect(records.map((record) => [record.username, record.reason])).toContainEqual(['no.such.user', 'unknown_username']);
  });

  it('rejects a cursor made for another sort', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    appendRows(Array.from({ length: 5 }, () => ({ event: 'otp.sent' as const })));
    const first = (await listEvents(token, { pageSize: '2' })).json() as AuditEventPage;

    const response = await listEvents(token, { pageSize: '2', sort: 'event', cursor: first.nextCursor ?? '' });

    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it.each([
    ['an unknown field', { secret: 'x' }],
    ['an unknown outcome', { outcome: 'maybe' }],
    ['a time that is not ISO', { from: 'yesterday' }],
    ['a range that ends before it starts', { from: '2026-01-05T10:00:00Z', to: '2026-01-05T09:00:00Z' }],
    ['an event name with SQL in it', { event: "x' OR '1'='1" }],
    ['a cursor that is not base64url', { cursor: '!!!' }],
    ['a cursor that decodes to nonsense', { cursor: 'bm9uc2Vuc2U' }],
  ])('rejects %s', async (_case, query) => {
    harness = await createHarness();
    const token = await signInAdmin();

    const response = await listEvents(token, query as Record<string, string>);

    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
  });

  it('rejects page sizes outside 1 to 200', async () => {
    harness = await createHarness();
    const token = await signInAdmin();

    const tooLarge = await listEvents(token, { pageSize: '201' });
    const zero = await listEvents(token, { pageSize: '0' });

    expect(errorCode(tooLarge)).toBe('VALIDATION_FAILED');
    expect(errorCode(zero)).toBe('VALIDATION_FAILED');
  });

  it('exports the filtered rows as quoted CSV with formulas neutralized', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    appendRows([
      { event: 'password.rejected', outcome: 'failure', username: '=HYPERLINK("http://x.example","y")', reason: 'unknown_username' },
      { event: 'password.rejected', outcome: 'failure', username: 'comma,user', reason: 'unknown_username' },
      { event: 'otp.sent', details: { channel: 'email' } },
    ]);

    const response = await harness.app.inject({
      method: 'GET',
      url: '/api/v1/audit/events.csv?event=password.rejected&sort=username&order=asc',
      headers: sessionHeaders(token),
    });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="clinicgate-audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('id,occurred_at_utc,event,outcome,username,ip,device,reason,details');
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://x.example"",""y"")"`);
    expect(lines[2]).toContain('"comma,user"');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    const exported = harness.db.prepare("SELECT details FROM audit_events WHERE event = 'audit.exported'").all() as Array<{ details: string }>;
    expect(exported).toHaveLength(1);
    expect(JSON.parse(exported[0]?.details ?? '{}')).toMatchObject({ event: 'password.rejected', sort: 'username' });
  });

  it('exports more rows than one batch', async () => {
    harness = await createHarness();
    const token = await signInAdmin();
    appendRows(Array.from({ length: 2500 }, (_, index) => ({ event: 'otp.sent' as const, details: { index } })));

    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/audit/events.csv?event=otp.sent', headers: sessionHeaders(token) });

    const sent = (harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'otp.sent'").get() as { count: number }).count;
    const lines = response.body.split('\r\n').filter((line) => line !== '');
    expect(sent).toBeGreaterThan(2500);
    expect(lines).toHaveLength(sent + 1);
    expect(new Set(lines).size).toBe(sent + 1);
  });
});
