import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DeliverySettings, SmsProviderSettings, SmtpSettings } from './delivery/types';
import { defaultGeoipSettings, type GeoipSettings } from './geo/geo-locator';
import { parseIpNetwork } from './network/ip-address';
import { authRequestsPerIp } from './rate-limit/rate-limit';

/**
 * Server settings. Sources in order of precedence: defaults, then a JSON file
 * (`--config PATH` or CLINICGATE_CONFIG), then CLINICGATE_* environment variables.
 * Relative paths are resolved against the current directory.
 */
export interface ServerConfig {
  host: string;
  port: number;
  dataDir: string;
  tls: { certFile: string | null; keyFile: string | null };
  logLevel: LogLevel;
  argon2: Argon2Settings;
  otp: { secretFile: string };
  email: { from: string };
  smtp: SmtpSettings | null;
  sms: SmsProviderSettings | null;
  deliveryTimeoutMs: number;
  rateLimits: { perIpPerMinute: number };
  demo: boolean;
  /** Reverse proxies (CIDR blocks) whose `X-Forwarded-For` header names the client; empty trusts none. */
  trustedProxies: string[];
  geoip: GeoipSettings;
  /** How far back successful sign-ins count toward the normal access pattern. */
  accessPattern: { windowDays: number };
}

export interface Argon2Settings {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
  /** Lets tests use parameters below the production floor; never set it in a clinic. */
  allowWeakForTests: boolean;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export type ConfigResult = { ok: true; config: ServerConfig } | { ok: false; problems: string[] };

export interface ConfigSources {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  cwd?: string;
}

/** Argon2id floor from the OWASP password storage guidance: 19 MiB, 2 passes, 1 lane. */
export const minimumArgon2 = { memoryKiB: 19_456, timeCost: 2, parallelism: 1 } as const;

const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const smtpSecurityModes = ['tls', 'starttls', 'none'] as const;
const defaultSmtpPorts = { tls: 465, starttls: 587, none: 25 } as const;

/** Reads and validates every setting; a result lists all problems at once so one start shows them all. */
export function loadConfig(sources: ConfigSources): ConfigResult {
  const cwd = sources.cwd ?? process.cwd();
  const problems: string[] = [];
  const flags = parseFlags(sources.argv, problems);
  const configPath = flags.configPath ?? nonEmpty(sources.env.CLINICGATE_CONFIG);
  const file = configPath === undefined ? {} : readConfigFile(path.resolve(cwd, configPath), problems);
  const reader = new SettingReader(file, sources.env, problems);

  const host = reader.string('host', 'CLINICGATE_HOST') ?? '127.0.0.1';
  const port = reader.integer('port', 'CLINICGATE_PORT', { min: 0, max: 65_535 }) ?? 8443;
  const dataDir = path.resolve(cwd, reader.string('dataDir', 'CLINICGATE_DATA_DIR') ?? '.data');
  const certFile = reader.path('tls.certFile', 'CLINICGATE_TLS_CERT_FILE', cwd);
  const keyFile = reader.path('tls.keyFile', 'CLINICGATE_TLS_KEY_FILE', cwd);
  if ((certFile === undefined) !== (keyFile === undefined)) {
    problems.push(
      'tls.certFile (CLINICGATE_TLS_CERT_FILE) and tls.keyFile (CLINICGATE_TLS_KEY_FILE): expected both or neither; only one is set.',
    );
  }
  const logLevel = reader.oneOf('logLevel', 'CLINICGATE_LOG_LEVEL', logLevels) ?? 'info';
  const argon2 = readArgon2Settings(reader, problems);
  const secretFile =
    reader.path('otp.secretFile', 'CLINICGATE_OTP_SECRET_FILE', cwd) ?? path.join(dataDir, 'secrets', 'otp-hmac.key');
  const emailFrom = reader.string('email.from', 'CLINICGATE_EMAIL_FROM') ?? 'ClinicGate <no-reply@localhost>';
  const smtp = readSmtpSettings(reader, cwd);
  const sms = readSmsSettings(reader, cwd, problems);
  const deliveryTimeoutMs =
    reader.integer('deliveryTimeoutMs', 'CLINICGATE_DELIVERY_TIMEOUT_MS', { min: 100, max: 120_000 }) ?? 10_000;
  // Raised only for load tests, or where many workstations share one address that is not a trusted proxy.
  const perIpPerMinute =
    reader.integer('rateLimits.perIpPerMinute', 'CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE', { min: 1, max: 1_000_000 }) ??
    authRequestsPerIp.limit;
  const demo = flags.demo || (reader.boolean('demo', 'CLINICGATE_DEMO') ?? false);
  const trustedProxies = readTrustedProxies(reader, problems);
  const geoipDefaults = defaultGeoipSettings();
  const geoip = {
    ipv4File: reader.path('geoip.ipv4File', 'CLINICGATE_GEOIP_IPV4_FILE', cwd) ?? geoipDefaults.ipv4File,
    ipv6File: reader.path('geoip.ipv6File', 'CLINICGATE_GEOIP_IPV6_FILE', cwd) ?? geoipDefaults.ipv6File,
  };
  const windowDays = reader.integer('accessPattern.windowDays', 'CLINICGATE_ACCESS_PATTERN_WINDOW_DAYS', { min: 1, max: 730 }) ?? 90;
  reader.reportUnknownKeys();

  if (problems.length > 0) {
    return { ok: false, problems };
  }
  return {
    ok: true,
    config: {
      host,
      port,
      dataDir,
      tls: { certFile: certFile ?? null, keyFile: keyFile ?? null },
      logLevel,
      argon2,
      otp: { secretFile },
      email: { from: emailFrom },
      smtp,
      sms,
      deliveryTimeoutMs,
      rateLimits: { perIpPerMinute },
      demo,
      trustedProxies,
      geoip,
      accessPattern: { windowDays },
    },
  };
}

export function toDeliverySettings(config: ServerConfig): DeliverySettings {
  return {
    emailFrom: config.email.from,
    smtp: config.smtp,
    sms: config.sms,
    outboxDir: path.join(config.dataDir, 'outbox'),
  };
}

export function formatConfigProblems(problems: readonly string[]): string {
  const lines = problems.map((problem) => `  - ${problem}`);
  return ['ClinicGate cannot start because of invalid settings:', ...lines].join('\n');
}

function parseFlags(argv: readonly string[], problems: string[]): { configPath?: string; demo: boolean } {
  let configPath: string | undefined;
  let demo = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === '--demo') {
      demo = true;
    } else if (argument === '--config') {
      configPath = argv[index + 1];
      index += 1;
      if (configPath === undefined || configPath.startsWith('--')) {
        problems.push('--config: expected a path to a JSON settings file after the flag; received nothing.');
        configPath = undefined;
      }
    } else if (argument?.startsWith('--config=')) {
      configPath = argument.slice('--config='.length);
    }
  }
  return { configPath, demo };
}

