import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAuditEvent, findBrokenAuditRow } from '../../server/src/audit/audit-log';
import { databasePath, openDatabase, runImmediate, type Db } from '../../server/src/db/database';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createHarness, makeTempDir, sessionHeaders, startChallengeWithCode, submitPassword, verifyCode, type Harness } from './support/harness';

const cliPath = path.resolve('server/src/cli.ts');
const tsxPath = path.resolve('node_modules/.bin/tsx');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(tsxPath, [cliPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function writeConfig(dataDir: string): string {
  const configPath = path.join(dataDir, 'config.json');
  writeFileSync(configPath, JSON.stringify({ dataDir, argon2: { memoryKiB: 256, timeCost: 1, allowWeakForTests: true } }));
  return configPath;
}

function seedAuditRows(db: Db, count: number): void {
  runImmediate(db, () => {
    for (let index = 0; index < count; index += 1) {
      appendAuditEvent(db, {
        occurredAt: Date.UTC(2026, 0, 5, 9, index),
        event: 'password.rejected',
        outcome: 'failure',
        origin: { ip: '192.0.2.7', deviceFingerprint: null },
        username: `user${index}`,
        reason: 'unknown_username',
      });
    }
  });
}

describe('audit trail tamper evidence', () => {
  let dataDir: string;

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('verify-audit reports an intact chain', async () => {
    dataDir = makeTempDir();
    const configPath = writeConfig(dataDir);
    const db = openDatabase(databasePath(dataDir));
    seedAuditRows(db, 5);
    db.close();

    const run = await runCli(['verify-audit', '--config', configPath]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('intact (5 rows)');
  });

  it('verify-audit names the row edited in the database file', async () => {
    dataDir = makeTempDir();
    const configPath = writeConfig(dataDir);
    const db = openDatabase(databasePath(dataDir));
    seedAuditRows(db, 5);
    db.close();
    // Someone with access to the file drops the trigger that protects the table and edits a row.
    const raw = new Database(databasePath(dataDir));
    raw.exec('DROP TRIGGER audit_events_reject_update');
    raw.prepare("UPDATE audit_events SET outcome = 'success', reason = NULL WHERE id = 3").run();
    raw.close();

    const run = await runCli(['verify-audit', '--config', configPath]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('breaks at row 3 (password.rejected at 2026-01-05T09:02:00.000Z)');
  });

  it('finds a deleted row by the break it leaves', () => {
    dataDir = makeTempDir();
    const db = openDatabase(databasePath(dataDir));
    seedAuditRows(db, 5);
    db.exec('DROP TRIGGER audit_events_reject_delete');
    db.prepare('DELETE FROM audit_events WHERE id = 2').run();

    const broken = findBrokenAuditRow(db);

    db.close();
    expect(broken).toBe(3);
  });

  it('rejects update and delete through the application connection', () => {
    dataDir = makeTempDir();
    const db = openDatabase(databasePath(dataDir));
    seedAuditRows(db, 2);

    const update = () => db.prepare("UPDATE audit_events SET reason = 'x' WHERE id = 1").run();
    const remove = () => db.prepare('DELETE FROM audit_events WHERE id = 1').run();

    expect(update).toThrow(/append-only/);
    expect(remove).toThrow(/append-only/);
    db.close();
  });
});

describe('set-practice-setting command', () => {
  let dataDir: string;
  let configPath: string;

  afterEach(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  function prepare(): void {
    dataDir = makeTempDir();
    configPath = writeConfig(dataDir);
    const db = openDatabase(databasePath(dataDir));
    runImmediate(db, () => createPractice(db, { name: 'Lakeside Naturopathy', createdAt: Date.now() }));
    db.close();
  }

  function readSettingsAudit(): Array<{ reason: string | null; details: Record<string, unknown> }> {
    const db = openDatabase(databasePath(dataDir));
    const rows = db.prepare("SELECT reason, details FROM audit_events WHERE event = 'settings.changed' ORDER BY id").all() as Array<{
      reason: string | null;
      details: string;
    }>;
    db.close();
    return rows.map((row) => ({ reason: row.reason, details: JSON.parse(row.details) as Record<string, unknown> }));
  }

  function readPracticeColumn(column: string): number {
    const db = openDatabase(databasePath(dataDir));
    const row = db.prepare(`SELECT ${column} AS value FROM practices`).get() as { value: number };
    db.close();
    return row.value;
  }

  it('keeps audit rows six years by default', () => {
    prepare();

    expect(readPracticeColumn('audit_retention_days')).toBe(2190);
  });

  it('sets the idle time-out and audits old and new value', async () => {
    prepare();

    const run = await runCli(['set-practice-setting', '--practice', 'Lakeside Naturopathy', '--setting', 'idle_timeout_minutes', '--value', '1', '--config', configPath]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('from 15 to 1');
    expect(readPracticeColumn('idle_timeout_minutes')).toBe(1);
    const [row] = readSettingsAudit();
    expect(row?.details).toMatchObject({ setting: 'idle_timeout_minutes', oldValue: 15, newValue: 1, via: 'server_command' });
    expect(String(row?.details.changedBy)).toMatch(/^os:/);
  });

  it('refuses an idle time-out below one minute', async () => {
    prepare();

    const run = await runCli(['set-practice-setting', '--practice', 'Lakeside Naturopathy', '--setting', 'idle_timeout_minutes', '--value', '0', '--config', configPath]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('from 1 to 1440');
    expect(readSettingsAudit()).toEqual([]);
  });

  it('refuses retention below six years without the override', async () => {
    prepare();

    const run = await runCli(['set-practice-setting', '--practice', 'Lakeside Naturopathy', '--setting', 'audit_retention_days', '--value', '365', '--config', configPath]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--allow-below-minimum');
    expect(readPracticeColumn('audit_retention_days')).toBe(2190);
    expect(readSettingsAudit()).toEqual([]);
  });

  it('lowers retention with the override and audits the override', async () => {
    prepare();

    const run = await runCli([
      'set-practice-setting',
      '--practice',
      'Lakeside Naturopathy',
      '--setting',
      'audit_retention_days',
      '--value',
      '365',
      '--allow-below-minimum',
      '--config',
      configPath,
    ]);

    expect(run.code).toBe(0);
    expect(readPracticeColumn('audit_retention_days')).toBe(365);
    const [row] = readSettingsAudit();
    expect(row?.reason).toBe('retention_minimum_override');
    expect(row?.details).toMatchObject({ setting: 'audit_retention_days', oldValue: 2190, newValue: 365 });
  });

  it('names the settings it knows for an unknown one', async () => {
    prepare();

    const run = await runCli(['set-practice-setting', '--practice', 'Lakeside Naturopathy', '--setting', 'require_mfa', '--value', '1', '--config', configPath]);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('idle_timeout_minutes, absolute_timeout_minutes, audit_retention_days');
  });
});

describe('audit rows for every sign-in outcome', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  function rowsFor(event: string): Array<{ username: string | null; user_id: string | null; reason: string | null; outcome: string; ip: string | null }> {
    return harness.db.prepare('SELECT username, user_id, reason, outcome, ip FROM audit_events WHERE event = ? ORDER BY id').all(event) as Array<{
      username: string | null;
      user_id: string | null;
      reason: string | null;
      outcome: string;
      ip: string | null;
    }>;
  }

  it('records an unknown username as typed', async () => {
    harness = await createHarness();

    await submitPassword(harness.app, { username: 'Not.A.User' });

    expect(rowsFor('password.rejected')).toEqual([
      { username: 'Not.A.User', user_id: null, reason: 'unknown_username', outcome: 'failure', ip: '127.0.0.1' },
    ]);
  });

  it('records a rate-limited attempt with the attempted username', async () => {
    harness = await createHarness();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await submitPassword(harness.app, { username: 'casey.clinician', password: `wrong password ${attempt}` });
    }

    await submitPassword(harness.app, { username: 'casey.clinician', password: 'wrong password again' });

    expect(rowsFor('request.rate_limited')).toEqual([
      { username: 'casey.clinician', user_id: null, reason: 'password_failures_per_account', outcome: 'failure', ip: '127.0.0.1' },
    ]);
  });

  it('records logout as a revoked session', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const token = ((await verifyCode(harness.app, challengeToken, code)).json() as { session: { token: string } }).session.token;

    await harness.app.inject({ method: 'POST', url: '/api/v1/session/logout', headers: sessionHeaders(token) });

    expect(rowsFor('session.revoked')).toMatchObject([{ user_id: harness.clinician.id, reason: 'logout', outcome: 'success' }]);
  });

  it('keeps codes, passwords and tokens out of every row', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const token = ((await verifyCode(harness.app, challengeToken, code)).json() as { session: { token: string } }).session.token;

    const everything = JSON.stringify(harness.db.prepare('SELECT * FROM audit_events').all());

    expect(everything).not.toContain(code);
    expect(everything).not.toContain(challengeToken);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain('correct horse battery staple');
  });
});
