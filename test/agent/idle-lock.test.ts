import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import { sessionAccount, type TokenVault } from '../../electron/agent/token-vault';
import type { AgentEvent } from '../../electron/shared/bridge';
import { buildApp } from '../../server/src/app';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { databasePath, openDatabase, runImmediate, type Db } from '../../server/src/db/database';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser } from '../../server/src/users/user-repository';
import { CapturingDeliverer } from '../helpers/capturing-deliverer';
import { ManualClock, testConfig } from '../server/support/harness';
import { createSelfSignedCertificate } from './support/fake-api-server';

const password = 'idle lock test password';

let directory: string;
let db: Db;
let serverClock: ManualClock;
let email: CapturingDeliverer;
let app: FastifyInstance;
let serverUrl: string;
let agentNow: number;
let vault: TokenVault & { values: Map<string, string> };
let agent: AuthAgent;
let events: AgentEvent[];

function createMemoryVault(): TokenVault & { values: Map<string, string> } {
  const values = new Map<string, string>();
  return {
    storage: 'keychain',
    values,
    get: async (account) => values.get(account) ?? null,
    set: async (account, value) => {
      values.set(account, value);
    },
    delete: async (account) => {
      values.delete(account);
    },
  };
}

/** Moves both clocks, because the agent measures idle time and the server enforces it. */
function advance(ms: number): void {
  agentNow += ms;
  serverClock.advance(ms);
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (condition()) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function sessionRow(): { last_activity_at: number; end_reason: string | null } {
  return db.prepare('SELECT last_activity_at, end_reason FROM sessions ORDER BY created_at DESC LIMIT 1').get() as {
    last_activity_at: number;
    end_reason: string | null;
  };
}

async function signIn(): Promise<void> {
  const probed = await agent.probeServer({ serverUrl });
  if (!probed.ok) throw new Error(probed.error.code);
  const saved = await agent.saveServer({ serverUrl, fingerprint: probed.value.fingerprint });
  if (!saved.ok) throw new Error(saved.error.code);
  const step = await agent.submitPassword({ username: 'riley.nurse', password });
  if (!step.ok) throw new Error(step.error.code);
  const sent = await agent.sendCode({ channel: 'email' });
  if (!sent.ok) throw new Error(sent.error.code);
  const verified = await agent.verifyCode({ code: email.lastCode(), rememberWorkstation: false });
  if (!verified.ok) throw new Error(verified.error.code);
}

beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-idle-'));
  const config = testConfig(path.join(directory, 'server'));
  serverClock = new ManualClock();
  db = openDatabase(databasePath(config.dataDir));
  const hasher = await createPasswordHasher(config.argon2);
  const passwordHash = await hasher.hashPassword(password);
  runImmediate(db, () => {
    const practice = createPractice(db, { name: 'Idle Test Clinic', createdAt: serverClock.now(), idleTimeoutMinutes: 1 });
    createUser(db, {
      practiceId: practice.id,
      username: 'riley.nurse',
      displayName: 'Riley Nurse',
      email: 'riley@clinic.example',
      mobile: null,
      role: 'clinician',
      passwordHash,
      preferredChannel: 'email',
      createdAt: serverClock.now(),
    });
  });
  email = new CapturingDeliverer();
  const tls = await createSelfSignedCertificate();
  app = await buildApp({ config, db, clock: serverClock, deliverers: { email, sms: new CapturingDeliverer() }, tls: { cert: tls.certPem, key: tls.keyPem } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  serverUrl = `https://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  agentNow = Date.UTC(2026, 0, 5, 9, 0, 0);
  vault = createMemoryVault();
  events = [];
  agent = createAuthAgent({
    settings: openAgentSettings({ directory: path.join(directory, 'agent'), env: {} }),
    vault,
    machineId: 'idle-test-workstation',
    shell: 'browser',
    now: () => agentNow,
    // The test ticks the monitor itself through checkIdle.
    idleCheckIntervalMs: 3_600_000,
  });
  agent.onAgentEvent((event) => events.push(event));
});

afterEach(async () => {
  agent.close();
  await app.close();
  db.close();
  await rm(directory, { recursive: true, force: true });
});

describe('idle lock through the agent', () => {
  it('warns, then revokes the session on the server and in the keychain', async () => {
    await signIn();

    advance(30_000);
    agent.checkIdle();
    advance(30_000);
    agent.checkIdle();
    await waitFor(() => events.some((event) => event.type === 'session_timed_out'), 'the lock');

    expect(events).toEqual([
      { type: 'idle_warning', locksAt: new Date(agentNow).toISOString() },
      { type: 'session_timed_out', idleTimeoutMinutes: 1 },
    ]);
    expect(vault.values.has(sessionAccount(serverUrl))).toBe(false);
    expect(sessionRow().end_reason).toBe('timed_out');
    // The server's own idle limit falls at the same instant here, so either side may record the time-out, but only once.
    const audit = db.prepare("SELECT reason FROM audit_events WHERE event = 'session.timed_out'").all() as Array<{ reason: string }>;
    expect(audit).toHaveLength(1);
    expect(['idle_timeout', 'client_idle_lock']).toContain(audit[0]?.reason);
    expect(await agent.getSession()).toEqual({ ok: true, value: null });
  });

  it('keeps the session when the person returns during the warning', async () => {
    await signIn();
    advance(30_000);
    agent.checkIdle();

    await agent.reportActivity();
    await waitFor(() => sessionRow().last_activity_at === serverClock.now(), 'the activity touch');
    advance(20_000);
    agent.checkIdle();

    expect(events.map((event) => event.type)).toEqual(['idle_warning', 'idle_warning_dismissed']);
    const session = await agent.getSession();
    if (!session.ok) throw new Error(session.error.code);
    expect(session.value).not.toBeNull();
  });

  it("does not count the app's own session checks as activity", async () => {
    await signIn();
    const signedInAt = sessionRow().last_activity_at;
    advance(20_000);

    const checked = await agent.getSession();

    expect(checked.ok).toBe(true);
    expect(sessionRow().last_activity_at).toBe(signedInAt);
  });

  it('reports a session the server ended when activity is sent', async () => {
    await signIn();
    advance(20_000);
    db.prepare("UPDATE sessions SET ended_at = ?, end_reason = 'timed_out'").run(serverClock.now());

    await agent.reportActivity();
    advance(15_000);
    agent.checkIdle();
    await waitFor(() => events.length > 0, 'the session end');

    expect(events).toEqual([{ type: 'session_ended', code: 'SESSION_EXPIRED' }]);
    expect(vault.values.has(sessionAccount(serverUrl))).toBe(false);
  });
});

describe('idle lock racing the server', () => {
  it('reports a server idle expiry during the warning as a time-out', async () => {
    await signIn();
    advance(30_000);
    agent.checkIdle();
    db.prepare("UPDATE sessions SET ended_at = ?, end_reason = 'timed_out'").run(serverClock.now());

    await agent.reportActivity();
    await waitFor(() => events.length > 2, 'the session end');

    expect(events.map((event) => event.type)).toEqual(['idle_warning', 'idle_warning_dismissed', 'session_timed_out']);
    expect(vault.values.has(sessionAccount(serverUrl))).toBe(false);
  });
});

describe('audit log through the agent', () => {
  it('passes on the server refusing a role without audit access', async () => {
    await signIn();

    const listed = await agent.listAuditEvents({});
    const exported = await agent.exportAuditEvents({ outcome: 'failure' });

    expect(listed).toEqual({ ok: false, error: expect.objectContaining({ code: 'AUTH_FORBIDDEN' }) });
    expect(exported).toEqual({ ok: false, error: expect.objectContaining({ code: 'AUTH_FORBIDDEN' }) });
  });

  it('rejects a query field of the wrong type before calling the server', async () => {
    await signIn();

    const badPageSize = await agent.listAuditEvents({ pageSize: 500 });
    const badSort = await agent.listAuditEvents({ sort: 'password' } as never);

    expect(badPageSize).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: '/pageSize' }) });
    expect(badSort).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: '/sort' }) });
  });

  it('returns the CSV for an administrator', async () => {
    await signIn();
    db.prepare("UPDATE users SET role = 'practice_admin'").run();

    const exported = await agent.exportAuditEvents({ event: 'session.created' });
    const listed = await agent.listAuditEvents({ event: 'session.created', pageSize: 1 });

    if (!exported.ok) throw new Error(exported.error.code);
    if (!listed.ok) throw new Error(listed.error.code);
    expect(exported.value.fileName).toBe('clinicgate-audit-2026-01-05.csv');
    expect(exported.value.csv.split('\r\n')[0]).toBe('id,occurred_at_utc,event,outcome,username,ip,device,reason,details');
    expect(exported.value.csv).toContain('session.created');
    expect(listed.value.events.map((event) => event.event)).toEqual(['session.created']);
  });
});
