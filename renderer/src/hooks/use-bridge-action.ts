import { useCallback, useState } from 'react';
import type { BridgeError, BridgeResult } from '../../../electron/shared/bridge';
import { errorCatalogue } from '../../../electron/shared/error-codes';
import { isSessionEndedCode } from '../stores/sign-in-store';
import { useSignInStore } from '../stores/sign-in-store-context';

/**
 * Runs bridge calls for a screen: one at a time, with the last error kept for display. When the
 * session has ended, the sign-in store rechecks it, which returns the app to sign-in.
 */
export function useBridgeAction() {
  const refreshSession = useSignInStore((state) => state.refreshSession);
  const [isBusy, setIsBusy] = useState(false);
  const [error, setError] = useState<BridgeError | null>(null);

  const run = useCallback(
    async <T,>(call: () => Promise<BridgeResult<T>>): Promise<T | null> => {
      setIsBusy(true);
      setError(null);
      let result: BridgeResult<T>;
      try {
        result = await call();
      } catch {
        result = { ok: false, error: { code: 'INTERNAL_ERROR', message: errorCatalogue.INTERNAL_ERROR.message } };
      }
      setIsBusy(false);
      if (!result.ok) {
        setError(result.error);
        if (isSessionEndedCode(result.error.code)) {
          void refreshSession();
        }
        return null;
      }
      return result.value;
    },
    [refreshSession],
  );

  return { run, isBusy, error, setError };
}
