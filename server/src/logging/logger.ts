import pino from 'pino';
import type { FastifyRequest } from 'fastify';
import type { LogLevel } from '../config';
import { secretLogPaths } from '../../../electron/shared/log-redaction';

export type Logger = pino.Logger;

/** Creates the root logger; `stream` lets tests capture every line the server writes. */
export function createLogger(level: LogLevel, stream?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'clinicgate-server' },
    redact: { paths: [...secretLogPaths], censor: '[redacted]' },
    serializers: {
      req: serializeRequest,
      res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
      err: pino.stdSerializers.err,
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return stream === undefined ? pino(options) : pino(options, stream);
}

export function createModuleLogger(parent: Logger, moduleName: string): Logger {
  return parent.child({ module: moduleName });
}

/** Keeps method, route URL without query string, request id and remote address; nothing else. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  const routeUrl = request.routeOptions?.url ?? request.url?.split('?')[0];
  return {
    method: request.method,
    url: routeUrl,
    id: request.id,
    remoteAddress: request.socket?.remoteAddress,
  };
}
