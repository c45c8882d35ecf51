import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../server/src/app';
import type { Clock } from '../../../server/src/clock';
import type { ServerConfig } from '../../../server/src/config';
import { createPasswordHasher } from '../../../server/src/auth/password-hash';
import { databasePath, openDatabase, type Db } from '../../../server/src/db/database';
import { defaultGeoipSettings } from '../../../server/src/geo/geo-locator';
import { createPractice, type Practice, type PracticeSettings } from '../../../server/src/practices/practice-repository';
import type { RandomIntSource } from '../../../server/src/otp/otp-code';
import { createUser, type User } from '../../../server/src/users/user-repository';
import type { CodeDeliverer } from '../../../server/src/delivery/types';
import { CapturingDeliverer } from '../../helpers/capturing-deliverer';

export const startTime = Date.UTC(2026, 0, 5, 9, 0, 0);
export const workstation = 'a'.repeat(64);
export const otherWorkstation = 'b'.repeat(64);
export const clinicianPassword = 'correct horse battery staple';

export class ManualClock implements Clock {
  constructor(private current = startTime) {}

  now(): number {
    return this.current;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export const seconds = (count: number): number => count * 1000;
export const minutes = (count: number): number => count * 60_000;
export const hours = (count: number): number => count * 60 * 60_000;

export function makeTempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'clinicgate-server-test-'));
}

/** Returns a valid configuration with small Argon2 parameters so tests stay fast. */
export function testConfig(dataDir: string): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir,
    tls: { certFile: null, keyFile: null },
    logLevel: 'silent',
    argon2: { memoryKiB: 256, timeCost: 1, parallelism: 1, allowWeakForTests: true },
    otp: { secretFile: path.join(dataDir, 'secrets', 'otp-hmac.key') },
    email: { from: 'ClinicGate <no-reply@clinic.example>' },
    smtp: null,
    sms: null,
    deliveryTimeoutMs: 2_000,
    rateLimits: { perIpPerMinute: 60 },
    demo: false,
    trustedProxies: [],
    geoip: defaultGeoipSettings(),
    accessPattern: { windowDays: 90 },
  };
}

export interface Harness {
  app: FastifyInstance;
  db: Db;
  clock: ManualClock;
  dataDir: string;
  config: ServerConfig;
  email: CapturingDeliverer;
  sms: CapturingDeliverer;
  practice: Practice;
  clinician: User;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Reuse another harness's data directory and database file, as a second server instance would. */
  sharedWith?: Harness;
  clock?: ManualClock;
  practiceSettings?: Partial<PracticeSettings>;
  randomInt?: RandomIntSource;
  logLevel?: ServerConfig['logLevel'];
  logStream?: Writable;
  configure?: (config: ServerConfig) => void;
  /** Sends texts through this deliverer, such as the real SMS deliverer aimed at a loopback sink; `sms` then receives nothing. */
  smsDeliverer?: CodeDeliverer;
}

/** Builds an app on a temporary data directory with one practice and one clinician. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const shared = options.sharedWith;
  const dataDir = shared?.dataDir ?? makeTempDir();
  const config = testConfig(dataDir);
  config.logLevel = options.logLevel ?? 'silent';
  options.configure?.(config);
  const clock = options.clock ?? shared?.clock ?? new ManualClock();
  const db = openDatabase(databasePath(dataDir));
  const email = new CapturingDeliverer();
  const sms = new CapturingDeliverer('sms');

  let practice = shared?.practice;
  let clinician = shared?.clinician;
  if (practice === undefined || clinician === undefined) {
    const hasher = await createPasswordHasher(config.argon2);
    practice = createPractice(db, { name: 'Riverside Acupuncture', createdAt: clock.now(), ...options.practiceSettings });
    clinician = createUser(db, {
      practiceId: practice.id,
      username: 'Casey.Clinician',
      displayName: 'Casey Clinician',
      email: 'casey@clinic.example',
      mobile: '+15550100002',
      role: 'clinician',
      passwordHash: await hasher.hashPassword(clinicianPassword),
      preferredChannel: 'email',
      createdAt: clock.now(),
    });
  }

  const app = await buildApp({
    config,
    db,
    clock,
    deliverers: { email, sms: options.smsDeliverer ?? sms },
    logStream: options.logStream,
    randomInt: options.randomInt,
  });
  return {
    app,
    db,
    clock,
    dataDir,
    config,
    email,
    sms,
    practice,
    clinician,
    close: async () => {
      await app.close();
      db.close();
      if (shared === undefined) {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}

export function postJson(app: FastifyInstance, url: string, payload: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, payload: payload as object, headers: { 'content-type': 'application/json', ...headers } });
}

export function submitPassword(
  app: FastifyInstance,
  overrides: Partial<{ username: string; password: string; deviceFingerprint: string; deviceTrustToken: string; deviceName: string }> = {},
): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/password', {
    username: 'casey.clinician',
    password: clinicianPassword,
    deviceFingerprint: workstation,
    ...overrides,
  });
}

export function sendCode(app: FastifyInstance, challengeToken: string, channel: 'email' | 'sms' = 'email'): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/otp/send', { challengeToken, channel });
}

export function verifyCode(
  app: FastifyInstance,
  challengeToken: string,
  code: string,
  overrides: Partial<{ deviceFingerprint: string; rememberDevice: boolean; deviceName: string }> = {},
): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/otp/verify', {
    challengeToken,
    code,
    deviceFingerprint: workstation,
    rememberDevice: false,
    ...overrides,
  });
}

/** Runs the password step and returns the challenge token it opens. */
export async function startChallenge(app: FastifyInstance, overrides: Parameters<typeof submitPassword>[1] = {}): Promise<string> {
  const response = await submitPassword(app, overrides);
  const body = response.json() as { status: string; challenge?: { challengeToken: string } };
  if (body.challenge === undefined) {
    throw new Error(`expected a challenge, received ${response.statusCode} ${response.body}`);
  }
  return body.challenge.challengeToken;
}

/** Runs the password step and sends a code; returns the challenge token and the delivered code. */
export async function startChallengeWithCode(harness: Harness): Promise<{ challengeToken: string; code: string }> {
  const challengeToken = await startChallenge(harness.app);
  const sent = await sendCode(harness.app, challengeToken);
  if (sent.statusCode !== 200) {
    throw new Error(`expected the code to be sent, received ${sent.statusCode} ${sent.body}`);
  }
  return { challengeToken, code: harness.email.lastCode() };
}

/** Returns a six-digit code that differs from `code`, for wrong-code tests. */
export function wrongCodeFor(code: string): string {
  return code === '123456' ? '654321' : '123456';
}

export function errorCode(response: LightMyRequestResponse): string | undefined {
  return (response.json() as { error?: { code?: string } }).error?.code;
}

export function sessionHeaders(token: string, deviceFingerprint = workstation): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'x-clinicgate-device': deviceFingerprint };
}
