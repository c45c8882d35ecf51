import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { sendApiError, sendFailure } from '../errors/api-error';
import { sendContactChangedNotices } from '../notifications/contact-changed-notice';
import { findPracticeById } from '../practices/practice-repository';
import { changeablePracticeSettings, changePracticeSetting, minimumAuditRetentionDays } from '../practices/practice-setting-change';
import { setTrustedNetworks } from '../risk/trusted-networks';
import { administerUser, listPracticeUsers, toUserSummary, updatePracticeUserDetails } from '../users/user-administration';
import { createPracticeUser } from '../users/user-creation';
import { resendAccountSetupCode, sendSetupCodeToNewEmail } from '../account-setup/setup-code-resend';
import type { ServerContext } from '../server-context';
import { authenticateAdmin } from './device-routes';
import { errorReply, sessionHeaders } from './schemas';

const uuidPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const role = Type.Union([Type.Literal('clinician'), Type.Literal('front_desk'), Type.Literal('billing'), Type.Literal('practice_admin')]);

const settingRange = Type.Object({ value: Type.Integer(), min: Type.Integer(), max: Type.Integer() });
const practiceSettingsReply = Type.Object({
  practice: Type.Object({ id: Type.String(), name: Type.String() }),
  settings: Type.Record(Type.String(), settingRange),
  trustedNetworks: Type.Array(Type.String()),
});
const settingParams = Type.Object({ setting: Type.String({ minLength: 1, maxLength: 64 }) });
const settingBody = Type.Object({ value: Type.Union([Type.Integer(), Type.Boolean()]) }, { additionalProperties: false });
const settingChangeReply = Type.Object({ setting: Type.String(), oldValue: Type.Integer(), newValue: Type.Integer(), sessionsEnded: Type.Integer() });

const userSummary = Type.Object({
  id: Type.String(),
  username: Type.String(),
  displayName: Type.String(),
  role,
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
  isLocked: Type.Boolean(),
  email: Type.Union([Type.String(), Type.Null()]),
  mobile: Type.Union([Type.String(), Type.Null()]),
  isSetupPending: Type.Boolean(),
  preferredChannel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
});
const createdUserReply = Type.Composite([userSummary, Type.Object({ setupEmailSent: Type.Boolean() })]);
const setupCodeReply = Type.Object({ user: userSummary, codeExpiresAt: Type.String({ format: 'date-time' }) });
const userDetailsReply = Type.Object({ user: userSummary, setupEmailSent: Type.Optional(Type.Boolean()) });
const userListQuery = Type.Object({ search: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
const userParams = Type.Object({ userId: Type.String({ pattern: uuidPattern }) });
const userActionParams = Type.Object({
  userId: Type.String({ pattern: uuidPattern }),
  action: Type.Union([Type.Literal('deactivate'), Type.Literal('reactivate'), Type.Literal('unlock'), Type.Literal('revoke-sessions')]),
});
const roleBody = Type.Object({ role }, { additionalProperties: false });
const plainText = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '^[^\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]+$' });
const createUserBody = Type.Object(
  {
    username: plainText(64),
    displayName: plainText(100),
    email: plainText(254),
    mobile: Type.Union([Type.String({ maxLength: 20 }), Type.Null()]),
    role,
    preferredChannel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  },
  { additionalProperties: false },
);
const userDetailsBody = Type.Object(
  {
    displayName: Type.Optional(plainText(100)),
    email: Type.Optional(plainText(254)),
    mobile: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 20 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
const trustedNetworksBody = Type.Object({ networks: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 1000 }) }, { additionalProperties: false });
const userActionReply = Type.Object({ user: userSummary, sessionsEnded: Type.Integer() });

const errors = { 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply, 409: errorReply };

