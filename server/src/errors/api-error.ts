import type { FastifyReply } from 'fastify';
import { errorCatalogue, type ErrorCode, type ErrorDetails } from '../../../electron/shared/error-codes';
import type { ApiErrorBody } from '../../../electron/shared/api';

/** An expected failure that a service returns as a value and a route turns into an error reply. */
export interface Failure {
  ok: false;
  code: ErrorCode;
  details?: ErrorDetails;
}

export type Result<T> = ({ ok: true } & T) | Failure;

export function failure(code: ErrorCode, details?: ErrorDetails): Failure {
  return details === undefined ? { ok: false, code } : { ok: false, code, details };
}

export function buildErrorBody(code: ErrorCode, details?: ErrorDetails): ApiErrorBody {
  return { error: { code, message: errorCatalogue[code].message, ...details } };
}

export function statusForErrorCode(code: ErrorCode): number {
  const status = errorCatalogue[code].status;
  return status === 0 ? 500 : status;
}

/** Sends the catalogue's status and message for `code`; `Retry-After` accompanies waits. */
export function sendApiError(reply: FastifyReply, code: ErrorCode, details?: ErrorDetails): FastifyReply {
  if (details?.retryAfterSeconds !== undefined) {
    void reply.header('retry-after', String(details.retryAfterSeconds));
  }
  return reply.code(statusForErrorCode(code)).send(buildErrorBody(code, details));
}

export function sendFailure(reply: FastifyReply, result: Failure): FastifyReply {
  return sendApiError(reply, result.code, result.details);
}
