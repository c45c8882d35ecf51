import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { normalizeSetupCode } from '../../electron/agent/account-setup-flow';
import { openAgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import type { TokenVault } from '../../electron/agent/token-vault';
import type { BridgeResult } from '../../electron/shared/bridge';
import { storeAccountSetupCode } from '../../server/src/account-setup/setup-code';
import { buildApp } from '../../server/src/app';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { systemClock } from '../../server/src/clock';
import { databasePath, openDatabase, type Db } from '../../server/src/db/database';
import { loadOrCreateOtpSecret } from '../../server/src/otp/otp-secret';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser } from '../../server/src/users/user-repository';
import { CapturingDeliverer } from '../helpers/capturing-deliverer';
import { makeTempDir, testConfig } from '../server/support/harness';
import { createSelfSignedCertificate } from './support/fake-api-server';

const setupCode = '04151926';
const newPassword = 'quiet meadow copper kettle';

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

beforeEach(async () => {
  dataDir = makeTempDir();
  agentDir = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-agent-setup-'));
  const config = testConfig(dataDir);
  db = openDatabase(databasePath(dataDir));
  const hasher = await createPasswordHasher(config.argon2);
  const practice = createPractice(db, { name: 'Riverside Acupuncture', createdAt: Date.now() });
  const user = createUser(db, {
    practiceId: practice.id,
    username: 'Frankie.Desk',
    displayName: 'Frankie Desk',
    email: 'frankie@clinic.example',
    mobile: null,
    role: 'front_desk',
    passwordHash: await hasher.hashPassword('a password nobody knows, as creation stores'),
    preferredChannel: 'email',
    createdAt: Date.now(),
    isPasswordSetupPending: true,
  });
  storeAccountSetupCode(db, loadOrCreateOtpSecret(config.otp.secretFile), { userId: user.id, code: setupCode, now: Date.now() });
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

describe('account setup through the agent', () => {
  it('sets the first password, then signs in with it', async () => {
    const agent = await startWorkstation('front-desk-1');

    const verified = await record(agent.verifyAccountSetupCode({ usernameOrEmail: ' frankie@clinic.example ', code: '0415 1926' }));
    const completed = await record(agent.completeAccountSetup({ newPassword }));
    const signIn = await record(agent.submitPassword({ username: 'frankie.desk', password: newPassword }));

    expect(verified).toEqual({
      ok: true,
      value: { username: 'Frankie.Desk', passwordPolicy: { minLength: 12, maxLength: 1024 }, codeExpiresAt: expect.any(String) },
    });
    expect(completed).toEqual({ ok: true, value: null });
    expect(signIn).toMatchObject({ ok: true, value: { status: 'code_required' } });
  });

  it('never returns the setup code to the renderer', async () => {
    const agent = await startWorkstation('front-desk-1');

    await record(agent.verifyAccountSetupCode({ usernameOrEmail: 'frankie.desk', code: setupCode }));
    await record(agent.completeAccountSetup({ newPassword: 'password1234' }));
    await record(agent.completeAccountSetup({ newPassword }));

    expect(JSON.stringify(results)).not.toContain(setupCode);
  });

  it('passes a wrong code on with the tries left', async () => {
    const agent = await startWorkstation('front-desk-1');

    const result = await record(agent.verifyAccountSetupCode({ usernameOrEmail: 'frankie.desk', code: '11111111' }));

    expect(result).toMatchObject({ ok: false, error: { code: 'ACCOUNT_SETUP_CODE_INVALID', attemptsRemaining: 4 } });
  });

  it('sets no password before a code was accepted', async () => {
    const agent = await startWorkstation('front-desk-1');
    await record(agent.verifyAccountSetupCode({ usernameOrEmail: 'frankie.desk', code: '11111111' }));

    const result = await record(agent.completeAccountSetup({ newPassword }));

    expect(result).toMatchObject({ ok: false, error: { code: 'ACCOUNT_SETUP_NOT_STARTED' } });
  });

  it('forgets the accepted code on cancel', async () => {
    const agent = await startWorkstation('front-desk-1');
    await record(agent.verifyAccountSetupCode({ usernameOrEmail: 'frankie.desk', code: setupCode }));

    await record(agent.cancelAccountSetup());
    const result = await record(agent.completeAccountSetup({ newPassword }));

    expect(result).toMatchObject({ ok: false, error: { code: 'ACCOUNT_SETUP_NOT_STARTED' } });
  });

  it('rejects a code that is not eight digits before calling the server', async () => {
    const agent = await startWorkstation('front-desk-1');

    const result = await record(agent.verifyAccountSetupCode({ usernameOrEmail: 'frankie.desk', code: '123456' }));

    expect(result).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', field: '/code' } });
    expect(normalizeSetupCode('０４１５–１９２６')).toBe('04151926');
    expect(normalizeSetupCode('0415 19x6')).toBeNull();
  });
});
