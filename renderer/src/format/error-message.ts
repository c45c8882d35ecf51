import type { BridgeError } from '../../../electron/shared/bridge';
import { errorCatalogue, type ErrorCode } from '../../../electron/shared/error-codes';
import { formatWaitInWords } from './time';

// Codes whose message tells the person to wait. When the error carries `retryAfterSeconds`, the sentence adds the wait.
const codesWithWait: ReadonlySet<ErrorCode> = new Set(['RATE_LIMITED', 'OTP_RESEND_COOLDOWN', 'OTP_SEND_LIMIT_REACHED', 'AUTH_ACCOUNT_LOCKED']);

/** Builds the sentence a screen shows for a bridge error, with the wait time when one is known. */
export function describeBridgeError(error: BridgeError): string {
  const message = error.message.trim() === '' ? errorCatalogue[error.code].message : error.message;
  if (error.code === 'PASSWORD_TOO_SHORT' && error.minPasswordLength !== undefined) {
    return `The new password is too short: use at least ${error.minPasswordLength} characters. A few unrelated words make a long password that is easy to remember.`;
  }
  if (error.problem !== undefined && error.problem.trim() !== '') {
    return error.code === 'VALIDATION_FAILED' ? error.problem : `${message} ${error.problem}`;
  }
  const retryAfterSeconds = error.retryAfterSeconds ?? 0;
  if (codesWithWait.has(error.code) && retryAfterSeconds > 0) {
    return `${message} You can try again in about ${formatWaitInWords(retryAfterSeconds)}.`;
  }
  return message;
}
