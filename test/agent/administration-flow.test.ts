import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import type { TokenVault } from '../../electron/agent/token-vault';
import type { AgentEvent } from '../../electron/shared/bridge';
import { buildApp } from '../../server/src/app';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { systemClock } from '../../server/src/clock';
import { databasePath, openDatabase, type Db } from '../../server/src/db/database';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser } from '../../server/src/users/user-repository';
import { CapturingDeliverer } from '../helpers/capturing-deliverer';
import { makeTempDir, testConfig } from '../server/support/harness';
import { createSelfSignedCertificate } from './support/fake-api-server';

const adminPassword = 'admin password for the agent tests';
const deskPassword = 'front desk password for the agent tests';

let dataDir: string;
let agentDir: string;
let db: Db;
let app: FastifyInstance;
let serverUrl: string;
let email: CapturingDeliverer;
let sms: CapturingDeliverer;
const agents: AuthAgent[] = [];

function memoryVault(): TokenVault {
  const values = new Map<string, string>();
  return {
    storage: 'memory',
    get: async (account) => values.get(account) ?? null,
    set: async (account, value) => {
      values.set(account, value);
    },
    delete: async (account) => {
      values.delete(account);
    },
  };
}

async function startWorkstation(name: string): Promise<AuthAgent> {
  const settings = openAgentSettings({ directory: path.join(agentDir, name), env: {} });
  const agent = createAuthAgent({ settings, vault: memoryVault(), machineId: `machine-${name}`, shell: 'browser', deviceName: name, sessionCheckIntervalMs: 50 });
  agents.push(agent);
  const probed = await agent.probeServer({ serverUrl });
  if (!probed.ok) throw new Error(`probe failed: ${probed.error.code}`);
  const saved = await agent.saveServer({ serverUrl, fingerprint: probed.value.fingerprint });
  if (!saved.ok) throw new Error(`save failed: ${saved.error.code}`);
  return agent;
}

async function waitForCode(deliverer: CapturingDeliverer, count: number): Promise<string> {
  const deadline = Date.now() + 3_000;
  while (deliverer.messages.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} messages, received ${deliverer.messages.length}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return deliverer.lastCode();
}

async function signInWithCode(agent: AuthAgent, username: string, password: string): Promise<void> {
  const outcome = await agent.submitPassword({ username, password });
  if (!outcome.ok || outcome.value.status !== 'code_required') throw new Error(`expected a code step, received ${JSON.stringify(outcome)}`);
  const before = email.messages.length;
  await agent.sendCode({ channel: 'email' });
  const verified = await agent.verifyCode({ code: await waitForCode(email, before + 1), rememberWorkstation: true });
  if (!verified.ok) throw new Error(`sign-in failed: ${verified.error.code}`);
}

function nextSessionEnd(agent: AuthAgent): Promise<AgentEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no session_ended event within 3 s')), 3_000);
    const unsubscribe = agent.onAgentEvent((event) => {
      if (event.type === 'session_ended') {
        clearTimeout(timer);
        unsubscribe();
        resolve(event);
      }
    });
  });
}

