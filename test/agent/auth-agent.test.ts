import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAgentLogger } from '../../electron/agent/agent-logger';
import { openAgentSettings, type AgentSettings } from '../../electron/agent/agent-settings';
import { createAuthAgent, type AuthAgent } from '../../electron/agent/auth-agent';
import { computeDeviceFingerprint } from '../../electron/agent/device-fingerprint';
import { deviceTrustAccount, sessionAccount, type TokenVault } from '../../electron/agent/token-vault';
import type { BridgeResult, SessionView } from '../../electron/shared/bridge';
import {
  createSelfSignedCertificate,
  createTestAuthority,
  fakeUser,
  startFakeApiServer,
  type FakeApiServer,
  type ServerTlsMaterial,
} from './support/fake-api-server';

interface InspectableVault extends TokenVault {
  values: Map<string, string>;
}

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

let directory: string;
let material: ServerTlsMaterial;
let fake: FakeApiServer;
let vault: InspectableVault;
let settings: AgentSettings;
let logLines: string[];
let agent: AuthAgent;
let results: unknown[];

function startAgent(machineId = 'workstation-a'): AuthAgent {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const started = createAuthAgent({
    settings,
    vault,
    machineId,
    shell: 'browser',
    deviceName: 'front-desk-1',
    logger: createAgentLogger('debug', stream),
  });
  return started;
}

/** Records every result so the leak check at the end can search them all. */
async function record<T>(promise: Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  const result = await promise;
  results.push(result);
  return result;
}

async function confirmServer(target: AuthAgent = agent): Promise<void> {
  const probed = await record(target.probeServer({ serverUrl: fake.url }));
  if (!probed.ok) throw new Error(`probe failed: ${probed.error.code}`);
  const saved = await record(target.saveServer({ serverUrl: fake.url, fingerprint: probed.value.fingerprint }));
  if (!saved.ok) throw new Error(`save failed: ${saved.error.code}`);
}

async function signInWithCode(rememberWorkstation: boolean): Promise<BridgeResult<SessionView>> {
  await record(agent.submitPassword({ username: fakeUser.username, password: fakeUser.password }));
  await record(agent.sendCode({ channel: 'sms' }));
  return record(agent.verifyCode({ code: fake.correctCode, rememberWorkstation }));
}

beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-agent-'));
  material = await createSelfSignedCertificate();
  fake = await startFakeApiServer(material);
  vault = createInspectableVault();
  settings = openAgentSettings({ directory, env: {} });
  logLines = [];
  results = [];
  agent = startAgent();
});

afterEach(async () => {
  agent.close();
  await fake.close();
  await rm(directory, { recursive: true, force: true });
});

describe('auth agent setup', () => {
  it('reports an unconfigured workstation', async () => {
    const state = await agent.getSetupState();

    expect(state).toEqual({
      ok: true,
      value: { serverUrl: null, certificateFingerprint: null, tokenStorage: 'keychain', shell: 'browser' },
    });
  });

  it('saves the server after the fingerprint is confirmed', async () => {
    const probed = await agent.probeServer({ serverUrl: `${fake.url}/` });
    if (!probed.ok) throw new Error(probed.error.code);

    const saved = await agent.saveServer({ serverUrl: fake.url, fingerprint: probed.value.fingerprint.toLowerCase() });

    expect(saved).toEqual({
      ok: true,
      value: { serverUrl: fake.url, certificateFingerprint: probed.value.fingerprint, tokenStorage: 'keychain', shell: 'browser' },
    });
    expect(Object.keys(probed.value).sort()).toEqual(['fingerprint', 'issuer', 'serverUrl', 'subject', 'validFrom', 'validTo']);
  });

  it('refuses to save when the certificate changed after the probe', async () => {
    const probed = await agent.probeServer({ serverUrl: fake.url });
    if (!probed.ok) throw new Error(probed.error.code);
    fake.replaceCertificate(await createSelfSignedCertificate());

    const saved = await agent.saveServer({ serverUrl: fake.url, fingerprint: probed.value.fingerprint });

    expect(saved).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_CERTIFICATE_MISMATCH' }) });
    expect(settings.readServerTrust()).toBeNull();
  });

  it('rejects an invalid server address', async () => {
    const probed = await agent.probeServer({ serverUrl: 'http://127.0.0.1:1' });
    const notText = await agent.probeServer({ serverUrl: 42 } as never);

    expect(probed).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_ADDRESS_INVALID' }) });
    expect(notText).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_ADDRESS_INVALID' }) });
  });

  it('trusts a CA-issued chain it was shown', async () => {
    const authority = await createTestAuthority();
    const leaf = await authority.issue();
    fake.replaceCertificate({ certPem: `${leaf.certPem.trim()}\n${authority.caCertPem}`, keyPem: leaf.keyPem });
    await confirmServer();

    const outcome = await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    expect(outcome).toEqual({ ok: true, value: expect.objectContaining({ status: 'code_required' }) });
  });

  it('asks for setup before a sign-in', async () => {
    const outcome = await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_NOT_CONFIGURED' }) });
  });
});

