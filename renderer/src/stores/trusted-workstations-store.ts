/**
 * The trusted-workstations view: the list, which row awaits confirmation, and the result of the
 * last change. The screen creates one store per visit, like the audit log.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BridgeError, BridgeResult, ClinicGateBridge, TrustedWorkstation } from '../../../electron/shared/bridge';
import { errorCatalogue } from '../../../electron/shared/error-codes';

export function createTrustedWorkstationsStore(bridge: ClinicGateBridge, options: TrustedWorkstationsOptions): TrustedWorkstationsStore {
  return createStore<TrustedWorkstationsState>()((set, get) => ({
    workstations: [],
    hasLoaded: false,
    isBusy: false,
    confirmingId: null,
    notice: null,
    error: null,

    load: async () => {
      set({ isBusy: true, error: null });
      const result = await callBridge(() => bridge.listTrustedWorkstations());
      if (!result.ok) {
        set({ isBusy: false, error: result.error });
        options.onSessionError(result.error);
        return;
      }
      set({ isBusy: false, hasLoaded: true, workstations: result.value });
    },

    askToRevoke: (id) => {
      set({ confirmingId: id, notice: null, error: null });
    },

    cancelRevoke: () => {
      set({ confirmingId: null });
    },

    confirmRevoke: async () => {
      const id = get().confirmingId;
      const workstation = get().workstations.find((item) => item.id === id);
      if (id === null || workstation === undefined || get().isBusy) {
        return;
      }
      set({ isBusy: true, error: null });
      const result = await callBridge(() => bridge.revokeTrustedWorkstation({ id }));
      if (!result.ok) {
        set({ isBusy: false, confirmingId: null, error: result.error });
        options.onSessionError(result.error);
        return;
      }
      if (result.value.wasThisWorkstation) {
        set({ isBusy: false, confirmingId: null });
        options.onThisWorkstationRevoked();
        return;
      }
      set({
        isBusy: false,
        confirmingId: null,
        workstations: get().workstations.filter((item) => item.id !== id),
        notice: `${workstation.name} is revoked. It needs a code at its next sign-in, and its sessions have ended.`,
      });
    },

    rename: async (id, label) => {
      set({ isBusy: true, error: null, notice: null });
      const result = await callBridge(() => bridge.renameTrustedWorkstation({ id, label }));
      if (!result.ok) {
        set({ isBusy: false, error: result.error });
        options.onSessionError(result.error);
        return false;
      }
      set({ isBusy: false, workstations: get().workstations.map((item) => (item.id === id ? result.value : item)) });
      return true;
    },
  }));
}

async function callBridge<T>(call: () => Promise<BridgeResult<T>>): Promise<BridgeResult<T>> {
  try {
    return await call();
  } catch {
    return { ok: false, error: { code: 'INTERNAL_ERROR', message: errorCatalogue.INTERNAL_ERROR.message } };
  }
}

export interface TrustedWorkstationsOptions {
  /** Called with every failure, so the sign-in store can leave a session the server ended. */
  onSessionError(error: BridgeError): void;
  /** Called after this workstation was revoked: the agent deleted its tokens and the user is signed out. */
  onThisWorkstationRevoked(): void;
}

export interface TrustedWorkstationsState {
  workstations: TrustedWorkstation[];
  hasLoaded: boolean;
  isBusy: boolean;
  /** The row whose "Revoke" was pressed and now waits for confirmation. */
  confirmingId: string | null;
  /** Confirmation of the last revocation, shown above the list. */
  notice: string | null;
  error: BridgeError | null;
  load(): Promise<void>;
  askToRevoke(id: string): void;
  cancelRevoke(): void;
  confirmRevoke(): Promise<void>;
  /** Sets a label (null clears it); resolves to false when the change failed. */
  rename(id: string, label: string | null): Promise<boolean>;
}

export type TrustedWorkstationsStore = StoreApi<TrustedWorkstationsState>;
