import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, toDeliverySettings, type ConfigResult, type ServerConfig } from '../../server/src/config';
import { defaultGeoipSettings } from '../../server/src/geo/geo-locator';
import { makeTempDir as makeHarnessTempDir } from './support/harness';

const createdDirs: string[] = [];

function makeTempDir(): string {
  const dir = makeHarnessTempDir();
  createdDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of createdDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function problemsOf(result: ConfigResult): string[] {
  return result.ok ? [] : result.problems;
}

function configOf(result: ConfigResult): ServerConfig {
  if (!result.ok) {
    throw new Error(`expected a valid configuration, received problems:\n${result.problems.join('\n')}`);
  }
  return result.config;
}

describe('configuration', () => {
  it('uses the documented defaults', () => {
    const result = loadConfig({ argv: [], env: {}, cwd: '/srv/clinicgate' });

    expect(result).toEqual({
      ok: true,
      config: {
        host: '127.0.0.1',
        port: 8443,
        dataDir: '/srv/clinicgate/.data',
        tls: { certFile: null, keyFile: null },
        logLevel: 'info',
        argon2: { memoryKiB: 19_456, timeCost: 2, parallelism: 1, allowWeakForTests: false },
        otp: { secretFile: '/srv/clinicgate/.data/secrets/otp-hmac.key' },
        email: { from: 'ClinicGate <no-reply@localhost>' },
        smtp: null,
        sms: null,
        deliveryTimeoutMs: 10_000,
        rateLimits: { perIpPerMinute: 60 },
        demo: false,
        trustedProxies: [],
        geoip: defaultGeoipSettings(),
        accessPattern: { windowDays: 90 },
      },
    });
  });

  it('lets environment variables override the config file', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'clinicgate.json');
    writeFileSync(file, JSON.stringify({ port: 9443, host: '0.0.0.0', smtp: { host: 'mail.clinic.example', security: 'tls' } }));

    const result = loadConfig({ argv: ['--config', file], env: { CLINICGATE_PORT: '10443' }, cwd: dir });

    expect(configOf(result).port).toBe(10_443);
    expect(configOf(result).host).toBe('0.0.0.0');
    expect(configOf(result).smtp).toMatchObject({ host: 'mail.clinic.example', security: 'tls', port: 465 });
  });

  it('reads the config file named by CLINICGATE_CONFIG', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'settings.json');
    writeFileSync(file, JSON.stringify({ logLevel: 'warn' }));

    const result = loadConfig({ argv: [], env: { CLINICGATE_CONFIG: file }, cwd: dir });

    expect(configOf(result).logLevel).toBe('warn');
  });

  it('names the setting, its variable, the expectation and the value', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_PORT: 'eighty' } });

    expect(problemsOf(result)).toEqual(['port (CLINICGATE_PORT): expected an integer from 0 to 65535; received "eighty".']);
  });

  it('rejects Argon2 parameters below the floor', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_ARGON2_MEMORY_KIB: '4096', CLINICGATE_ARGON2_TIME_COST: '1' } });

    expect(problemsOf(result)).toEqual([
      'argon2.memoryKiB (CLINICGATE_ARGON2_MEMORY_KIB): expected an integer from 19456 to 4194304; received "4096".',
      'argon2.timeCost (CLINICGATE_ARGON2_TIME_COST): expected an integer from 2 to 100; received "1".',
    ]);
  });

  it('allows weak Argon2 parameters only with allowWeakForTests', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'test.json');
    writeFileSync(file, JSON.stringify({ argon2: { memoryKiB: 256, timeCost: 1, allowWeakForTests: true } }));

    const result = loadConfig({ argv: ['--config', file], env: {} });

    expect(configOf(result).argon2).toEqual({ memoryKiB: 256, timeCost: 1, parallelism: 1, allowWeakForTests: true });
  });

  it('requires all four main SMS fields once one is set', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_SMS_BASE_URL: 'https://api.twilio.com' } });

    expect(problemsOf(result)).toEqual([
      'SMS provider: expected all of sms.baseUrl, sms.accountSid, sms.authToken and sms.fromNumber once any is set; missing sms.accountSid (CLINICGATE_SMS_ACCOUNT_SID), sms.authToken (CLINICGATE_SMS_AUTH_TOKEN), sms.fromNumber (CLINICGATE_SMS_FROM_NUMBER).',
    ]);
  });

  it('rejects a plain-http SMS URL unless it is loopback', () => {
    const sms = { CLINICGATE_SMS_ACCOUNT_SID: 'AC123', CLINICGATE_SMS_AUTH_TOKEN: 'token-value', CLINICGATE_SMS_FROM_NUMBER: '+15550100000' };

    const remote = loadConfig({ argv: [], env: { ...sms, CLINICGATE_SMS_BASE_URL: 'http://sms.example.com' } });
    const loopback = loadConfig({ argv: [], env: { ...sms, CLINICGATE_SMS_BASE_URL: 'http://127.0.0.1:9000' } });

    expect(problemsOf(remote)).toEqual([
      'sms.baseUrl (CLINICGATE_SMS_BASE_URL): expected an https URL (http is allowed only for localhost or 127.0.0.1); received "http://sms.example.com".',
    ]);
    expect(loopback.ok).toBe(true);
  });

  it('never echoes a secret value', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'secret.json');
    writeFileSync(file, JSON.stringify({ smtp: { host: 'mail.clinic.example', password: 12345678 }, sms: { authToken: ['hunter2-token'] } }));

    const result = loadConfig({ argv: ['--config', file], env: {} });

    const text = problemsOf(result).join('\n');
    expect(text).toContain('smtp.password (CLINICGATE_SMTP_PASSWORD)');
    expect(text).toContain('sms.authToken (CLINICGATE_SMS_AUTH_TOKEN)');
    expect(text).not.toContain('12345678');
    expect(text).not.toContain('hunter2-token');
  });

  it('reports unknown keys in the config file', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ prot: 443, smtp: { hots: 'mail' } }));

    const result = loadConfig({ argv: ['--config', file], env: {} });

    expect(problemsOf(result)).toEqual([
      'prot: not a known setting; check the spelling in the config file.',
      'smtp.hots: not a known setting; check the spelling in the config file.',
    ]);
  });

  it('reports a config file that is not valid JSON', () => {
    const dir = makeTempDir();
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "port": ');

    const result = loadConfig({ argv: ['--config', file], env: {} });

    expect(problemsOf(result)[0]).toMatch(/^--config \(CLINICGATE_CONFIG\): .*broken\.json is not valid JSON/);
  });

  it('turns on demo mode from the flag or the variable', () => {
    const fromFlag = loadConfig({ argv: ['--demo'], env: {} });
    const fromEnv = loadConfig({ argv: [], env: { CLINICGATE_DEMO: '1' } });

    expect(configOf(fromFlag).demo).toBe(true);
    expect(configOf(fromEnv).demo).toBe(true);
  });

  it('maps into delivery settings with the outbox under the data directory', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_DATA_DIR: '/var/lib/clinicgate' } });
    if (!result.ok) {
      throw new Error(result.problems.join('\n'));
    }

    const delivery = toDeliverySettings(result.config);

    expect(delivery).toEqual({ emailFrom: 'ClinicGate <no-reply@localhost>', smtp: null, sms: null, outboxDir: '/var/lib/clinicgate/outbox' });
  });
});
