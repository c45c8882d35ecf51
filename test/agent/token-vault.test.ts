import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deviceTrustAccount,
  openTokenVault,
  resolveKeychainService,
  sessionAccount,
  type KeychainBackend,
  type TokenVault,
} from '../../electron/agent/token-vault';

const isKeychainRequired = process.env.CLINICGATE_REQUIRE_KEYCHAIN === '1';

describe('token vault on the OS keychain', () => {
  const service = `ClinicGate-test-${randomBytes(6).toString('hex')}`;
  const account = sessionAccount('https://127.0.0.1:8443');
  let vault: TokenVault | null = null;

  afterEach(async () => {
    if (vault?.storage === 'keychain') {
      await vault.delete(account);
    }
  });

  it('stores, reads and deletes a token', async (context) => {
    vault = await openTokenVault({ service });
    if (vault.storage !== 'keychain' && !isKeychainRequired) {
      context.skip('no keychain service is reachable; set CLINICGATE_REQUIRE_KEYCHAIN=1 to fail instead');
    }
    expect(vault.storage).toBe('keychain');
    const token = randomBytes(32).toString('base64url');

    await vault.set(account, token);
    const stored = await vault.get(account);
    await vault.delete(account);
    const afterDelete = await vault.get(account);

    expect(stored).toBe(token);
    expect(afterDelete).toBeNull();
  });

  it('keeps services apart', async (context) => {
    vault = await openTokenVault({ service });
    if (vault.storage !== 'keychain' && !isKeychainRequired) {
      context.skip('no keychain service is reachable; set CLINICGATE_REQUIRE_KEYCHAIN=1 to fail instead');
    }
    expect(vault.storage).toBe('keychain');
    const otherVault = await openTokenVault({ service: `${service}-other` });

    await vault.set(account, 'value-for-first-service');
    const seenByOther = await otherVault.get(account);

    expect(seenByOther).toBeNull();
  });
});

describe('token vault memory fallback', () => {
  it('falls back to memory when keytar cannot load', async () => {
    const loadKeychain = async (): Promise<KeychainBackend> => {
      throw new Error('Cannot find module keytar.node');
    };

    const vault = await openTokenVault({ service: 'ClinicGate-test', loadKeychain });

    expect(vault.storage).toBe('memory');
  });

  it('falls back to memory when the keychain service is unreachable', async () => {
    const unreachable = async () => {
      throw new Error('Cannot autolaunch D-Bus without X11 $DISPLAY');
    };
    const loadKeychain = async (): Promise<KeychainBackend> => ({
      getPassword: unreachable,
      setPassword: unreachable,
      deletePassword: unreachable,
      findCredentials: unreachable,
    });

    const vault = await openTokenVault({ service: 'ClinicGate-test', loadKeychain });
    await vault.set('account', 'token-value');

    expect(vault.storage).toBe('memory');
    expect(await vault.get('account')).toBe('token-value');
  });

  it('deletes from memory', async () => {
    const vault = await openTokenVault({
      loadKeychain: async () => {
        throw new Error('no keychain');
      },
    });
    await vault.set('account', 'token-value');

    await vault.delete('account');

    expect(await vault.get('account')).toBeNull();
  });
});

describe('keychain names', () => {
  it('names accounts by server origin and lowercased username', () => {
    expect(sessionAccount('https://ehr.clinic.example')).toBe('https://ehr.clinic.example|session');
    expect(deviceTrustAccount('https://ehr.clinic.example', 'Dana.Frontdesk')).toBe(
      'https://ehr.clinic.example|device-trust|dana.frontdesk',
    );
  });

  it('reads the service name from the environment', () => {
    expect(resolveKeychainService({ CLINICGATE_KEYCHAIN_SERVICE: 'ClinicGate-e2e' })).toBe('ClinicGate-e2e');
    expect(resolveKeychainService({})).toBe('ClinicGate');
  });
});
