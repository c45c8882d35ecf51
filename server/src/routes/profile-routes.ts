import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { appendAuditEvent } from '../audit/audit-log';
import type { ValidSession } from '../auth/session';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { maskEmail, maskMobile } from '../delivery/mask-destination';
import { sendApiError, sendFailure } from '../errors/api-error';
import { otpCodePattern } from '../otp/otp-code';
import type { ServerContext } from '../server-context';
import { requestContactChange, verifyContactChange } from '../users/contact-change';
import { findUserById } from '../users/user-repository';
import { requestOrigin } from './request-origin';
import { errorReply, sessionHeaders } from './schemas';
import { validateRequestSession } from './session-routes';

const channel = Type.Union([Type.Literal('email'), Type.Literal('sms')]);
const profileReply = Type.Object({
  username: Type.String(),
  displayName: Type.String(),
  email: Type.Union([Type.String(), Type.Null()]),
  mobile: Type.Union([Type.String(), Type.Null()]),
  preferredChannel: channel,
});
const preferredChannelBody = Type.Object({ channel }, { additionalProperties: false });
const contactChangeBody = Type.Object(
  { channel, value: Type.String({ minLength: 1, maxLength: 254 }), currentPassword: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const contactChangeReply = Type.Object({ channel, destination: Type.String(), codeExpiresAt: Type.String(), resendAvailableAt: Type.String() });
const contactVerifyBody = Type.Object({ channel, code: Type.String({ pattern: otpCodePattern }) }, { additionalProperties: false });
const activeSession = Type.Object({
  id: Type.String(),
  createdAt: Type.String(),
  lastActivityAt: Type.String(),
  mfa: Type.Boolean(),
  isCurrentSession: Type.Boolean(),
});

const errors = { 400: errorReply, 401: errorReply, 409: errorReply, 423: errorReply, 429: errorReply, 502: errorReply };

/** Registers the signed-in user's own profile routes: preferred code channel, contact details and active sessions. */
export async function registerProfileRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.get(
    '/profile',
    { schema: { tags: ['profile'], summary: "Describe the signed-in user's profile with masked contact details", headers: sessionHeaders, response: { 200: profileReply, ...errors } } },
    async (request, reply) => {
      const valid = authenticate(context, request, reply);
      return valid === null ? reply : toProfile(valid);
    },
  );

  app.put<{ Body: Static<typeof preferredChannelBody> }>(
    '/profile/preferred-channel',
    {
      schema: {
        tags: ['profile'],
        summary: 'Choose where sign-in codes go by default',
        headers: sessionHeaders,
        body: preferredChannelBody,
        response: { 200: profileReply, ...errors },
      },
    },
    async (request, reply) => {
      const valid = authenticate(context, request, reply);
      if (valid === null) {
        return reply;
      }
      const destination = request.body.channel === 'email' ? valid.user.email : valid.user.mobile;
      if (destination === null) {
        return sendApiError(reply, 'OTP_CHANNEL_UNAVAILABLE', { field: '/channel' });
      }
      runImmediate(context.db, () => {
        context.db.prepare('UPDATE users SET preferred_channel = ? WHERE id = ?').run(request.body.channel, valid.user.id);
        appendAuditEvent(context.db, {
          occurredAt: context.clock.now(),
          origin: requestOrigin(request, valid.session.deviceFingerprint),
          practiceId: valid.practice.id,
          userId: valid.user.id,
          event: 'user.changed',
          outcome: 'success',
          reason: 'preferred_channel_changed',
          details: { oldValue: valid.user.preferredChannel, newValue: request.body.channel },
        });
      });
      return toProfile({ ...valid, user: findUserById(context.db, valid.user.id) ?? valid.user });
    },
  );

  app.post<{ Body: Static<typeof contactChangeBody> }>(
    '/profile/contact',
    {
      schema: {
        tags: ['profile'],
        summary: 'Start changing your email or mobile: checks the password and sends a code to the new value',
        headers: sessionHeaders,
        body: contactChangeBody,
        response: { 200: contactChangeReply, ...errors },
      },
    },
    async (request, reply) => {
      const valid = authenticate(context, request, reply);
      if (valid === null) {
        return reply;
      }
      const result = await requestContactChange(context, {
        valid,
        channel: request.body.channel,
        newValue: request.body.value,
        currentPassword: request.body.currentPassword,
        origin: requestOrigin(request, valid.session.deviceFingerprint),
      });
      return result.ok ? result.response : sendFailure(reply, result);
    },
  );

  app.post<{ Body: Static<typeof contactVerifyBody> }>(
    '/profile/contact/verify',
    {
      schema: {
        tags: ['profile'],
        summary: 'Finish changing your email or mobile with the code sent to the new value',
        headers: sessionHeaders,
        body: contactVerifyBody,
        response: { 200: profileReply, ...errors },
      },
    },
    async (request, reply) => {
      const valid = authenticate(context, request, reply);
      if (valid === null) {
        return reply;
      }
      const result = verifyContactChange(context, {
        valid,
        channel: request.body.channel,
        code: request.body.code,
        origin: requestOrigin(request, valid.session.deviceFingerprint),
      });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      return toProfile({ ...valid, user: findUserById(context.db, valid.user.id) ?? valid.user });
    },
  );

  app.get(
    '/profile/sessions',
    {
      schema: { tags: ['profile'], summary: 'List your active sessions', headers: sessionHeaders, response: { 200: Type.Object({ sessions: Type.Array(activeSession) }), ...errors } },
    },
    async (request, reply) => {
      const valid = authenticate(context, request, reply);
      if (valid === null) {
        return reply;
      }
      const now = context.clock.now();
      const rows = context.db
        .prepare(
          `SELECT id, created_at, last_activity_at, mfa FROM sessions
           WHERE user_id = ? AND ended_at IS NULL AND expires_at > ? AND last_activity_at > ?
           ORDER BY last_activity_at DESC`,
        )
        .all(valid.user.id, now, now - valid.practice.idleTimeoutMinutes * 60_000) as Array<{
        id: string;
        created_at: number;
        last_activity_at: number;
        mfa: number;
      }>;
      return {
        sessions: rows.map((row) => ({
          id: row.id,
          createdAt: toIsoTime(row.created_at),
          lastActivityAt: toIsoTime(row.last_activity_at),
          mfa: row.mfa === 1,
          isCurrentSession: row.id === valid.session.id,
        })),
      };
    },
  );

  app.post(
    '/profile/sessions/sign-out-everywhere',
    {
      schema: {
        tags: ['profile'],
        summary: 'End every session of yours, this one included',
        headers: sessionHeaders,
        response: { 200: Type.Object({ sessionsEnded: Type.Integer() }), ...errors },
      },
    },
    async (request, reply) => {
      const valid = authenticate(context, request, reply);
      if (valid === null) {
        return reply;
      }
      const now = context.clock.now();
      const sessionsEnded = runImmediate(context.db, () => {
        // The other sessions get their own end reason, so their workstations can show why they were signed out.
        const ended = context.db
          .prepare(
            `UPDATE sessions SET ended_at = ?, end_reason = CASE WHEN id = ? THEN 'logout' ELSE 'signed_out_everywhere' END
             WHERE user_id = ? AND ended_at IS NULL`,
          )
          .run(now, valid.session.id, valid.user.id).changes;
        appendAuditEvent(context.db, {
          occurredAt: now,
          origin: requestOrigin(request, valid.session.deviceFingerprint),
          practiceId: valid.practice.id,
          userId: valid.user.id,
          event: 'session.revoked',
          outcome: 'success',
          reason: 'sign_out_everywhere',
          details: { sessionsEnded: ended },
        });
        return ended;
      });
      return { sessionsEnded };
    },
  );
}

function authenticate(context: ServerContext, request: FastifyRequest, reply: FastifyReply): ValidSession | null {
  const result = validateRequestSession(context, request);
  if (!result.ok) {
    void sendFailure(reply, result);
    return null;
  }
  return result;
}

function toProfile(valid: ValidSession): Static<typeof profileReply> {
  const { user } = valid;
  return {
    username: user.username,
    displayName: user.displayName,
    email: user.email === null ? null : maskEmail(user.email),
    mobile: user.mobile === null ? null : maskMobile(user.mobile),
    preferredChannel: user.preferredChannel,
  };
}
