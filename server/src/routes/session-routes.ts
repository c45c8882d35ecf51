import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { deviceFingerprintPattern, deviceHeader } from '../../../electron/shared/api';
import { revokeSession, timeOutSession, toSessionInfo, validateSession } from '../auth/session';
import { secretTokenPattern } from '../auth/secret-token';
import { failure, sendFailure, type Result } from '../errors/api-error';
import type { ServerContext } from '../server-context';
import { requestOrigin } from './request-origin';
import { errorReply, sessionHeaders, sessionInfoReply } from './schemas';

export const backgroundHeader = 'x-clinicgate-background';

const bearerPattern = new RegExp(`^Bearer (${secretTokenPattern.slice(1, -1)})$`);
const fingerprintPattern = new RegExp(deviceFingerprintPattern);

export async function registerSessionRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.get(
    '/session',
    { schema: { tags: ['session'], summary: 'Describe the current session', headers: sessionHeaders, response: { 200: sessionInfoReply, 401: errorReply } } },
    async (request, reply) => {
      const result = validateRequestSession(context, request);
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return toSessionInfo(result.session, result.user, result.practice);
    },
  );

  app.post(
    '/session/logout',
    { schema: { tags: ['session'], summary: 'Sign out and revoke the session', headers: sessionHeaders, response: { 204: Type.Null({ description: 'signed out' }), 401: errorReply } } },
    async (request, reply) => {
      const result = validateRequestSession(context, request);
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      revokeSession(context.db, result, { now: context.clock.now(), origin: requestOrigin(request, result.session.deviceFingerprint) });
      return reply.code(204).send();
    },
  );

  app.post(
    '/session/timeout',
    {
      schema: {
        tags: ['session'],
        summary: 'End the session because the desktop app locked after inactivity',
        headers: sessionHeaders,
        response: { 204: Type.Null({ description: 'session ended and audited as session.timed_out' }), 401: errorReply },
      },
    },
    async (request, reply) => {
      const result = validateRequestSession(context, request);
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      timeOutSession(context.db, result, { now: context.clock.now(), origin: requestOrigin(request, result.session.deviceFingerprint) });
      return reply.code(204).send();
    },
  );
}

/** Checks the request's bearer token and device header; a request marked as background does not count as activity. */
export function validateRequestSession(context: ServerContext, request: FastifyRequest): ReturnType<typeof validateSession> | Result<never> {
  const token = bearerPattern.exec(request.headers.authorization ?? '')?.[1];
  const fingerprintHeader = request.headers[deviceHeader];
  const deviceFingerprint = typeof fingerprintHeader === 'string' && fingerprintPattern.test(fingerprintHeader) ? fingerprintHeader : null;
  if (token === undefined || deviceFingerprint === null) {
    return failure('SESSION_INVALID');
  }
  return validateSession(context.db, {
    token,
    deviceFingerprint,
    isBackground: request.headers[backgroundHeader] === '1',
    now: context.clock.now(),
    origin: requestOrigin(request, deviceFingerprint),
  });
}
