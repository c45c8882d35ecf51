import type { BridgeError } from '../../../electron/shared/bridge';
import { errorCatalogue } from '../../../electron/shared/error-codes';

/**
 * Returns the top-level request field an error names, like `displayName` for the JSON pointer
 * `/displayName`, or null when the error names no field.
 */
export function readErrorField(error: BridgeError | null): string | null {
  const segment = error?.field?.split('/')[1];
  if (segment === undefined || segment === '') {
    return null;
  }
  return segment.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Builds the error a form shows for a field it rejected before sending anything. */
export function createFieldError(field: string, problem: string): BridgeError {
  return { code: 'VALIDATION_FAILED', message: errorCatalogue.VALIDATION_FAILED.message, field: `/${field}`, problem };
}
