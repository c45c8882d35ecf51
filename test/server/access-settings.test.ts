import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config';
import { applyMigrations, databasePath, openDatabase } from '../../server/src/db/database';
import { migrations } from '../../server/src/db/migrations';
import { createPractice } from '../../server/src/practices/practice-repository';
import { listTrustedNetworks } from '../../server/src/risk/access-pattern';
import { setTrustedNetworks } from '../../server/src/risk/trusted-networks';
import { makeTempDir } from './support/harness';

const createdDirs: string[] = [];

function tempDir(): string {
  const dir = makeTempDir();
  createdDirs.push(dir);
  return dir;
}

afterEach(() => {
  createdDirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function runServerCommand(args: string[], dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.resolve('node_modules/.bin/tsx'), [path.resolve('server/src/cli.ts'), ...args], {
      env: { ...process.env, CLINICGATE_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('access-pattern settings', () => {
  it('reads trusted proxies from the environment', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_TRUSTED_PROXIES: '10.0.0.5, 2001:db8::7/128' }, cwd: '/srv' });

    expect(result.ok).toBe(true);
    expect(result.ok ? result.config.trustedProxies : null).toEqual(['10.0.0.5/32', '2001:db8::7/128']);
  });

  it('names the setting for an invalid proxy block', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_TRUSTED_PROXIES: '10.0.0.0/40' }, cwd: '/srv' });

    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.problems.join('\n')).toContain('trustedProxies (CLINICGATE_TRUSTED_PROXIES)');
  });

  it('reads the window and database files', () => {
    const result = loadConfig({
      argv: [],
      env: { CLINICGATE_ACCESS_PATTERN_WINDOW_DAYS: '30', CLINICGATE_GEOIP_IPV4_FILE: 'geo/v4.mmdb', CLINICGATE_GEOIP_IPV6_FILE: '/geo/v6.mmdb' },
      cwd: '/srv',
    });

    expect(result.ok).toBe(true);
    expect(result.ok ? result.config.accessPattern : null).toEqual({ windowDays: 30 });
    expect(result.ok ? result.config.geoip : null).toEqual({ ipv4File: '/srv/geo/v4.mmdb', ipv6File: '/geo/v6.mmdb' });
  });

  it('replaces trusted networks and audits the change', () => {
    const db = openDatabase(databasePath(tempDir()));
    const practice = createPractice(db, { name: 'Demo Clinic', createdAt: 0 });
    setTrustedNetworks(db, { practiceName: 'Demo Clinic', networks: ['198.51.100.0/24'], changedBy: 'os:test', now: 1 });

    const result = setTrustedNetworks(db, { practiceName: 'Demo Clinic', networks: ['203.0.113.9/24', '2001:DB8::/48'], changedBy: 'os:test', now: 2 });

    expect(result).toEqual({ ok: true, oldNetworks: ['198.51.100.0/24'], newNetworks: ['2001:db8::/48', '203.0.113.0/24'] });
    expect(listTrustedNetworks(db, practice.id).map((network) => network.text)).toEqual(['2001:db8::/48', '203.0.113.0/24']);
    const row = db.prepare("SELECT details FROM audit_events WHERE event = 'settings.changed' ORDER BY id DESC").get() as { details: string };
    expect(JSON.parse(row.details)).toMatchObject({ setting: 'trusted_networks', oldValue: '198.51.100.0/24', newValue: '2001:db8::/48 203.0.113.0/24' });
    db.close();
  });

  it('rejects an invalid network without changing anything', () => {
    const db = openDatabase(databasePath(tempDir()));
    const practice = createPractice(db, { name: 'Demo Clinic', createdAt: 0 });

    const result = setTrustedNetworks(db, { practiceName: 'Demo Clinic', networks: ['203.0.113.0/24', 'clinic-wifi'], changedBy: 'os:test', now: 1 });

    expect(result.ok).toBe(false);
    expect(listTrustedNetworks(db, practice.id)).toEqual([]);
    db.close();
  });

  it('sets trusted networks from the server command', async () => {
    const dataDir = tempDir();
    const db = openDatabase(databasePath(dataDir));
    createPractice(db, { name: 'Demo Clinic', createdAt: 0 });
    db.close();

    const run = await runServerCommand(['set-trusted-networks', '--practice', 'Demo Clinic', '203.0.113.0/24', '2001:db8::/48'], dataDir);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('2001:db8::/48, 203.0.113.0/24');
  }, 30_000);

  it('keeps existing sessions when the sessions table is rebuilt', () => {
    const db = new Database(path.join(tempDir(), 'old.db'));
    applyMigrations(db, migrations.slice(0, 1));
    db.prepare("INSERT INTO practices (id, name, created_at) VALUES ('p1', 'Old Clinic', 0)").run();
    db.prepare("INSERT INTO users (id, practice_id, username, username_key, display_name, role, password_hash, created_at) VALUES ('u1', 'p1', 'a', 'a', 'A', 'clinician', 'x', 0)").run();
    db.prepare("INSERT INTO sessions (id, token_hash, user_id, practice_id, device_fingerprint, mfa, created_at, last_activity_at, expires_at) VALUES ('s1', 'h', 'u1', 'p1', 'f', 1, 0, 0, 10)").run();

    applyMigrations(db, migrations);

    expect(db.prepare('SELECT id, token_hash FROM sessions').all()).toEqual([{ id: 's1', token_hash: 'h' }]);
    expect(() => db.prepare("UPDATE sessions SET ended_at = 1, end_reason = 'device_revoked' WHERE id = 's1'").run()).not.toThrow();
    db.close();
  });
});