describe('auth agent sign-in', () => {
  beforeEach(async () => {
    await confirmServer();
  });

  it('asks for a code on a new workstation', async () => {
    const outcome = await record(agent.submitPassword({ username: fakeUser.username, password: fakeUser.password }));

    expect(outcome).toEqual({
      ok: true,
      value: {
        status: 'code_required',
        reason: 'new_workstation',
        channels: [
          { channel: 'sms', destination: '***-***-1234' },
          { channel: 'email', destination: 'd•••@clinic.example' },
        ],
        preferredChannel: 'sms',
      },
    });
    const request = fake.requests.at(-1);
    expect(request?.body).toEqual({
      username: fakeUser.username,
      password: fakeUser.password,
      deviceFingerprint: computeDeviceFingerprint({ machineId: 'workstation-a', serverOrigin: fake.url }),
      deviceName: 'front-desk-1',
    });
  });

  it('passes on a wrong password as the server said it', async () => {
    const outcome = await agent.submitPassword({ username: fakeUser.username, password: 'wrong password' });

    expect(outcome).toEqual({
      ok: false,
      error: { code: 'AUTH_INVALID_CREDENTIALS', message: 'The username or password is incorrect.' },
    });
  });

  it('signs in with a code and remembers the workstation', async () => {
    const view = await signInWithCode(true);

    expect(view).toEqual({
      ok: true,
      value: {
        user: { username: fakeUser.username, displayName: fakeUser.displayName, role: 'front_desk', permissions: ['schedule:read'] },
        practice: { name: 'Juniper Acupuncture' },
        expiresAt: expect.any(String),
        idleExpiresAt: expect.any(String),
        mfa: true,
        workstationRemembered: true,
      },
    });
    expect(vault.values.get(sessionAccount(fake.url))).toMatch(/^sess_/);
    expect(vault.values.get(deviceTrustAccount(fake.url, fakeUser.username))).toMatch(/^trust_/);
  });

  it('reports attempts left after a wrong code', async () => {
    await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });
    await agent.sendCode({ channel: 'email' });

    const wrong = await agent.verifyCode({ code: '000000', rememberWorkstation: true });
    const right = await agent.verifyCode({ code: fake.correctCode, rememberWorkstation: true });

    expect(wrong).toEqual({
      ok: false,
      error: { code: 'OTP_CODE_INVALID', message: 'That code is not correct.', attemptsRemaining: 4 },
    });
    expect(right.ok).toBe(true);
  });

  it('skips the code on a remembered workstation', async () => {
    await signInWithCode(true);
    await agent.signOut();

    const outcome = await record(agent.submitPassword({ username: 'dana.frontdesk', password: fakeUser.password }));

    expect(outcome).toEqual({ ok: true, value: expect.objectContaining({ status: 'signed_in' }) });
    expect(fake.requests.at(-1)?.body).toEqual(expect.objectContaining({ deviceTrustToken: expect.stringMatching(/^trust_/) }));
  });

  it('stores no trust token when the workstation is not remembered', async () => {
    const view = await signInWithCode(false);

    expect(view).toEqual({ ok: true, value: expect.objectContaining({ workstationRemembered: false }) });
    expect(vault.values.has(deviceTrustAccount(fake.url, fakeUser.username))).toBe(false);
  });

  it('keeps trust token under practice enforcement', async () => {
    await signInWithCode(true);
    await agent.signOut();
    fake.requireMfaForEverySignIn = true;

    const outcome = await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    expect(outcome).toEqual({ ok: true, value: expect.objectContaining({ status: 'code_required', reason: 'required_by_practice' }) });
    expect(vault.values.has(deviceTrustAccount(fake.url, fakeUser.username))).toBe(true);
  });

  it('does not recognize a trust token on another workstation', async () => {
    await signInWithCode(true);
    agent.close();
    agent = startAgent('workstation-b');

    const outcome = await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    expect(outcome).toEqual({ ok: true, value: expect.objectContaining({ status: 'code_required', reason: 'new_workstation' }) });
    expect(vault.values.has(deviceTrustAccount(fake.url, fakeUser.username))).toBe(false);
  });

  it('needs a started sign-in for codes', async () => {
    const send = await agent.sendCode({ channel: 'sms' });
    const verify = await agent.verifyCode({ code: '123456', rememberWorkstation: false });

    expect(send).toEqual({ ok: false, error: expect.objectContaining({ code: 'SIGN_IN_NOT_STARTED' }) });
    expect(verify).toEqual({ ok: false, error: expect.objectContaining({ code: 'SIGN_IN_NOT_STARTED' }) });
  });

  it('forgets the challenge on cancel', async () => {
    await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    await agent.cancelSignIn();
    const send = await agent.sendCode({ channel: 'sms' });

    expect(send).toEqual({ ok: false, error: expect.objectContaining({ code: 'SIGN_IN_NOT_STARTED' }) });
  });

  it('forgets the challenge after a successful code', async () => {
    await signInWithCode(false);

    const again = await agent.verifyCode({ code: fake.correctCode, rememberWorkstation: false });

    expect(again).toEqual({ ok: false, error: expect.objectContaining({ code: 'SIGN_IN_NOT_STARTED' }) });
  });

  it('rejects malformed input as data', async () => {
    const noInput = await agent.submitPassword(null as never);
    const numericCode = await agent.verifyCode({ code: 123456, rememberWorkstation: true } as never);
    const badChannel = await agent.sendCode({ channel: 'pigeon' } as never);

    expect(noInput).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: '/username' }) });
    expect(numericCode).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: '/code' }) });
    expect(badChannel).toEqual({ ok: false, error: expect.objectContaining({ code: 'VALIDATION_FAILED', field: '/channel' }) });
  });

  it('turns a keychain failure into INTERNAL_ERROR', async () => {
    vault.get = async () => {
      throw new Error('The keychain is locked');
    };

    const outcome = await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    expect(outcome).toEqual({ ok: false, error: expect.objectContaining({ code: 'INTERNAL_ERROR' }) });
  });
});

