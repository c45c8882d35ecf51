import { silentLogger, type Logger } from './agent-logger';

/**
 * Store for session and device-trust tokens: the OS keychain through keytar (Keychain on macOS,
 * Credential Vault on Windows, Secret Service on Linux), or process memory when no keychain
 * service is reachable.
 */
export interface TokenVault {
  readonly storage: 'keychain' | 'memory';
  get(account: string): Promise<string | null>;
  set(account: string, value: string): Promise<void>;
  delete(account: string): Promise<void>;
}

/** The part of keytar's API the vault uses; tests inject a failing one. */
export interface KeychainBackend {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
  findCredentials(service: string): Promise<Array<{ account: string; password: string }>>;
}

export interface OpenTokenVaultOptions {
  /** Keychain service name; defaults to `CLINICGATE_KEYCHAIN_SERVICE`, then `ClinicGate`. */
  service?: string;
  loadKeychain?: () => Promise<KeychainBackend>;
  logger?: Logger;
}

export const defaultKeychainService = 'ClinicGate';

/**
 * Opens the vault after probing the keychain once. When keytar cannot load (no native module)
 * or its first call fails (no Secret Service on the session bus, keychain locked), tokens stay
 * in memory for the life of the process. `storage` is then `memory`, so the screens can warn.
 */
export async function openTokenVault(options: OpenTokenVaultOptions = {}): Promise<TokenVault> {
  const service = options.service ?? resolveKeychainService(process.env);
  const logger = options.logger ?? silentLogger;
  const loadKeychain = options.loadKeychain ?? loadKeytar;

  let keychain: KeychainBackend;
  try {
    keychain = await loadKeychain();
    await keychain.findCredentials(service);
  } catch (error) {
    logger.warn(
      { keychainService: service, reason: describeKeychainError(error) },
      'keychain unavailable, tokens kept in memory until the app closes',
    );
    return createMemoryVault();
  }

  logger.info({ keychainService: service }, 'keychain opened');
  return createKeychainVault(keychain, service);
}

export function resolveKeychainService(env: NodeJS.ProcessEnv): string {
  const configured = env.CLINICGATE_KEYCHAIN_SERVICE;
  return configured !== undefined && configured !== '' ? configured : defaultKeychainService;
}

export function sessionAccount(serverOrigin: string): string {
  return `${serverOrigin}|session`;
}

export function deviceTrustAccount(serverOrigin: string, username: string): string {
  return `${serverOrigin}|device-trust|${normalizeUsername(username)}`;
}

/** Normalizes a username the same way wherever it becomes part of a keychain account name. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC').trim().toLowerCase();
}

function createKeychainVault(keychain: KeychainBackend, service: string): TokenVault {
  return {
    storage: 'keychain',
    get: (account) => keychain.getPassword(service, account),
    set: (account, value) => keychain.setPassword(service, account, value),
    async delete(account) {
      await keychain.deletePassword(service, account);
    },
  };
}

function createMemoryVault(): TokenVault {
  const values = new Map<string, string>();
  return {
    storage: 'memory',
    get: async (account) => values.get(account) ?? null,
    async set(account, value) {
      values.set(account, value);
    },
    async delete(account) {
      values.delete(account);
    },
  };
}

async function loadKeytar(): Promise<KeychainBackend> {
  const keytarModule = await import('keytar');
  return (keytarModule.default ?? keytarModule) as KeychainBackend;
}

/** Keeps only the error's name and message; keytar's errors name the service, never a value. */
function describeKeychainError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
