import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from './agent-logger';
import { normalizeFingerprint, parseServerAddress, readFirstCertificate } from './server-certificate';

/** The server this workstation talks to and how its certificate is verified. */
export interface ServerTrust {
  /** Server origin, like `https://ehr.clinic.example:8443`. */
  serverUrl: string;
  /** Trust anchors for TLS verification: the confirmed chain, or the IT person's CA file. */
  caPem: string;
  /**
   * Fingerprint the presented leaf certificate must have, as colon-separated hex pairs. Null in
   * CA-file mode, where any certificate the CA issued for the host is accepted.
   */
  pinnedFingerprint: string | null;
  /** Fingerprint shown in the setup state: the pinned leaf's, or the CA certificate's. */
  displayFingerprint: string;
  source: 'confirmed' | 'environment';
}

export interface AgentSettings {
  readonly directory: string;
  /** True when CLINICGATE_SERVER_URL and CLINICGATE_SERVER_CA_FILE fix the server. */
  readonly isPreconfigured: boolean;
  /** Server address from CLINICGATE_SERVER_URL without a CA file: shown, but still confirmed. */
  readonly suggestedServerUrl: string | null;
  readServerTrust(): ServerTrust | null;
  saveConfirmedServer(input: { serverUrl: string; chainPem: string; fingerprint: string }): ServerTrust;
}

/** Raised at start-up when an environment setting is invalid; the message names the setting. */
export class AgentSettingsError extends Error {
  override name = 'AgentSettingsError';
}

const settingsFileName = 'agent-settings.json';
const settingsVersion = 1;

/**
 * Opens the settings in `directory` (Electron's userData folder, or the browser shell's folder).
 * Throws AgentSettingsError when the environment settings are invalid.
 */
export function openAgentSettings(options: {
  directory: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}): AgentSettings {
  const directory = path.resolve(options.directory);
  const env = options.env ?? process.env;
  const logger = options.logger ?? silentLogger;
  const filePath = path.join(directory, settingsFileName);

  const preconfigured = readEnvironmentServer(env);
  let saved = readSettingsFile(filePath, logger);

  return {
    directory,
    isPreconfigured: preconfigured.trust !== null,
    suggestedServerUrl: preconfigured.suggestedServerUrl,
    readServerTrust: () => preconfigured.trust ?? saved,
    saveConfirmedServer(input) {
      const trust: ServerTrust = {
        serverUrl: input.serverUrl,
        caPem: input.chainPem,
        pinnedFingerprint: normalizeFingerprint(input.fingerprint),
        displayFingerprint: normalizeFingerprint(input.fingerprint),
        source: 'confirmed',
      };
      const file: SettingsFile = {
        version: settingsVersion,
        serverUrl: trust.serverUrl,
        certificatePem: trust.caPem,
        certificateFingerprint: trust.displayFingerprint,
      };
      writeFileAtomically(directory, filePath, `${JSON.stringify(file, null, 2)}\n`);
      saved = trust;
      logger.info({ serverUrl: trust.serverUrl, fingerprint: trust.displayFingerprint }, 'server confirmed');
      return trust;
    },
  };
}

/** Returns the browser shell's settings folder: CLINICGATE_AGENT_DIR, else ~/.config/ClinicGate. */
export function resolveBrowserShellDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CLINICGATE_AGENT_DIR;
  if (configured !== undefined && configured !== '') {
    return path.resolve(configured);
  }
  return path.join(os.homedir(), '.config', 'ClinicGate');
}

function readEnvironmentServer(env: NodeJS.ProcessEnv): {
  trust: ServerTrust | null;
  suggestedServerUrl: string | null;
} {
  const serverUrl = env.CLINICGATE_SERVER_URL || undefined;
  const caFile = env.CLINICGATE_SERVER_CA_FILE || undefined;
  if (serverUrl === undefined && caFile === undefined) {
    return { trust: null, suggestedServerUrl: null };
  }
  if (serverUrl === undefined) {
    throw new AgentSettingsError('CLINICGATE_SERVER_CA_FILE is set but CLINICGATE_SERVER_URL is not. Set both, or neither.');
  }

  const address = parseServerAddress(serverUrl);
  if (address === null) {
    throw new AgentSettingsError(
      `CLINICGATE_SERVER_URL is invalid: expected https://host:port with no path, got "${serverUrl}".`,
    );
  }
  if (caFile === undefined) {
    return { trust: null, suggestedServerUrl: address.origin };
  }

  let caPem: string;
  try {
    caPem = readFileSync(caFile, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new AgentSettingsError(`CLINICGATE_SERVER_CA_FILE cannot be read (${reason}). Expected a PEM certificate file.`);
  }
  const caCertificate = readFirstCertificate(caPem);
  if (caCertificate === null) {
    throw new AgentSettingsError(`CLINICGATE_SERVER_CA_FILE (${caFile}) contains no PEM certificate.`);
  }

  return {
    trust: {
      serverUrl: address.origin,
      caPem,
      pinnedFingerprint: null,
      displayFingerprint: normalizeFingerprint(caCertificate.fingerprint256),
      source: 'environment',
    },
    suggestedServerUrl: address.origin,
  };
}

/** Reads the saved server; a missing file means none, and a damaged one is logged and ignored. */
function readSettingsFile(filePath: string, logger: Logger): ServerTrust | null {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return null;
    }
    logger.error({ filePath, err: error }, 'settings file cannot be read, server must be confirmed again');
    return null;
  }

  const file = parseSettingsFile(text);
  if (file === null) {
    logger.warn({ filePath }, 'settings file is invalid, server must be confirmed again');
    return null;
  }
  return {
    serverUrl: file.serverUrl,
    caPem: file.certificatePem,
    pinnedFingerprint: file.certificateFingerprint,
    displayFingerprint: file.certificateFingerprint,
    source: 'confirmed',
  };
}

function parseSettingsFile(text: string): SettingsFile | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) {
    return null;
  }

  const record = value as Record<string, unknown>;
  const { serverUrl, certificatePem, certificateFingerprint } = record;
  if (
    record.version !== settingsVersion ||
    typeof serverUrl !== 'string' ||
    typeof certificatePem !== 'string' ||
    typeof certificateFingerprint !== 'string'
  ) {
    return null;
  }
  const address = parseServerAddress(serverUrl);
  const leaf = readFirstCertificate(certificatePem);
  const fingerprint = normalizeFingerprint(certificateFingerprint);
  // The saved leaf must be the certificate the fingerprint names, or the file was edited by hand.
  if (address === null || leaf === null || normalizeFingerprint(leaf.fingerprint256) !== fingerprint) {
    return null;
  }

  return { version: settingsVersion, serverUrl: address.origin, certificatePem, certificateFingerprint: fingerprint };
}

/**
 * Writes through a temporary file in the same folder and renames it over the old file, so a
 * crash leaves either the old settings or the new ones, never half a file.
 */
function writeFileAtomically(directory: string, filePath: string, text: string): void {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const temporaryPath = path.join(directory, `.${settingsFileName}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const descriptor = openSync(temporaryPath, 'wx', 0o600);
    try {
      writeSync(descriptor, text);
      fsyncSync(descriptor);
    } finally {
      closeSync(descriptor);
    }
    renameSync(temporaryPath, filePath);
  } catch (error) {
    rmSync(temporaryPath, { force: true });
    throw error;
  }
}

interface SettingsFile {
  version: typeof settingsVersion;
  serverUrl: string;
  certificatePem: string;
  certificateFingerprint: string;
}