beforeEach(async () => {
  dataDir = makeTempDir();
  agentDir = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-agent-admin-'));
  const config = testConfig(dataDir);
  db = openDatabase(databasePath(dataDir));
  const hasher = await createPasswordHasher(config.argon2);
  const practice = createPractice(db, { name: 'Riverside Acupuncture', createdAt: Date.now() });
  for (const [username, role, password] of [
    ['dana.admin', 'practice_admin', adminPassword],
    ['frankie.desk', 'front_desk', deskPassword],
  ] as const) {
    createUser(db, {
      practiceId: practice.id,
      username,
      displayName: username,
      email: `${username}@clinic.example`,
      mobile: '+15550100003',
      role,
      passwordHash: await hasher.hashPassword(password),
      preferredChannel: 'email',
      createdAt: Date.now(),
    });
  }
  email = new CapturingDeliverer();
  sms = new CapturingDeliverer('sms');
  const material = await createSelfSignedCertificate();
  app = await buildApp({ config, db, clock: systemClock, deliverers: { email, sms }, tls: { cert: material.certPem, key: material.keyPem } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  serverUrl = `https://127.0.0.1:${address.port}`;
});

afterEach(async () => {
  agents.splice(0).forEach((agent) => agent.close());
  await app.close();
  db.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(agentDir, { recursive: true, force: true });
});

describe('administration through the agent', () => {
  it('ends a remembered workstation session on enforcement', async () => {
    const reception = await startWorkstation('reception');
    await signInWithCode(reception, 'frankie.desk', deskPassword);
    await reception.signOut();
    const remembered = await reception.submitPassword({ username: 'frankie.desk', password: deskPassword });
    expect(remembered.ok).toBe(true);
    expect(remembered.ok && remembered.value.status).toBe('signed_in');
    const ended = nextSessionEnd(reception);
    const office = await startWorkstation('office');
    await signInWithCode(office, 'dana.admin', adminPassword);

    const changed = await office.changePracticeSetting({ setting: 'require_mfa_always', value: 1 });

    expect(changed).toEqual({ ok: true, value: { setting: 'require_mfa_always', oldValue: 0, newValue: 1, sessionsEnded: 1 } });
    expect(await ended).toEqual({ type: 'session_ended', code: 'SESSION_MFA_REQUIRED' });
    expect(await reception.getSession()).toEqual({ ok: true, value: null });
    const next = await reception.submitPassword({ username: 'frankie.desk', password: deskPassword });
    expect(next.ok && next.value.status).toBe('code_required');
    expect(next.ok && next.value.status === 'code_required' ? next.value.reason : null).toBe('required_by_practice');
  });

  it('passes a range problem through to the screen', async () => {
    const office = await startWorkstation('office');
    await signInWithCode(office, 'dana.admin', adminPassword);

    const changed = await office.changePracticeSetting({ setting: 'min_password_length', value: 6 });

    expect(changed.ok).toBe(false);
    expect(changed.ok ? null : changed.error.code).toBe('VALIDATION_FAILED');
    expect(changed.ok ? '' : changed.error.problem).toContain('min_password_length: expected a whole number from 8 to 128');
  });

  it('rejects a front-desk user with AUTH_FORBIDDEN', async () => {
    const reception = await startWorkstation('reception');
    await signInWithCode(reception, 'frankie.desk', deskPassword);

    const listed = await reception.listPracticeUsers({ search: '' });

    expect(listed.ok ? null : listed.error.code).toBe('AUTH_FORBIDDEN');
    expect((await reception.getSession()).ok).toBe(true);
  });

  it('changes the mobile with the code sent to it', async () => {
    const reception = await startWorkstation('reception');
    await signInWithCode(reception, 'frankie.desk', deskPassword);

    const started = await reception.startContactChange({ channel: 'sms', value: '+15035550142', currentPassword: deskPassword });
    const verified = await reception.verifyContactChange({ channel: 'sms', code: await waitForCode(sms, 1) });

    expect(started.ok ? started.value.destination : started.error.code).toBe('***-***-0142');
    expect(verified.ok ? verified.value.mobile : verified.error.code).toBe('***-***-0142');
  });

  it("lists and forgets a user's workstation", async () => {
    const reception = await startWorkstation('reception');
    await signInWithCode(reception, 'frankie.desk', deskPassword);
    const office = await startWorkstation('office');
    await signInWithCode(office, 'dana.admin', adminPassword);
    const users = await office.listPracticeUsers({ search: 'frankie' });
    const frankie = users.ok ? users.value[0] : undefined;
    if (frankie === undefined) throw new Error(`expected frankie.desk in the list, received ${JSON.stringify(users)}`);

    const listed = await office.listPracticeUserWorkstations({ userId: frankie.id });
    const workstation = listed.ok ? listed.value[0] : undefined;
    if (workstation === undefined) throw new Error(`expected a remembered workstation, received ${JSON.stringify(listed)}`);
    const revoked = await office.revokePracticeUserWorkstation({ userId: frankie.id, id: workstation.id });
    const after = await office.listPracticeUserWorkstations({ userId: frankie.id });

    expect(listed.ok).toBe(true);
    expect(listed.ok && listed.value).toHaveLength(1);
    expect(workstation).toMatchObject({ name: 'reception', isCurrentDevice: false });
    expect(revoked).toEqual({ ok: true, value: { sessionsEnded: 1 } });
    expect(after).toEqual({ ok: true, value: [] });
  });

  it("rejects a front-desk user listing another user's workstations", async () => {
    const reception = await startWorkstation('reception');
    await signInWithCode(reception, 'frankie.desk', deskPassword);
    const admin = db.prepare("SELECT id FROM users WHERE username = 'dana.admin'").get() as { id: string };

    const listed = await reception.listPracticeUserWorkstations({ userId: admin.id });
    const revoked = await reception.revokePracticeUserWorkstation({ userId: admin.id, id: admin.id });

    expect(listed.ok ? null : listed.error.code).toBe('AUTH_FORBIDDEN');
    expect(revoked.ok ? null : revoked.error.code).toBe('AUTH_FORBIDDEN');
  });

  it('checks workstation input before calling the server', async () => {
    const office = await startWorkstation('office');
    await signInWithCode(office, 'dana.admin', adminPassword);

    const missingUser = await office.listPracticeUserWorkstations({ userId: 42 } as unknown as { userId: string });
    const missingId = await office.revokePracticeUserWorkstation({ userId: 'someone' } as unknown as { userId: string; id: string });

    expect(missingUser.ok ? null : missingUser.error).toMatchObject({ code: 'VALIDATION_FAILED', field: '/userId' });
    expect(missingId.ok ? null : missingId.error).toMatchObject({ code: 'VALIDATION_FAILED', field: '/id' });
  });

  it("passes a server problem with a user's new mobile through", async () => {
    const office = await startWorkstation('office');
    await signInWithCode(office, 'dana.admin', adminPassword);
    const frankie = db.prepare("SELECT id FROM users WHERE username = 'frankie.desk'").get() as { id: string };

    const rejected = await office.updatePracticeUser({ userId: frankie.id, mobile: '503 555 0142' });
    const updated = await office.updatePracticeUser({ userId: frankie.id, mobile: '+15035550142' });

    expect(rejected.ok ? null : rejected.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      field: '/mobile',
      problem: 'Enter the mobile number in international form, like +15035550142.',
    });
    expect(updated.ok ? updated.value.mobile : updated.error.code).toBe('***-***-0142');
    expect(updated.ok ? updated.value : updated.error).not.toHaveProperty('setupEmailSent');
    await sms.waitForNotices(1);
    expect(sms.notices[0]).toMatchObject({ to: '+15550100003', changedContact: { channel: 'sms', changedBy: 'practice_admin' } });
  });

  it('reports the setup email to a new address', async () => {
    const office = await startWorkstation('office');
    await signInWithCode(office, 'dana.admin', adminPassword);
    const created = await office.createPracticeUser({
      username: 'robin.reception',
      displayName: 'Robin Reception',
      email: 'robin@old-clinic.example',
      mobile: null,
      role: 'front_desk',
      preferredChannel: 'email',
    });
    if (!created.ok) throw new Error(`user not created: ${created.error.code}`);

    const updated = await office.updatePracticeUser({ userId: created.value.id, email: 'robin@clinic.example' });

    expect(updated.ok ? updated.value : updated.error).toMatchObject({ id: created.value.id, isSetupPending: true, setupEmailSent: true });
    expect(email.messages.at(-1)).toMatchObject({ to: 'robin@clinic.example', purpose: 'account_setup' });
  });

  it('signs out everywhere and forgets this session', async () => {
    const reception = await startWorkstation('reception');
    await signInWithCode(reception, 'frankie.desk', deskPassword);

    const result = await reception.signOutEverywhere();

    expect(result).toEqual({ ok: true, value: { sessionsEnded: 1 } });
    expect(await reception.getSession()).toEqual({ ok: true, value: null });
  });
});