/** Practice Settings → Security and Users, for practice administrators of their own practice only. */
export async function registerPracticeAdminRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.get(
    '/admin/practice/settings',
    { schema: { tags: ['admin'], summary: "Read the practice's security settings and their allowed ranges", headers: sessionHeaders, response: { 200: practiceSettingsReply, ...errors } } },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      return readPracticeSettings(context, actor.user.practiceId);
    },
  );

  app.put<{ Params: Static<typeof settingParams>; Body: Static<typeof settingBody> }>(
    '/admin/practice/settings/:setting',
    {
      schema: {
        tags: ['admin'],
        summary: 'Change one practice setting; turning on require_mfa_always ends every session made without a code',
        headers: sessionHeaders,
        params: settingParams,
        body: settingBody,
        response: { 200: settingChangeReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      // The setting rules parse text, as the server command passes it, and true and false mean 1 and 0.
      let value = String(request.body.value);
      if (typeof request.body.value === 'boolean') {
        value = request.body.value ? '1' : '0';
      }
      const result = changePracticeSetting(context.db, {
        practiceId: actor.user.practiceId,
        setting: request.params.setting,
        value,
        allowBelowMinimum: false,
        changedBy: actor.user.username,
        actorUserId: actor.user.id,
        origin: actor.origin,
        now: context.clock.now(),
      });
      if (!result.ok) {
        return sendApiError(reply, 'VALIDATION_FAILED', { field: '/value', problem: result.problem });
      }
      context.logger.info(
        { reqId: request.id, userId: actor.user.id, setting: result.setting, oldValue: result.oldValue, newValue: result.newValue, sessionsEnded: result.sessionsEnded },
        'settings.changed',
      );
      return { setting: result.setting, oldValue: result.oldValue, newValue: result.newValue, sessionsEnded: result.sessionsEnded };
    },
  );

  app.put<{ Body: Static<typeof trustedNetworksBody> }>(
    '/admin/practice/trusted-networks',
    {
      schema: {
        tags: ['admin'],
        summary: "Replace the practice's trusted networks (CIDR blocks); an empty list clears them",
        headers: sessionHeaders,
        body: trustedNetworksBody,
        response: { 200: Type.Object({ trustedNetworks: Type.Array(Type.String()) }), ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const result = setTrustedNetworks(context.db, {
        practiceId: actor.user.practiceId,
        networks: request.body.networks,
        changedBy: actor.user.username,
        actorUserId: actor.user.id,
        origin: actor.origin,
        now: context.clock.now(),
      });
      if (!result.ok) {
        return sendApiError(reply, 'VALIDATION_FAILED', { field: '/networks', problem: `trusted_networks: ${result.problems.join(' ')}` });
      }
      return { trustedNetworks: result.newNetworks };
    },
  );

  app.get<{ Querystring: Static<typeof userListQuery> }>(
    '/admin/users',
    { schema: { tags: ['admin'], summary: "List and search the practice's users", headers: sessionHeaders, querystring: userListQuery, response: { 200: Type.Object({ users: Type.Array(userSummary) }), ...errors } } },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      return { users: listPracticeUsers(context.db, { practiceId: actor.user.practiceId, search: request.query.search ?? '', now: context.clock.now() }) };
    },
  );

  app.post<{ Body: Static<typeof createUserBody> }>(
    '/admin/users',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a practice user, who is emailed a setup code for choosing their own password',
        headers: sessionHeaders,
        body: createUserBody,
        response: { 201: createdUserReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const practice = findPracticeById(context.db, actor.user.practiceId);
      if (practice === undefined) {
        return sendApiError(reply, 'SESSION_INVALID');
      }
      const result = await createPracticeUser(context, { practice, actorUserId: actor.user.id, user: request.body, origin: actor.origin });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      context.logger.info({ reqId: request.id, userId: actor.user.id, createdUserId: result.user.id, role: result.user.role }, 'user.created');
      return reply.code(201).send({ ...toUserSummary(result.user, context.clock.now()), setupEmailSent: result.setupEmailSent });
    },
  );

  app.post<{ Params: Static<typeof userParams> }>(
    '/admin/users/:userId/setup-code',
    {
      schema: {
        tags: ['admin'],
        summary: 'Email a user who has not chosen a password yet a new setup code; the previous code stops working',
        headers: sessionHeaders,
        params: userParams,
        response: { 200: setupCodeReply, 429: errorReply, 502: errorReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const result = await resendAccountSetupCode(context, {
        practiceId: actor.user.practiceId,
        actorUserId: actor.user.id,
        targetUserId: request.params.userId,
        origin: actor.origin,
      });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      context.logger.info({ reqId: request.id, userId: actor.user.id, targetUserId: result.user.id }, 'account_setup.code_issued');
      return { user: result.user, codeExpiresAt: result.codeExpiresAt };
    },
  );

  app.patch<{ Params: Static<typeof userParams>; Body: Static<typeof userDetailsBody> }>(
    '/admin/users/:userId',
    {
      schema: {
        tags: ['admin'],
        summary: "Change a practice user's name, email or mobile; a new email of a user waiting for setup gets a new setup code",
        headers: sessionHeaders,
        params: userParams,
        body: userDetailsBody,
        response: { 200: userDetailsReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const now = context.clock.now();
      const result = updatePracticeUserDetails(context.db, {
        practiceId: actor.user.practiceId,
        actorUserId: actor.user.id,
        targetUserId: request.params.userId,
        change: request.body,
        now,
        origin: actor.origin,
      });
      if (!result.ok) {
        return sendFailure(reply, result);
      }
      const { replacedContacts, setupCodeReplacement } = result;
      sendContactChangedNotices(context, {
        userId: result.user.id,
        displayName: result.user.displayName,
        practiceName: findPracticeById(context.db, actor.user.practiceId)?.name ?? '',
        ...replacedContacts,
        changedBy: 'practice_admin',
        occurredAt: now,
      });
      context.logger.info(
        { reqId: request.id, userId: actor.user.id, targetUserId: result.user.id, changedChannels: replacedContacts.changes.map((change) => change.channel) },
        'user.details_changed',
      );
      if (setupCodeReplacement === null) {
        return { user: result.user };
      }
      const { sendId } = setupCodeReplacement;
      const setupEmailSent =
        sendId !== null &&
        (await sendSetupCodeToNewEmail(context, {
          practiceId: actor.user.practiceId,
          actorUserId: actor.user.id,
          targetUserId: result.user.id,
          sendId,
          origin: actor.origin,
        }));
      return { user: result.user, setupEmailSent };
    },
  );

  app.post<{ Params: Static<typeof userActionParams> }>(
    '/admin/users/:userId/:action',
    {
      schema: {
        tags: ['admin'],
        summary: "Deactivate, reactivate or unlock a practice user, or end the user's sessions and revoke their workstations",
        headers: sessionHeaders,
        params: userActionParams,
        response: { 200: userActionReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const action = request.params.action === 'revoke-sessions' ? 'revoke_sessions' : request.params.action;
      const result = administerUser(context.db, {
        practiceId: actor.user.practiceId,
        actorUserId: actor.user.id,
        targetUserId: request.params.userId,
        action,
        now: context.clock.now(),
        origin: actor.origin,
      });
      return result.ok ? { user: result.user, sessionsEnded: result.sessionsEnded } : sendFailure(reply, result);
    },
  );

  app.put<{ Params: Static<typeof userParams>; Body: Static<typeof roleBody> }>(
    '/admin/users/:userId/role',
    {
      schema: { tags: ['admin'], summary: "Change a practice user's role", headers: sessionHeaders, params: userParams, body: roleBody, response: { 200: userActionReply, ...errors } },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const result = administerUser(context.db, {
        practiceId: actor.user.practiceId,
        actorUserId: actor.user.id,
        targetUserId: request.params.userId,
        action: 'change_role',
        role: request.body.role,
        now: context.clock.now(),
        origin: actor.origin,
      });
      return result.ok ? { user: result.user, sessionsEnded: result.sessionsEnded } : sendFailure(reply, result);
    },
  );
}

function readPracticeSettings(context: ServerContext, practiceId: string): Static<typeof practiceSettingsReply> {
  const practice = findPracticeById(context.db, practiceId);
  const row = context.db.prepare('SELECT * FROM practices WHERE id = ?').get(practiceId) as Record<string, number>;
  const settings: Record<string, Static<typeof settingRange>> = {};
  for (const [name, rule] of Object.entries(changeablePracticeSettings)) {
    // The pane cannot override the six-year audit minimum, so it offers only what it can set.
    const min = name === 'audit_retention_days' ? minimumAuditRetentionDays : rule.min;
    settings[name] = { value: Number(row[rule.column]), min, max: rule.max };
  }
  const networks = context.db
    .prepare('SELECT network FROM practice_trusted_networks WHERE practice_id = ? ORDER BY network')
    .all(practiceId) as Array<{ network: string }>;
  return {
    practice: { id: practiceId, name: practice?.name ?? '' },
    settings,
    trustedNetworks: networks.map((row) => row.network),
  };
}