function readConfigFile(filePath: string, problems: string[]): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    problems.push(`--config (CLINICGATE_CONFIG): failed to read ${filePath}: ${(error as NodeJS.ErrnoException).code ?? 'read failed'}.`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) {
      return parsed;
    }
    problems.push(`--config (CLINICGATE_CONFIG): expected a JSON object in ${filePath}.`);
  } catch (error) {
    problems.push(`--config (CLINICGATE_CONFIG): ${filePath} is not valid JSON (${(error as Error).message}).`);
  }
  return {};
}

function readArgon2Settings(reader: SettingReader, problems: string[]): Argon2Settings {
  const allowWeakForTests = reader.boolean('argon2.allowWeakForTests', null) ?? false;
  const floor = allowWeakForTests ? { memoryKiB: 8, timeCost: 1, parallelism: 1 } : minimumArgon2;
  const memoryKiB =
    reader.integer('argon2.memoryKiB', 'CLINICGATE_ARGON2_MEMORY_KIB', { min: floor.memoryKiB, max: 4_194_304 }) ??
    minimumArgon2.memoryKiB;
  const timeCost =
    reader.integer('argon2.timeCost', 'CLINICGATE_ARGON2_TIME_COST', { min: floor.timeCost, max: 100 }) ?? minimumArgon2.timeCost;
  const parallelism =
    reader.integer('argon2.parallelism', 'CLINICGATE_ARGON2_PARALLELISM', { min: 1, max: 16 }) ?? minimumArgon2.parallelism;
  if (memoryKiB < 8 * parallelism) {
    problems.push(`argon2.memoryKiB (CLINICGATE_ARGON2_MEMORY_KIB): expected at least 8 KiB per lane (${8 * parallelism}); received ${memoryKiB}.`);
  }
  return { memoryKiB, timeCost, parallelism, allowWeakForTests };
}

