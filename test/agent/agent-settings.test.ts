import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentSettingsError, openAgentSettings, resolveBrowserShellDirectory } from '../../electron/agent/agent-settings';
import { createSelfSignedCertificate, createTestAuthority } from './support/fake-api-server';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(path.join(os.tmpdir(), 'clinicgate-settings-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('agent settings', () => {
  it('starts with no server', () => {
    const settings = openAgentSettings({ directory, env: {} });

    expect(settings.readServerTrust()).toBeNull();
    expect(settings.isPreconfigured).toBe(false);
  });

  it('saves the confirmed server with mode 0600 and reads it back', async () => {
    const material = await createSelfSignedCertificate();
    const fingerprint = new X509Certificate(material.certPem).fingerprint256;
    const settings = openAgentSettings({ directory, env: {} });

    settings.saveConfirmedServer({ serverUrl: 'https://ehr.clinic.example:8443', chainPem: material.certPem, fingerprint });
    const reopened = openAgentSettings({ directory, env: {} });

    expect(reopened.readServerTrust()).toEqual({
      serverUrl: 'https://ehr.clinic.example:8443',
      caPem: material.certPem,
      pinnedFingerprint: fingerprint,
      displayFingerprint: fingerprint,
      source: 'confirmed',
    });
    const fileStats = await stat(path.join(directory, 'agent-settings.json'));
    expect(fileStats.mode & 0o777).toBe(0o600);
    expect(await readdir(directory)).toEqual(['agent-settings.json']);
  });

  it('ignores a file whose certificate does not match its fingerprint', async () => {
    const material = await createSelfSignedCertificate();
    const other = await createSelfSignedCertificate();
    const file = {
      version: 1,
      serverUrl: 'https://ehr.clinic.example',
      certificatePem: material.certPem,
      certificateFingerprint: new X509Certificate(other.certPem).fingerprint256,
    };
    await writeFile(path.join(directory, 'agent-settings.json'), JSON.stringify(file));

    const settings = openAgentSettings({ directory, env: {} });

    expect(settings.readServerTrust()).toBeNull();
  });

  it('ignores a damaged file', async () => {
    await writeFile(path.join(directory, 'agent-settings.json'), '{"version":1,"serverUrl":');

    const settings = openAgentSettings({ directory, env: {} });

    expect(settings.readServerTrust()).toBeNull();
  });

  it('uses a preset server and CA file from the environment', async () => {
    const authority = await createTestAuthority();
    const caFile = path.join(directory, 'clinic-ca.pem');
    await writeFile(caFile, authority.caCertPem);

    const settings = openAgentSettings({
      directory,
      env: { CLINICGATE_SERVER_URL: 'https://ehr.clinic.example:8443/', CLINICGATE_SERVER_CA_FILE: caFile },
    });

    expect(settings.isPreconfigured).toBe(true);
    expect(settings.readServerTrust()).toEqual({
      serverUrl: 'https://ehr.clinic.example:8443',
      caPem: authority.caCertPem,
      pinnedFingerprint: null,
      displayFingerprint: new X509Certificate(authority.caCertPem).fingerprint256,
      source: 'environment',
    });
  });

  it('only suggests a server address given without a CA file', () => {
    const settings = openAgentSettings({ directory, env: { CLINICGATE_SERVER_URL: 'https://127.0.0.1:8443' } });

    expect(settings.readServerTrust()).toBeNull();
    expect(settings.suggestedServerUrl).toBe('https://127.0.0.1:8443');
  });

  it.each([
    [{ CLINICGATE_SERVER_CA_FILE: '/etc/clinic-ca.pem' }, /CLINICGATE_SERVER_URL/],
    [{ CLINICGATE_SERVER_URL: 'http://ehr.clinic.example' }, /CLINICGATE_SERVER_URL is invalid/],
    [{ CLINICGATE_SERVER_URL: 'https://ehr.clinic.example', CLINICGATE_SERVER_CA_FILE: '/nonexistent/ca.pem' }, /CLINICGATE_SERVER_CA_FILE cannot be read/],
  ])('rejects invalid environment settings %#', (env, message) => {
    expect(() => openAgentSettings({ directory, env })).toThrow(AgentSettingsError);
    expect(() => openAgentSettings({ directory, env })).toThrow(message);
  });

  it('rejects a CA file without a certificate', async () => {
    const caFile = path.join(directory, 'empty.pem');
    await writeFile(caFile, 'not a certificate');

    const open = () =>
      openAgentSettings({ directory, env: { CLINICGATE_SERVER_URL: 'https://ehr.clinic.example', CLINICGATE_SERVER_CA_FILE: caFile } });

    expect(open).toThrow(/contains no PEM certificate/);
  });

  it('writes nothing but the settings file', async () => {
    const material = await createSelfSignedCertificate();
    const settings = openAgentSettings({ directory, env: {} });

    settings.saveConfirmedServer({
      serverUrl: 'https://ehr.clinic.example',
      chainPem: material.certPem,
      fingerprint: new X509Certificate(material.certPem).fingerprint256,
    });

    const text = await readFile(path.join(directory, 'agent-settings.json'), 'utf8');
    expect(Object.keys(JSON.parse(text))).toEqual(['version', 'serverUrl', 'certificatePem', 'certificateFingerprint']);
  });
});

describe('resolveBrowserShellDirectory', () => {
  it('prefers CLINICGATE_AGENT_DIR', () => {
    expect(resolveBrowserShellDirectory({ CLINICGATE_AGENT_DIR: '/tmp/agent-a' })).toBe('/tmp/agent-a');
  });

  it('defaults to ~/.config/ClinicGate', () => {
    expect(resolveBrowserShellDirectory({})).toBe(path.join(os.homedir(), '.config', 'ClinicGate'));
  });
});
