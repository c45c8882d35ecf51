import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { permissionsForRole } from '../auth/permissions';
import { maxDeviceNameLength } from '../devices/device-trust';
import { findUserInPractice, listTrustedDevices, renameTrustedDevice, revokeTrustedDevice, type DeviceActor } from '../devices/device-management';
import { sendApiError, sendFailure } from '../errors/api-error';
import type { ServerContext } from '../server-context';
import { requestOrigin } from './request-origin';
import { errorReply, sessionHeaders } from './schemas';
import { validateRequestSession } from './session-routes';

/** Permission that lets a practice administrator manage other users' workstations. */
export const manageUsersPermission = 'users:manage';

const uuidPattern = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
const nullableIso = Type.Union([Type.String(), Type.Null()]);

const trustedDeviceSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  label: Type.Union([Type.String(), Type.Null()]),
  hostname: Type.Union([Type.String(), Type.Null()]),
  firstUsedAt: Type.String(),
  lastUsedAt: nullableIso,
  lastLocation: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Type.String(),
  isCurrentDevice: Type.Boolean(),
});
const trustedDeviceList = Type.Object({ devices: Type.Array(trustedDeviceSummary) });
const revokeReply = Type.Object({ sessionsEnded: Type.Integer(), wasCurrentDevice: Type.Boolean() });
const deviceParams = Type.Object({ deviceId: Type.String({ pattern: uuidPattern }) });
const userParams = Type.Object({ userId: Type.String({ pattern: uuidPattern }) });
const userDeviceParams = Type.Object({ userId: Type.String({ pattern: uuidPattern }), deviceId: Type.String({ pattern: uuidPattern }) });
const renameBody = Type.Object(
  {
    label: Type.Union([
      Type.String({ minLength: 1, maxLength: maxDeviceNameLength, pattern: '^[^\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]+$' }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);

type DeviceParams = Static<typeof deviceParams>;
type UserParams = Static<typeof userParams>;
type UserDeviceParams = Static<typeof userDeviceParams>;
type RenameBody = Static<typeof renameBody>;

const errors = { 400: errorReply, 401: errorReply, 403: errorReply, 404: errorReply };

/** Trusted-workstation routes: a user's own under /devices, any user's of the practice under /admin. */
export async function registerDeviceRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.get(
    '/devices',
    { schema: { tags: ['devices'], summary: "List the signed-in user's remembered workstations", headers: sessionHeaders, response: { 200: trustedDeviceList, ...errors } } },
    async (request, reply) => {
      const actor = authenticate(context, request, reply);
      if (actor === null) {
        return reply;
      }
      return { devices: listTrustedDevices(context, { owner: actor.user, actor }) };
    },
  );

  app.patch<{ Params: DeviceParams; Body: RenameBody }>(
    '/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: 'Set or clear the label of a remembered workstation',
        headers: sessionHeaders,
        params: deviceParams,
        body: renameBody,
        response: { 200: trustedDeviceSummary, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticate(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const result = renameTrustedDevice(context, { owner: actor.user, deviceTrustId: request.params.deviceId, label: request.body.label, actor });
      return result.ok ? result.device : sendFailure(reply, result);
    },
  );

  app.delete<{ Params: DeviceParams }>(
    '/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: 'Revoke a remembered workstation and end its sessions',
        headers: sessionHeaders,
        params: deviceParams,
        response: { 200: revokeReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticate(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const result = revokeTrustedDevice(context, { owner: actor.user, deviceTrustId: request.params.deviceId, actor });
      return result.ok ? result.response : sendFailure(reply, result);
    },
  );

  app.get<{ Params: UserParams }>(
    '/admin/users/:userId/devices',
    {
      schema: {
        tags: ['devices'],
        summary: "List a practice user's remembered workstations (practice administrators)",
        headers: sessionHeaders,
        params: userParams,
        response: { 200: trustedDeviceList, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      const owner = findUserInPractice(context, request.params.userId, actor.user.practiceId);
      if (owner === undefined) {
        return sendApiError(reply, 'DEVICE_NOT_FOUND');
      }
      return { devices: listTrustedDevices(context, { owner, actor }) };
    },
  );

  app.delete<{ Params: UserDeviceParams }>(
    '/admin/users/:userId/devices/:deviceId',
    {
      schema: {
        tags: ['devices'],
        summary: "Revoke a practice user's remembered workstation (practice administrators)",
        headers: sessionHeaders,
        params: userDeviceParams,
        response: { 200: revokeReply, ...errors },
      },
    },
    async (request, reply) => {
      const actor = authenticateAdmin(context, request, reply);
      if (actor === null) {
        return reply;
      }
      // A user of another practice gets the same 404 as a missing device, so ids reveal nothing.
      const owner = findUserInPractice(context, request.params.userId, actor.user.practiceId);
      if (owner === undefined) {
        return sendApiError(reply, 'DEVICE_NOT_FOUND');
      }
      const result = revokeTrustedDevice(context, { owner, deviceTrustId: request.params.deviceId, actor });
      return result.ok ? result.response : sendFailure(reply, result);
    },
  );
}

function authenticate(context: ServerContext, request: FastifyRequest, reply: FastifyReply): DeviceActor | null {
  const result = validateRequestSession(context, request);
  if (!result.ok) {
    void sendFailure(reply, result);
    return null;
  }
  return { user: result.user, deviceFingerprint: result.session.deviceFingerprint, origin: requestOrigin(request, result.session.deviceFingerprint) };
}

/** Checks the session and the `users:manage` permission; on failure it sends 401 or 403 and returns null. */
export function authenticateAdmin(context: ServerContext, request: FastifyRequest, reply: FastifyReply): DeviceActor | null {
  const actor = authenticate(context, request, reply);
  if (actor === null) {
    return null;
  }
  if (!permissionsForRole(actor.user.role).includes(manageUsersPermission)) {
    context.logger.warn({ reqId: request.id, userId: actor.user.id, route: request.routeOptions.url }, 'device administration denied, missing permission');
    void sendApiError(reply, 'AUTH_FORBIDDEN');
    return null;
  }
  return actor;
}
