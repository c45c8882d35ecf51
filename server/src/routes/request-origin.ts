import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/audit-log';

/** Returns the request's origin, taking the socket address as the client IP because no proxy is trusted yet. */
export function requestOrigin(request: FastifyRequest, deviceFingerprint: string | null): RequestOrigin {
  return { ip: request.socket.remoteAddress ?? null, deviceFingerprint };
}
