import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAuditEvent } from '../audit/audit-log';
import { submitPassword } from '../auth/password-step';
import { runImmediate } from '../db/database';
import { sendApiError, sendFailure } from '../errors/api-error';
import { sendOtpCode } from '../otp/code-sending';
import { verifyOtpCode } from '../otp/code-verification';
import { consumeRateLimit } from '../rate-limit/rate-limit';
import type { ServerContext } from '../server-context';
import { requestOrigin } from './request-origin';
import {
  errorReply,
  passwordStepBody,
  passwordStepReply,
  sendCodeBody,
  sendCodeReply,
  verifyCodeBody,
  verifyCodeReply,
  type PasswordStepBody,
  type SendCodeBody,
  type VerifyCodeBody,
} from './schemas';

const errorResponses = { 400: errorReply, 401: errorReply, 403: errorReply, 409: errorReply, 423: errorReply, 429: errorReply, 502: errorReply };

/** Sign-in routes under /api/v1/auth; every request counts toward the per-IP limit before its body is read. */
export async function registerAuthRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.addHook('onRequest', async (request, reply) => limitRequestsPerIp(context, request, reply));

  app.post<{ Body: PasswordStepBody }>(
    '/auth/password',
    { schema: { tags: ['sign-in'], summary: 'Check username and password', body: passwordStepBody, response: { 200: passwordStepReply, ...errorResponses } } },
    async (request, reply) => {
      const { body } = request;
      const result = await submitPassword(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return result.response;
    },
  );

  app.post<{ Body: SendCodeBody }>(
    '/auth/otp/send',
    { schema: { tags: ['sign-in'], summary: 'Send a new one-time code', body: sendCodeBody, response: { 200: sendCodeReply, ...errorResponses } } },
    async (request, reply) => {
      const { body } = request;
      const result = await sendOtpCode(forRequest(context, request), { ...body, origin: requestOrigin(request, null) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return result.response;
    },
  );

  app.post<{ Body: VerifyCodeBody }>(
    '/auth/otp/verify',
    { schema: { tags: ['sign-in'], summary: 'Verify a one-time code and create a session', body: verifyCodeBody, response: { 200: verifyCodeReply, ...errorResponses } } },
    async (request, reply) => {
      const { body } = request;
      const result = verifyOtpCode(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return result.response;
    },
  );
}

/** Tags the services' log lines with the request id. */
function forRequest(context: ServerContext, request: FastifyRequest): ServerContext {
  return { ...context, logger: context.logger.child({ reqId: request.id }) };
}

async function limitRequestsPerIp(context: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const { db, clock, authRequestsPerIp } = context;
  const origin = requestOrigin(request, null);
  const now = clock.now();
  const decision = runImmediate(db, () => {
    const counted = consumeRateLimit(db, authRequestsPerIp, origin.ip ?? 'unknown', now);
    // Only the first rejected request in a window is audited, so a flood cannot flood the audit log.
    if (!counted.allowed && counted.count === authRequestsPerIp.limit + 1) {
      appendAuditEvent(db, { occurredAt: now, origin, event: 'request.rate_limited', outcome: 'failure', reason: 'auth_requests_per_ip' });
    }
    return counted;
  });
  if (decision.allowed) {
    return undefined;
  }
  if (decision.count === authRequestsPerIp.limit + 1) {
    context.logger.warn({ reqId: request.id, ip: origin.ip }, 'sign-in requests rate limited for ip');
  }
  return sendApiError(reply, 'RATE_LIMITED', { retryAfterSeconds: decision.retryAfterSeconds });
}
