import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import { deviceTrustAccount, sessionAccount, type TokenVault } from '../../electron/agent/token-vault';
import { buildApp } from '../../server/src/app';
import { createPasswordHasher } from '../../server/src/auth/password-hash';
import { databasePath, openDatabase, type Db } from '../../server/src/db/database';
import { createPractice } from '../../server/src/practices/practice-repository';
import { createUser } from '../../server/src/users/user-repository';
import { CapturingDeliverer } from '../helpers/capturing-deliverer';
import { clinicianPassword, ManualClock, testConfig } from '../server/support/harness';
import { createSelfSignedCertificate } from './support/fake-api-server';

interface InspectableVault extends TokenVault {
  values: Map<string, string>;
}

const username = 'casey.clinician';

let directory: string;
let db: Db;
let app: FastifyInstance;
let serverUrl: string;
let email: CapturingDeliverer;
let vault: InspectableVault;

function createInspectableVault(): InspectableVault {
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

/** Starts an agent for one workstation, confirms the server and signs in with a code, remembering it. */
async function rememberWorkstation(machineId: string): Promise<AuthAgent> {
  const settings = openAgentSettings({ directory: path.join(directory, machineId), env: {} });
  const agent = createAuthAgent({ settings, vault: machineId === 'laptop' ? vault : createInspectableVault(), machineId, shell: 'browser', deviceName: machineId });
  const probed = await agent.probeServer({ serverUrl });
  if (!probed.ok) throw new Error(`probe failed: ${probed.error.code}`);
  await agent.saveServer({ serverUrl, fingerprint: probed.value.fingerprint });
  await agent.submitPassword({ username, password: clinicianPassword });
  await agent.sendCode({ channel: 'email' });
  const verified = await agent.verifyCode({ code: email.lastCode(), rememberWorkstation: true });
  if (!verified.ok) throw new Error(`verify failed: ${verified.error.code}`);
  return agent;
}

beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-agent-devices-'));
  const config = testConfig(path.join(directory, 'server'));
  const clock = new ManualClock(Date.now());
  db = openDatabase(databasePath(config.dataDir));
  const hasher = await createPasswordHasher(config.argon2);
  const practice = createPractice(db, { name: 'Riverside Acupuncture', createdAt: clock.now() });
  createUser(db, {
    practiceId: practice.id,
    username,
    displayName: 'Casey Clinician',
    email: 'casey@clinic.example',
    mobile: null,
    role: 'clinician',
    passwordHash: await hasher.hashPassword(clinicianPassword),
    preferredChannel: 'email',
    createdAt: clock.now(),
  });
  const certificate = await createSelfSignedCertificate();
  email = new CapturingDeliverer();
  app = await buildApp({ config, db, clock, deliverers: { email, sms: new CapturingDeliverer() }, tls: { cert: certificate.certPem, key: certificate.keyPem } });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  serverUrl = `https://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  vault = createInspectableVault();
});

afterEach(async () => {
  await app.close();
  db.close();
  await rm(directory, { recursive: true, force: true });
});

describe('trusted workstations through the agent', () => {
  it('lists workstations and marks this one', async () => {
    const desk = await rememberWorkstation('desk');
    const laptop = await rememberWorkstation('laptop');

    const listed = await laptop.listTrustedWorkstations();

    const rows = listed.ok ? listed.value.map((item) => [item.name, item.isCurrentDevice]) : [];
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(expect.arrayContaining([['laptop', true], ['desk', false]]));
    desk.close();
    laptop.close();
  });

  it('keeps local tokens when revoking another workstation', async () => {
    const desk = await rememberWorkstation('desk');
    const laptop = await rememberWorkstation('laptop');
    const listed = await laptop.listTrustedWorkstations();
    const deskId = listed.ok ? listed.value.find((item) => !item.isCurrentDevice)?.id : undefined;

    const revoked = await laptop.revokeTrustedWorkstation({ id: deskId ?? '' });

    expect(revoked).toEqual({ ok: true, value: { wasThisWorkstation: false } });
    expect(vault.values.has(sessionAccount(serverUrl))).toBe(true);
    expect(vault.values.has(deviceTrustAccount(serverUrl, username))).toBe(true);
    expect((await desk.getSession()).ok).toBe(false);
    desk.close();
    laptop.close();
  });

  it('deletes local tokens when revoking this workstation', async () => {
    const laptop = await rememberWorkstation('laptop');
    const listed = await laptop.listTrustedWorkstations();
    const laptopId = listed.ok ? listed.value[0]?.id : undefined;

    const revoked = await laptop.revokeTrustedWorkstation({ id: laptopId ?? '' });

    expect(revoked).toEqual({ ok: true, value: { wasThisWorkstation: true } });
    expect(vault.values.has(sessionAccount(serverUrl))).toBe(false);
    expect(vault.values.has(deviceTrustAccount(serverUrl, username))).toBe(false);
    expect(await laptop.getSession()).toEqual({ ok: true, value: null });
    laptop.close();
  });

  it('renames a workstation and rejects a malformed label', async () => {
    const laptop = await rememberWorkstation('laptop');
    const listed = await laptop.listTrustedWorkstations();
    const laptopId = listed.ok ? (listed.value[0]?.id ?? '') : '';

    const renamed = await laptop.renameTrustedWorkstation({ id: laptopId, label: '  Home office  ' });
    const malformed = await laptop.renameTrustedWorkstation({ id: laptopId, label: 42 as unknown as string });

    expect(renamed.ok ? renamed.value : null).toMatchObject({ name: 'Home office', label: 'Home office', hostname: 'laptop' });
    expect(malformed.ok ? null : malformed.error.code).toBe('VALIDATION_FAILED');
    laptop.close();
  });
});