function readSmtpSettings(reader: SettingReader, cwd: string): SmtpSettings | null {
  const host = reader.string('smtp.host', 'CLINICGATE_SMTP_HOST');
  const security = reader.oneOf('smtp.security', 'CLINICGATE_SMTP_SECURITY', smtpSecurityModes) ?? 'starttls';
  const port = reader.integer('smtp.port', 'CLINICGATE_SMTP_PORT', { min: 1, max: 65_535 }) ?? defaultSmtpPorts[security];
  const user = reader.string('smtp.user', 'CLINICGATE_SMTP_USER');
  const password = reader.secret('smtp.password', 'CLINICGATE_SMTP_PASSWORD');
  const caFile = reader.path('smtp.caFile', 'CLINICGATE_SMTP_CA_FILE', cwd);
  const timeoutMs = reader.integer('smtp.timeoutMs', 'CLINICGATE_SMTP_TIMEOUT_MS', { min: 100, max: 120_000 }) ?? 10_000;
  if (host === undefined) {
    return null;
  }
  return { host, port, security, user, password, caFile, timeoutMs };
}

function readSmsSettings(reader: SettingReader, cwd: string, problems: string[]): SmsProviderSettings | null {
  const baseUrl = reader.string('sms.baseUrl', 'CLINICGATE_SMS_BASE_URL');
  const accountSid = reader.string('sms.accountSid', 'CLINICGATE_SMS_ACCOUNT_SID');
  const authToken = reader.secret('sms.authToken', 'CLINICGATE_SMS_AUTH_TOKEN');
  const fromNumber = reader.string('sms.fromNumber', 'CLINICGATE_SMS_FROM_NUMBER');
  const caFile = reader.path('sms.caFile', 'CLINICGATE_SMS_CA_FILE', cwd);
  const timeoutMs = reader.integer('sms.timeoutMs', 'CLINICGATE_SMS_TIMEOUT_MS', { min: 100, max: 120_000 }) ?? 10_000;

  const mainFields = { 'sms.baseUrl (CLINICGATE_SMS_BASE_URL)': baseUrl, 'sms.accountSid (CLINICGATE_SMS_ACCOUNT_SID)': accountSid, 'sms.authToken (CLINICGATE_SMS_AUTH_TOKEN)': authToken, 'sms.fromNumber (CLINICGATE_SMS_FROM_NUMBER)': fromNumber };
  const missing = Object.entries(mainFields).filter(([, value]) => value === undefined).map(([name]) => name);
  if (missing.length === 4) {
    return null;
  }
  if (missing.length > 0) {
    problems.push(`SMS provider: expected all of sms.baseUrl, sms.accountSid, sms.authToken and sms.fromNumber once any is set; missing ${missing.join(', ')}.`);
  }
  if (baseUrl !== undefined) {
    checkSmsBaseUrl(baseUrl, problems);
  }
  if (fromNumber !== undefined && !/^\+[1-9][0-9]{6,14}$/.test(fromNumber)) {
    problems.push(`sms.fromNumber (CLINICGATE_SMS_FROM_NUMBER): expected an E.164 number like +15550100000; received ${JSON.stringify(fromNumber)}.`);
  }
  if (baseUrl === undefined || accountSid === undefined || authToken === undefined || fromNumber === undefined) {
    return null;
  }
  return { baseUrl, accountSid, authToken, fromNumber, caFile, timeoutMs };
}

function checkSmsBaseUrl(baseUrl: string, problems: string[]): void {
  const setting = 'sms.baseUrl (CLINICGATE_SMS_BASE_URL)';
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    problems.push(`${setting}: expected an absolute https URL; received ${JSON.stringify(baseUrl)}.`);
    return;
  }
  const isLoopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback)) {
    return;
  }
  problems.push(`${setting}: expected an https URL (http is allowed only for localhost or 127.0.0.1); received ${JSON.stringify(baseUrl)}.`);
}

