/**
 * The one place that finds the bridge: the object the Electron preload defines, or else a
 * client for the browser shell. Screens and stores get the bridge from here, never from `window`.
 */
import { bridgeGlobalName, type ClinicGateBridge } from '../../../electron/shared/bridge';
import { createBrowserShellBridge } from './browser-shell-bridge';

const secretFragmentKey = 'bridge';
const secretStorageKey = 'clinicgate.bridgeSecret';

let bridge: ClinicGateBridge | null = null;

export function getBridge(): ClinicGateBridge {
  bridge ??= findPreloadBridge() ?? createBrowserShellBridge({ secret: takeBrowserShellSecret() });
  return bridge;
}

function findPreloadBridge(): ClinicGateBridge | null {
  const candidate: unknown = Reflect.get(window, bridgeGlobalName);
  if (typeof candidate !== 'object' || candidate === null) {
    return null;
  }
  return candidate as ClinicGateBridge;
}

/**
 * Reads the shell's secret from `#bridge=<secret>`, keeps it in sessionStorage so a reload
 * still works, and removes the fragment from the address bar and the history entry.
 */
function takeBrowserShellSecret(): string | null {
  const fragmentSecret = new URLSearchParams(location.hash.slice(1)).get(secretFragmentKey);
  if (fragmentSecret === null || fragmentSecret === '') {
    return readStoredSecret();
  }

  storeSecret(fragmentSecret);
  history.replaceState(history.state, '', `${location.pathname}${location.search}`);
  return fragmentSecret;
}

// sessionStorage throws when the browser blocks storage. The secret then lasts only until a reload.
function readStoredSecret(): string | null {
  try {
    return sessionStorage.getItem(secretStorageKey);
  } catch {
    return null;
  }
}

function storeSecret(secret: string): void {
  try {
    sessionStorage.setItem(secretStorageKey, secret);
  } catch {
    // Nothing to do: the secret still works for this page load.
  }
}
