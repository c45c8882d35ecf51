import type { BridgeError, BridgeMethod, BridgeResult, ClinicGateBridge } from '../shared/bridge';
import { errorCatalogue, type ErrorCode, type ErrorDetails } from '../shared/error-codes';

export function bridgeSuccess<T>(value: T): BridgeResult<T> {
  return { ok: true, value };
}

/** Builds a failure with the catalogue message unless a more specific one is given. */
export function bridgeFailure<T = never>(
  code: ErrorCode,
  details: ErrorDetails & { message?: string } = {},
): BridgeResult<T> {
  const { message, ...rest } = details;
  const error: BridgeError = { code, message: message ?? errorCatalogue[code].message, ...rest };
  return { ok: false, error };
}

/**
 * Calls one bridge method with an input that arrived from outside the process (IPC or HTTP).
 * The method validates the input itself, so the cast only widens the parameter type.
 */
export async function invokeBridgeMethod(
  bridge: ClinicGateBridge,
  method: BridgeMethod,
  input: unknown,
): Promise<BridgeResult<unknown>> {
  const call = bridge[method] as (this: ClinicGateBridge, input: unknown) => Promise<BridgeResult<unknown>>;
  return call.call(bridge, input);
}
