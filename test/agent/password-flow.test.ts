import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import type { TokenVault } from '../../electron/agent/token-vault';
import type { AgentEvent, BridgeResult } from '../../electron/shared/bridge';
import { buildApp } from '../../server/src/app';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { systemClock } from '../../server/src/clock';
import { databasePath, openDatabase, type Db } from '../../server/src/db/database';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser } from '../../server/src/users/user-repository';
import { CapturingDeliverer } from '../helpers/capturing-deliverer';
import { makeTempDir, testConfig } from '../server/support/harness';
import { createSelfSignedCertificate } from './support/fake-api-server';

const username = 'casey.clinician';
const oldPassword = 'correct horse battery staple';
const newPassword = 'violet harbor lantern 58';

let dataDir: string;
let agentDir: string;
let db: Db;
let app: FastifyInstance;
let serverUrl: string;
let email: CapturingDeliverer;
const agents: AuthAgent[] = [];
const results: unknown[] = [];

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

async function record<T>(promise: Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  const result = await promise;
  results.push(result);
  return result;
}

/** Starts an agent for one workstation and confirms the server's certificate on it. */
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

async function waitForEmailCount(count: number): Promise<string> {
  const deadline = Date.now() + 3_000;
  while (email.messages.length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} emails, received ${email.messages.length}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return email.lastCode();
}

async function signIn(agent: AuthAgent, password = oldPassword): Promise<void> {
  const outcome = await record(agent.submitPassword({ username, password }));
  if (!outcome.ok || outcome.value.status !== 'code_required') throw new Error(`expected a code step, received ${JSON.stringify(outcome)}`);
  const before = email.messages.length;
  await record(agent.sendCode({ channel: 'email' }));
  const code = await waitForEmailCount(before + 1);
  const verified = await record(agent.verifyCode({ code, rememberWorkstation: true }));
  if (!verified.ok) throw new Error(`sign-in failed: ${verified.error.code}`);
}

async function resetPassword(agent: AuthAgent): Promise<BridgeResult<null>> {
  const before = email.messages.length;
  const started = await record(agent.startPasswordReset({ email: ' Casey@Clinic.Example ' }));
  if (!started.ok) throw new Error(`reset request failed: ${started.error.code}`);
  const code = await waitForEmailCount(before + 1);
  const verified = await record(agent.verifyPasswordResetCode({ code }));
  if (!verified.ok) throw new Error(`reset code failed: ${verified.error.code}`);
  return record(agent.completePasswordReset({ newPassword }));
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
  agentDir = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-agent-reset-'));
  const config = testConfig(dataDir);
  db = openDatabase(databasePath(dataDir));
  const hasher = await createPasswordHasher(config.argon2);
  const practice = createPractice(db, { name: 'Riverside Acupuncture', createdAt: Date.now() });
  createUser(db, {
    practiceId: practice.id,
    username,
    displayName: 'Casey Clinician',
    email: 'casey@clinic.example',
    mobile: null,
    role: 'clinician',
    passwordHash: await hasher.hashPassword(oldPassword),
    preferredChannel: 'email',
    createdAt: Date.now(),
  });
  email = new CapturingDeliverer();
  const material = await createSelfSignedCertificate();
  app = await buildApp({ config, db, clock: systemClock, deliverers: { email, sms: new CapturingDeliverer() }, tls: { cert: material.certPem, key: material.keyPem } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  serverUrl = `https://127.0.0.1:${address.port}`;
  results.length = 0;
});

afterEach(async () => {
  agents.splice(0).forEach((agent) => agent.close());
  await app.close();
  db.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(agentDir, { recursive: true, force: true });
});

describe('password reset through the agent', () => {
  it('resets the password and leaves nobody signed in', async () => {
    const agent = await startWorkstation('front-desk-1');

    const completed = await resetPassword(agent);

    expect(completed).toEqual({ ok: true, value: null });
    expect(await agent.getSession()).toEqual({ ok: true, value: null });
    await signIn(agent, newPassword);
    expect((await agent.getSession()).ok).toBe(true);
  });

  it('returns another signed-in workstation to sign-in', async () => {
    const other = await startWorkstation('exam-room-2');
    await signIn(other);
    const ended = nextSessionEnd(other);
    const agent = await startWorkstation('front-desk-1');

    await resetPassword(agent);

    expect(await ended).toEqual({ type: 'session_ended', code: 'SESSION_PASSWORD_CHANGED' });
    expect(await other.getSession()).toEqual({ ok: true, value: null });
  });

  it('keeps every token out of bridge results', async () => {
    const agent = await startWorkstation('front-desk-1');

    await resetPassword(agent);

    const text = JSON.stringify(results);
    expect(text).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(text).not.toContain(newPassword);
  });

  it('refuses to set a password before a code was accepted', async () => {
    const agent = await startWorkstation('front-desk-1');
    await agent.startPasswordReset({ email: 'casey@clinic.example' });

    const result = await agent.completePasswordReset({ newPassword });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'PASSWORD_RESET_NOT_STARTED' }) });
  });

  it('refuses a code before a reset was requested', async () => {
    const agent = await startWorkstation('front-desk-1');

    const result = await agent.verifyPasswordResetCode({ code: '123456' });

    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'PASSWORD_RESET_NOT_STARTED' }) });
  });
});

describe('password change through the agent', () => {
  it('changes the password and signs out the other workstation', async () => {
    const other = await startWorkstation('exam-room-2');
    await signIn(other);
    const ended = nextSessionEnd(other);
    const agent = await startWorkstation('front-desk-1');
    await signIn(agent);

    const changed = await agent.changePassword({ currentPassword: oldPassword, newPassword });

    expect(changed).toEqual({ ok: true, value: { otherSessionsEnded: 1 } });
    expect(await ended).toEqual({ type: 'session_ended', code: 'SESSION_PASSWORD_CHANGED' });
    expect((await agent.getSession()).ok).toBe(true);
  });

  it('passes on the rule that failed', async () => {
    const agent = await startWorkstation('front-desk-1');
    await signIn(agent);

    const changed = await agent.changePassword({ currentPassword: oldPassword, newPassword: 'short' });

    expect(changed).toEqual({ ok: false, error: expect.objectContaining({ code: 'PASSWORD_TOO_SHORT', minPasswordLength: 12 }) });
  });
});

describe('password strength hint', () => {
  it('rates a common password weak and a long passphrase strong', async () => {
    const agent = await startWorkstation('front-desk-1');

    const weak = await agent.estimatePasswordStrength({ password: 'password1234' });
    const strong = await agent.estimatePasswordStrength({ password: newPassword });

    expect(weak).toEqual({ ok: true, value: expect.objectContaining({ score: 1, warning: 'This is close to a commonly used password.' }) });
    expect(strong).toEqual({ ok: true, value: { score: 4, warning: null, suggestions: [] } });
  });
});
