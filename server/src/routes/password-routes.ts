import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deviceFingerprintPattern } from '../../../electron/shared/api';
import { maxPasswordLength } from '../auth/password-hash';
import { changePassword } from '../auth/password-change';
import { secretTokenPattern } from '../auth/secret-token';
import { sendFailure } from '../errors/api-error';
import { otpCodePattern } from '../otp/otp-code';
import { completePasswordReset, verifyPasswordResetCode } from '../password-reset/reset-completion';
import { requestPasswordReset, resendPasswordResetCode } from '../password-reset/reset-request';
import type { ServerContext } from '../server-context';
import { requestOrigin } from './request-origin';
import { errorReply, sessionHeaders } from './schemas';
import { validateRequestSession } from './session-routes';

const secretToken = Type.String({ pattern: secretTokenPattern });
const deviceFingerprint = Type.String({ pattern: deviceFingerprintPattern, description: 'SHA-256 hex computed by the desktop agent' });
const password = Type.String({ minLength: 1, maxLength: maxPasswordLength });
const isoTime = Type.String({ format: 'date-time' });

// Control characters and line breaks are rejected, so the address cannot smuggle anything into a log or header.
const resetRequestBody = Type.Object(
  { email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^\\p{Cc}]+$' }), deviceFingerprint },
  { additionalProperties: false },
);
const resendBody = Type.Object({ challengeToken: secretToken, deviceFingerprint }, { additionalProperties: false });
const verifyBody = Type.Object(
  { challengeToken: secretToken, code: Type.String({ pattern: otpCodePattern }), deviceFingerprint },
  { additionalProperties: false },
);
const completeBody = Type.Object(
  { challengeToken: secretToken, resetToken: secretToken, newPassword: password, deviceFingerprint },
  { additionalProperties: false },
);
const changeBody = Type.Object({ currentPassword: password, newPassword: password }, { additionalProperties: false });

const codeSentReply = Type.Object({
  challengeToken: Type.String(),
  destination: Type.String(),
  codeExpiresAt: isoTime,
  resendAvailableAt: isoTime,
  expiresAt: isoTime,
});
const policyReply = Type.Object({ minLength: Type.Integer(), maxLength: Type.Integer() });
const verifyReply = Type.Object({ resetToken: Type.String(), expiresAt: isoTime, passwordPolicy: policyReply });
const errorResponses = { 400: errorReply, 401: errorReply, 409: errorReply, 423: errorReply, 429: errorReply };

/** Password reset routes under /api/v1/auth; register them in the scope that limits requests per IP. */
export async function registerPasswordResetRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.post<{ Body: Static<typeof resetRequestBody> }>(
    '/auth/password-reset/request',
    {
      schema: {
        tags: ['password reset'],
        summary: 'Email a reset code; the reply is the same whether or not the address is registered',
        body: resetRequestBody,
        response: { 202: codeSentReply, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = requestPasswordReset(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return reply.code(202).send(result.response);
    },
  );

  app.post<{ Body: Static<typeof resendBody> }>(
    '/auth/password-reset/resend',
    { schema: { tags: ['password reset'], summary: 'Email a new reset code', body: resendBody, response: { 200: codeSentReply, ...errorResponses } } },
    async (request, reply) => {
      const { body } = request;
      const result = resendPasswordResetCode(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return result.response;
    },
  );

  app.post<{ Body: Static<typeof verifyBody> }>(
    '/auth/password-reset/verify',
    { schema: { tags: ['password reset'], summary: 'Check a reset code and issue a reset token', body: verifyBody, response: { 200: verifyReply, ...errorResponses } } },
    async (request, reply) => {
      const { body } = request;
      const result = verifyPasswordResetCode(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return result.response;
    },
  );

  app.post<{ Body: Static<typeof completeBody> }>(
    '/auth/password-reset/complete',
    {
      schema: {
        tags: ['password reset'],
        summary: 'Set the new password with a reset token; ends every session and remembered workstation',
        body: completeBody,
        response: { 204: Type.Null({ description: 'password changed; sign in again' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = await completePasswordReset(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return reply.code(204).send();
    },
  );
}

/** Registers the route that changes the signed-in user's own password; it needs the session headers. */
export async function registerAccountPasswordRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.post<{ Body: Static<typeof changeBody> }>(
    '/account/password',
    {
      schema: {
        tags: ['session'],
        summary: 'Change the password; ends the user\'s other sessions',
        headers: sessionHeaders,
        body: changeBody,
        response: { 200: Type.Object({ otherSessionsEnded: Type.Integer() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const valid = validateRequestSession(context, request);
      if (!valid.ok) {
        return sendFailure(reply, valid);
      }
      const result = await changePassword(forRequest(context, request), {
        valid,
        currentPassword: request.body.currentPassword,
        newPassword: request.body.newPassword,
        origin: requestOrigin(request, valid.session.deviceFingerprint),
      });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return result.response;
    },
  );
}

function forRequest(context: ServerContext, request: FastifyRequest): ServerContext {
  return { ...context, logger: context.logger.child({ reqId: request.id }) };
}
