import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorCode, ErrorDetails } from '../../../electron/shared/error-codes';
import type { Logger } from '../logging/logger';
import { sendApiError } from './api-error';

/** Fastify error codes for request problems that the client can fix, and our code for each. */
const fastifyClientErrors: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_JSON_BODY: 'VALIDATION_FAILED',
  FST_ERR_VALIDATION: 'VALIDATION_FAILED',
};

/**
 * Turns every thrown error into a catalogue reply. Client mistakes get their 4xx code. Anything
 * else is a server bug, so it is logged at error level and the reply is INTERNAL_ERROR with no internals.
 */
export function installErrorHandling(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation !== undefined) {
      return sendApiError(reply, 'VALIDATION_FAILED', fieldDetails(error));
    }
    const clientCode = error.code === undefined ? undefined : fastifyClientErrors[error.code];
    // secure-json-parse rejects `__proto__` and `constructor.prototype` keys with a plain SyntaxError.
    const isJsonSyntaxError = error instanceof SyntaxError && error.statusCode === 400;
    if (clientCode !== undefined || isJsonSyntaxError) {
      return sendApiError(reply, clientCode ?? 'VALIDATION_FAILED');
    }
    logger.error({ err: error, reqId: request.id, url: request.routeOptions.url }, 'request failed with an unexpected error');
    return sendApiError(reply, 'INTERNAL_ERROR');
  });

  app.setNotFoundHandler((_request, reply) => sendApiError(reply, 'NOT_FOUND'));
}

function fieldDetails(error: FastifyError): ErrorDetails | undefined {
  const first = error.validation?.[0];
  if (first === undefined) {
    return undefined;
  }
  const params = first.params as { missingProperty?: unknown; additionalProperty?: unknown };
  const child = params.missingProperty ?? params.additionalProperty;
  const pointer = typeof child === 'string' ? `${first.instancePath}/${escapePointer(child)}` : first.instancePath;
  return pointer === '' ? undefined : { field: pointer.slice(0, 200) };
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}