function readTrustedProxies(reader: SettingReader, problems: string[]): string[] {
  const entries = reader.list('trustedProxies', 'CLINICGATE_TRUSTED_PROXIES') ?? [];
  const networks: string[] = [];
  for (const entry of entries) {
    const network = parseIpNetwork(entry);
    if (network === null) {
      problems.push(`trustedProxies (CLINICGATE_TRUSTED_PROXIES): expected IPv4 or IPv6 CIDR blocks like 10.0.0.5/32; received ${JSON.stringify(entry)}.`);
    } else {
      networks.push(network.text);
    }
  }
  return networks;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one setting at a time from the environment (first) or the config file, and records a
 * problem naming the setting, its environment variable, the expectation and the received value.
 */
class SettingReader {
  private readonly readKeys = new Set<string>();

  constructor(
    private readonly file: Record<string, unknown>,
    private readonly env: Readonly<Record<string, string | undefined>>,
    private readonly problems: string[],
  ) {}

  string(key: string, envName: string | null): string | undefined {
    return this.read(key, envName, (raw) => this.toText(raw, key, envName, true));
  }

  /** Like `string`, but a problem never echoes the value. */
  secret(key: string, envName: string | null): string | undefined {
    return this.read(key, envName, (raw) => this.toText(raw, key, envName, false));
  }

  path(key: string, envName: string | null, cwd: string): string | undefined {
    const value = this.string(key, envName);
    return value === undefined ? undefined : path.resolve(cwd, value);
  }

  integer(key: string, envName: string | null, range: { min: number; max: number }): number | undefined {
    return this.read(key, envName, (raw, fromEnv) => {
      const value = fromEnv && typeof raw === 'string' && /^-?[0-9]+$/.test(raw.trim()) ? Number(raw.trim()) : raw;
      if (typeof value === 'number' && Number.isInteger(value) && value >= range.min && value <= range.max) {
        return value;
      }
      this.problem(key, envName, `an integer from ${range.min} to ${range.max}`, raw);
      return undefined;
    });
  }

  /** Reads a JSON array of strings from the file, or a comma-separated list from the environment. */
  list(key: string, envName: string | null): string[] | undefined {
    return this.read(key, envName, (raw, fromEnv) => {
      const items = fromEnv && typeof raw === 'string' ? raw.split(',').map((item) => item.trim()).filter((item) => item !== '') : raw;
      if (Array.isArray(items) && items.every((item) => typeof item === 'string' && item.length <= 100 && !/\p{Cc}/u.test(item))) {
        return items as string[];
      }
      this.problem(key, envName, fromEnv ? 'a comma-separated list' : 'an array of strings', raw);
      return undefined;
    });
  }

  boolean(key: string, envName: string | null): boolean | undefined {
    return this.read(key, envName, (raw, fromEnv) => {
      if (typeof raw === 'boolean') {
        return raw;
      }
      if (fromEnv && (raw === '1' || raw === 'true')) {
        return true;
      }
      if (fromEnv && (raw === '0' || raw === 'false')) {
        return false;
      }
      this.problem(key, envName, fromEnv ? '1, 0, true or false' : 'true or false', raw);
      return undefined;
    });
  }

  oneOf<T extends string>(key: string, envName: string | null, allowed: readonly T[]): T | undefined {
    return this.read(key, envName, (raw) => {
      if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) {
        return raw as T;
      }
      this.problem(key, envName, `one of ${allowed.join(', ')}`, raw);
      return undefined;
    });
  }

  /** Lists config-file keys that no setting read, which are almost always typos. */
  reportUnknownKeys(): void {
    const visit = (object: Record<string, unknown>, prefix: string): void => {
      for (const [name, value] of Object.entries(object)) {
        const key = prefix + name;
        if (this.readKeys.has(key)) {
          continue;
        }
        if (isPlainObject(value) && [...this.readKeys].some((read) => read.startsWith(`${key}.`))) {
          visit(value, `${key}.`);
          continue;
        }
        this.problems.push(`${key}: not a known setting; check the spelling in the config file.`);
      }
    };
    visit(this.file, '');
  }

  private read<T>(key: string, envName: string | null, convert: (raw: unknown, fromEnv: boolean) => T | undefined): T | undefined {
    this.readKeys.add(key);
    const envValue = envName === null ? undefined : nonEmpty(this.env[envName]);
    if (envValue !== undefined) {
      return convert(envValue, true);
    }
    const fileValue = this.fileValue(key);
    if (fileValue === undefined || fileValue === null) {
      return undefined;
    }
    return convert(fileValue, false);
  }

  private fileValue(key: string): unknown {
    let current: unknown = this.file;
    for (const part of key.split('.')) {
      if (!isPlainObject(current) || !Object.hasOwn(current, part)) {
        return undefined;
      }
      current = current[part];
    }
    return current;
  }

  private toText(raw: unknown, key: string, envName: string | null, canEcho: boolean): string | undefined {
    if (typeof raw === 'string' && raw.length > 0 && raw.length <= 4096 && !/\p{Cc}/u.test(raw)) {
      return raw;
    }
    this.problem(key, envName, 'a non-empty text value without control characters', canEcho ? raw : '(hidden)');
    return undefined;
  }

  private problem(key: string, envName: string | null, expected: string, received: unknown): void {
    const name = envName === null ? key : `${key} (${envName})`;
    const shown = received === '(hidden)' ? 'a value that is not shown because it is secret' : JSON.stringify(received);
    this.problems.push(`${name}: expected ${expected}; received ${shown}.`);
  }
}
