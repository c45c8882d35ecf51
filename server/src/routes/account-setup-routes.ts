import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { deviceFingerprintPattern } from '../../../electron/shared/api';
import { completeAccountSetup, verifyAccountSetupCode } from '../account-setup/account-setup';
import { accountSetupCodePattern } from '../account-setup/setup-code';
import { maxPasswordLength } from '../auth/password-hash';
import { sendFailure } from '../errors/api-error';
import type { ServerContext } from '../server-context';
import { requestOrigin } from './request-origin';
import { errorReply } from './schemas';

const deviceFingerprint = Type.String({ pattern: deviceFingerprintPattern, description: 'SHA-256 hex computed by the desktop agent' });
// Control characters and line breaks are rejected, so the name cannot smuggle anything into a log or audit row.
const usernameOrEmail = Type.String({ minLength: 1, maxLength: 254, pattern: '^[^\\p{Cc}]+$', description: 'the username, or the email address the welcome email went to' });
const code = Type.String({ pattern: accountSetupCodePattern, description: 'the eight digits of the welcome email, without spaces' });

const verifyBody = Type.Object({ usernameOrEmail, code, deviceFingerprint }, { additionalProperties: false });
const completeBody = Type.Object(
  { usernameOrEmail, code, newPassword: Type.String({ minLength: 1, maxLength: maxPasswordLength }), deviceFingerprint },
  { additionalProperties: false },
);
const verifyReply = Type.Object({
  username: Type.String(),
  passwordPolicy: Type.Object({ minLength: Type.Integer(), maxLength: Type.Integer() }),
  codeExpiresAt: Type.String({ format: 'date-time' }),
});
const errorResponses = { 400: errorReply, 401: errorReply, 409: errorReply, 423: errorReply, 429: errorReply };

/** First sign-in of a user an administrator created, under /api/v1/auth; register them in the scope that limits requests per IP. */
export async function registerAccountSetupRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.post<{ Body: Static<typeof verifyBody> }>(
    '/auth/account-setup/verify',
    {
      schema: {
        tags: ['account setup'],
        summary: "Check a new account's setup code without using it up, and return the password length rules",
        body: verifyBody,
        response: { 200: verifyReply, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = verifyAccountSetupCode(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      return result.ok ? result.response : sendFailure(reply, result);
    },
  );

  app.post<{ Body: Static<typeof completeBody> }>(
    '/auth/account-setup/complete',
    {
      schema: {
        tags: ['account setup'],
        summary: 'Set the first password with the setup code, which is then used up; the user signs in next',
        body: completeBody,
        response: { 204: Type.Null({ description: 'password set; sign in with it' }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const result = await completeAccountSetup(forRequest(context, request), { ...body, origin: requestOrigin(request, body.deviceFingerprint) });
      return result.ok ? reply.code(204).send() : sendFailure(reply, result);
    },
  );
}

function forRequest(context: ServerContext, request: FastifyRequest): ServerContext {
  return { ...context, logger: context.logger.child({ reqId: request.id }) };
}
