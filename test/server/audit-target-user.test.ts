import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEventPage } from '../../electron/shared/api';
import { appendAuditEvent, findBrokenAuditRow } from '../../server/src/audit/audit-log';
import { findAuditEventPage, type AuditQuery } from '../../server/src/audit/audit-query';
import { applyMigrations, runImmediate, type Db } from '../../server/src/db/database';
import { migrations } from '../../server/src/db/migrations';
import { createPractice } from '../../server/src/practices/practice-repository';
import { callAsUser, signInPracticeAdmin, signInWithEmailCode } from './support/admin-steps';
import { clinicianPassword, createHarness, makeTempDir, type Harness } from './support/harness';

describe('audit rows about a target user', () => {
  let harness: Harness | undefined;
  const openedDatabases: Db[] = [];
  const tempDirs: string[] = [];

  afterEach(async () => {
    for (const db of openedDatabases.splice(0)) {
      db.close();
    }
    for (const dir of tempDirs.splice(0)) {
      rmSync(dir, { recursive: true, force: true });
    }
    await harness?.close();
    harness = undefined;
  });

  async function listEvents(activeHarness: Harness, token: string, query: Record<string, string>): Promise<AuditEventPage> {
    const response = await callAsUser(activeHarness, token, { method: 'GET', url: `/api/v1/audit/events?${new URLSearchParams(query).toString()}` });
    expect(response.statusCode).toBe(200);
    return response.json() as AuditEventPage;
  }

  it("finds an admin's change by the target's username", async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await callAsUser(harness, adminToken, { method: 'POST', url: `/api/v1/admin/users/${harness.clinician.id}/deactivate` });

    const page = await listEvents(harness, adminToken, { user: 'CASEY.clinician', event: 'user.changed' });

    expect(page.events).toHaveLength(1);
    expect(page.events[0]).toMatchObject({ event: 'user.changed', username: 'Dana.Admin', reason: 'deactivate' });
    expect(JSON.parse(page.events[0]?.details ?? '{}')).toMatchObject({ targetUsername: 'Casey.Clinician' });
  });

  it("keeps the admin's own filter to the admin's rows", async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await callAsUser(harness, adminToken, { method: 'POST', url: `/api/v1/admin/users/${harness.clinician.id}/unlock` });

    const adminPage = await listEvents(harness, adminToken, { user: 'dana.admin', event: 'user.changed' });
    const otherPage = await listEvents(harness, adminToken, { user: 'nobody.here', event: 'user.changed' });

    expect(adminPage.events).toHaveLength(1);
    expect(otherPage.events).toHaveLength(0);
  });

  it('names the admin who revoked a workstation', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await signInWithEmailCode(harness, { username: 'casey.clinician', password: clinicianPassword, rememberDevice: true });
    const trust = harness.db.prepare('SELECT id FROM device_trusts WHERE user_id = ?').get(harness.clinician.id) as { id: string };

    const revoked = await callAsUser(harness, adminToken, { method: 'DELETE', url: `/api/v1/admin/users/${harness.clinician.id}/devices/${trust.id}` });

    expect(revoked.statusCode).toBe(200);
    const row = harness.db.prepare("SELECT user_id, reason, details FROM audit_events WHERE event = 'device.revoked'").get() as {
      user_id: string;
      reason: string;
      details: string;
    };
    expect(row.user_id).toBe(harness.clinician.id);
    expect(row.reason).toBe('practice_admin');
    expect(JSON.parse(row.details)).toMatchObject({ actorUsername: 'Dana.Admin' });
  });

  it('detects an edited target column', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await callAsUser(harness, adminToken, { method: 'POST', url: `/api/v1/admin/users/${harness.clinician.id}/unlock` });
    const row = harness.db.prepare("SELECT id FROM audit_events WHERE event = 'user.changed'").get() as { id: number };
    expect(findBrokenAuditRow(harness.db)).toBeNull();

    harness.db.exec('DROP TRIGGER audit_events_reject_update');
    harness.db.prepare('UPDATE audit_events SET target_user_id = NULL WHERE id = ?').run(row.id);

    expect(findBrokenAuditRow(harness.db)).toBe(row.id);
  });

  describe('query plan', () => {
    /** Runs one audit query and returns SQLite's plan for the statement it ran. */
    function planAuditQuery(db: Db, query: AuditQuery): string[] {
      const captured: Array<{ sql: string; params: Record<string, unknown> }> = [];
      const prepare = db.prepare;
      db.prepare = ((sql: string) => {
        const statement = prepare.call(db, sql);
        if (!sql.includes('FROM audit_events e')) {
          return statement;
        }
        const all = (params: Record<string, unknown>): unknown[] => {
          captured.push({ sql, params });
          return statement.all(params);
        };
        return { all };
      }) as unknown as Db['prepare'];
      try {
        expect(findAuditEventPage(db, query).ok).toBe(true);
      } finally {
        db.prepare = prepare;
      }
      const [ran] = captured;
      if (ran === undefined) {
        throw new Error('the audit query ran no statement');
      }
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${ran.sql}`).all(ran.params) as Array<{ detail: string }>;
      return plan.map((step) => step.detail);
    }

    it.each([
      ['one practice', {}],
      ['several practices', { isSeveralPractices: true }],
      ['an event filter', { event: 'user.changed' }],
      ['a time range', { fromMs: 0, toMs: 2 ** 50 }],
    ])('reads by index with %s', async (_name, options: { isSeveralPractices?: boolean; event?: string; fromMs?: number; toMs?: number }) => {
      harness = await createHarness();
      if (options.isSeveralPractices === true) {
        createPractice(harness.db, { name: 'Hillside Naturopathy', createdAt: harness.clock.now() });
      }

      const plan = planAuditQuery(harness.db, {
        practiceId: harness.practice.id,
        user: 'casey.clinician',
        event: options.event,
        fromMs: options.fromMs,
        toMs: options.toMs,
        sort: 'occurredAt',
        order: 'desc',
        pageSize: 50,
      });

      expect(plan.filter((step) => /^SCAN e\b/.test(step))).toEqual([]);
      expect(plan.join('\n')).toContain('audit_events_target_user_time');
    });

    it('reads by index on a later page', async () => {
      harness = await createHarness();
      const activeHarness = harness;
      runImmediate(activeHarness.db, () => {
        for (let minute = 0; minute < 2; minute += 1) {
          appendAuditEvent(activeHarness.db, {
            occurredAt: activeHarness.clock.now() + minute * 60_000,
            origin: { ip: '192.0.2.10', deviceFingerprint: null },
            practiceId: activeHarness.practice.id,
            userId: activeHarness.clinician.id,
            event: 'session.created',
            outcome: 'success',
          });
        }
      });
      const query: AuditQuery = { practiceId: harness.practice.id, user: 'casey.clinician', sort: 'occurredAt', order: 'desc', pageSize: 1 };
      const firstPage = findAuditEventPage(harness.db, query);
      const cursor = firstPage.ok ? firstPage.nextCursor : null;
      expect(cursor).not.toBeNull();

      const plan = planAuditQuery(harness.db, { ...query, cursor: cursor ?? undefined });

      expect(plan.filter((step) => /^SCAN e\b/.test(step))).toEqual([]);
      expect(plan.join('\n')).toContain('audit_events_target_user_time');
    });
  });

  it('fills the target column of rows written before the migration', () => {
    const dataDir = makeTempDir();
    tempDirs.push(dataDir);
    const current = new Database(path.join(dataDir, 'current.db'));
    const previous = new Database(path.join(dataDir, 'previous.db'));
    openedDatabases.push(current, previous);
    applyMigrations(current, migrations);
    const migrationIndex = migrations.findIndex((migration) => migration.id === '0009_audit_target_user_and_session_end_reasons');
    applyMigrations(previous, migrations.slice(0, migrationIndex));
    runImmediate(current, () => {
      const base = { occurredAt: 1_767_603_600_000, origin: { ip: '192.0.2.10', deviceFingerprint: null }, outcome: 'success' as const };
      appendAuditEvent(current, { ...base, event: 'user.changed', userId: 'admin-id', details: { targetUserId: 'sam-id', targetUsername: 'sam.rivera' } });
      appendAuditEvent(current, { ...base, event: 'session.created', userId: 'sam-id' });
    });
    const columns = 'id, occurred_at, practice_id, user_id, username, ip, device, event, outcome, reason, details, prev_hash, hash';
    const insert = previous.prepare(`INSERT INTO audit_events (${columns}) VALUES (${columns.split(', ').map((name) => `@${name}`).join(', ')})`);
    for (const row of current.prepare(`SELECT ${columns} FROM audit_events ORDER BY id`).all()) {
      insert.run(row);
    }

    applyMigrations(previous, migrations);

    const targets = previous.prepare('SELECT event, target_user_id FROM audit_events ORDER BY id').all();
    expect(targets).toEqual([
      { event: 'user.changed', target_user_id: 'sam-id' },
      { event: 'session.created', target_user_id: null },
    ]);
    expect(findBrokenAuditRow(previous)).toBeNull();
    expect(() => previous.prepare("UPDATE audit_events SET reason = 'x'").run()).toThrow(/append-only/);
  });
});