describe('auth agent session', () => {
  beforeEach(async () => {
    await confirmServer();
  });

  it('returns null without a stored session', async () => {
    const session = await agent.getSession();

    expect(session).toEqual({ ok: true, value: null });
  });

  it('returns the stored session', async () => {
    await signInWithCode(true);

    const session = await record(agent.getSession());

    expect(session).toEqual({ ok: true, value: expect.objectContaining({ mfa: true, workstationRemembered: true }) });
    const request = fake.requests.at(-1);
    expect(request?.headers.authorization).toBe(`Bearer ${vault.values.get(sessionAccount(fake.url))}`);
    expect(request?.headers['x-clinicgate-device']).toBe(computeDeviceFingerprint({ machineId: 'workstation-a', serverOrigin: fake.url }));
  });

  it('clears a session the server rejects', async () => {
    await signInWithCode(false);
    fake.expireAllSessions();

    const rejected = await agent.getSession();
    const after = await agent.getSession();

    expect(rejected).toEqual({ ok: false, error: expect.objectContaining({ code: 'SESSION_INVALID' }) });
    expect(after).toEqual({ ok: true, value: null });
    expect(vault.values.has(sessionAccount(fake.url))).toBe(false);
  });

  it('keeps the session when the server is unreachable', async () => {
    await signInWithCode(false);
    await fake.close();

    const session = await agent.getSession();

    expect(session).toEqual({ ok: false, error: expect.objectContaining({ code: 'SERVER_UNREACHABLE' }) });
    expect(vault.values.has(sessionAccount(fake.url))).toBe(true);
  });

  it('signs out on the server and in the vault', async () => {
    await signInWithCode(false);

    const signedOut = await agent.signOut();

    expect(signedOut).toEqual({ ok: true, value: null });
    expect(fake.activeSessionCount()).toBe(0);
    expect(vault.values.has(sessionAccount(fake.url))).toBe(false);
  });

  it('signs out locally when the server is down', async () => {
    await signInWithCode(false);
    await fake.close();

    const signedOut = await agent.signOut();

    expect(signedOut).toEqual({ ok: true, value: null });
    expect(vault.values.has(sessionAccount(fake.url))).toBe(false);
  });

  it('revokes the previous session when a new one replaces it', async () => {
    await signInWithCode(true);

    await agent.submitPassword({ username: fakeUser.username, password: fakeUser.password });

    expect(fake.activeSessionCount()).toBe(1);
  });
});

describe('auth agent secrecy', () => {
  it('never returns or logs a token, password or code', async () => {
    await confirmServer();
    await signInWithCode(true);
    await record(agent.getSession());
    await record(agent.signOut());
    await record(agent.submitPassword({ username: fakeUser.username, password: fakeUser.password }));
    await record(agent.getSetupState());

    const returned = JSON.stringify(results);
    const logged = logLines.join('');
    expect(fake.issuedTokens.length).toBeGreaterThanOrEqual(4);
    for (const token of fake.issuedTokens) {
      expect(returned).not.toContain(token);
      expect(logged).not.toContain(token);
    }
    expect(returned).not.toContain(fakeUser.password);
    expect(logged).not.toContain(fakeUser.password);
    expect(logged).not.toContain(fake.correctCode);
    expect(logLines.length).toBeGreaterThan(0);
  });
});
