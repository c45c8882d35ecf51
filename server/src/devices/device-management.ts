import type { RevokeTrustedDeviceResponse, TrustedDeviceSummary } from '../../../electron/shared/api';
import { appendAuditEvent, type RequestOrigin } from '../audit/audit-log';
import { endDeviceSessions } from '../auth/session';
import { toIsoTime } from '../clock';
import { runImmediate } from '../db/database';
import { failure, type Result } from '../errors/api-error';
import { describeLocation } from '../geo/location-text';
import { locateSignInOrigin } from '../risk/access-pattern';
import type { ServerContext } from '../server-context';
import { findUserById, type User } from '../users/user-repository';
import { findDeviceTrustById, listActiveDeviceTrusts, renameDeviceTrust, revokeDeviceTrust, type DeviceTrust } from './device-trust';

/** The user making the request: the device's owner, or an administrator of the owner's practice. */
export interface DeviceActor {
  user: User;
  deviceFingerprint: string;
  origin: RequestOrigin;
}

/** Lists the owner's remembered workstations with the approximate place of each one's last use. */
export function listTrustedDevices(context: ServerContext, input: { owner: User; actor: DeviceActor }): TrustedDeviceSummary[] {
  const trusts = listActiveDeviceTrusts(context.db, input.owner.id, context.clock.now());
  return trusts.map((trust) => toTrustedDeviceSummary(context, trust, input.actor));
}

/**
 * Revokes one remembered workstation of `owner` and ends every session of that user on it, so the
 * next sign-in there needs a code. A trust that belongs to someone else, or that is revoked or
 * expired, is reported as not found.
 */
export function revokeTrustedDevice(
  context: ServerContext,
  input: { owner: User; deviceTrustId: string; actor: DeviceActor },
): Result<{ response: RevokeTrustedDeviceResponse }> {
  const { db } = context;
  const now = context.clock.now();
  return runImmediate(db, () => {
    const trust = findActiveTrust(context, input.owner, input.deviceTrustId, now);
    if (trust === undefined) {
      return failure('DEVICE_NOT_FOUND');
    }
    revokeDeviceTrust(db, trust.id, now);
    const endedSessionIds = endDeviceSessions(db, { userId: input.owner.id, deviceFingerprint: trust.deviceFingerprint, now });
    const auditBase = { occurredAt: now, origin: input.actor.origin, practiceId: input.owner.practiceId, userId: input.owner.id };
    const revokedBy = input.actor.user.id === input.owner.id ? 'owner' : 'practice_admin';
    appendAuditEvent(db, {
      ...auditBase,
      event: 'device.revoked',
      outcome: 'success',
      reason: revokedBy,
      details: {
        deviceTrustId: trust.id,
        device: trust.deviceFingerprint.slice(0, 12),
        actorUserId: input.actor.user.id,
        actorUsername: input.actor.user.username,
        sessionsEnded: endedSessionIds.length,
      },
    });
    for (const sessionId of endedSessionIds) {
      appendAuditEvent(db, { ...auditBase, event: 'session.revoked', outcome: 'success', reason: 'device_revoked', details: { sessionId } });
    }
    const wasCurrentDevice = input.actor.user.id === input.owner.id && trust.deviceFingerprint === input.actor.deviceFingerprint;
    return { ok: true, response: { sessionsEnded: endedSessionIds.length, wasCurrentDevice } };
  });
}

/** Sets or clears the owner's own label for a remembered workstation. */
export function renameTrustedDevice(
  context: ServerContext,
  input: { owner: User; deviceTrustId: string; label: string | null; actor: DeviceActor },
): Result<{ device: TrustedDeviceSummary }> {
  const { db } = context;
  const now = context.clock.now();
  return runImmediate(db, () => {
    const trust = findActiveTrust(context, input.owner, input.deviceTrustId, now);
    if (trust === undefined) {
      return failure('DEVICE_NOT_FOUND');
    }
    const label = input.label === null ? null : input.label.trim() === '' ? null : input.label.trim();
    renameDeviceTrust(db, trust.id, label);
    appendAuditEvent(db, {
      occurredAt: now,
      origin: input.actor.origin,
      practiceId: input.owner.practiceId,
      userId: input.owner.id,
      event: 'device.renamed',
      outcome: 'success',
      details: { deviceTrustId: trust.id, hasLabel: label !== null },
    });
    return { ok: true, device: toTrustedDeviceSummary(context, { ...trust, label }, input.actor) };
  });
}

/** Finds a user of the admin's own practice; any other user is reported as not found. */
export function findUserInPractice(context: ServerContext, userId: string, practiceId: string): User | undefined {
  const user = findUserById(context.db, userId);
  return user?.practiceId === practiceId ? user : undefined;
}

function findActiveTrust(context: ServerContext, owner: User, deviceTrustId: string, now: number): DeviceTrust | undefined {
  const trust = findDeviceTrustById(context.db, deviceTrustId);
  if (trust === undefined || trust.userId !== owner.id || trust.revokedAt !== null || now >= trust.expiresAt) {
    return undefined;
  }
  return trust;
}

function toTrustedDeviceSummary(context: ServerContext, trust: DeviceTrust, actor: DeviceActor): TrustedDeviceSummary {
  const lastLocation = trust.lastUsedIp === null ? null : describeLocation(locateSignInOrigin(context.geoLocator, trust.lastUsedIp).location);
  return {
    id: trust.id,
    name: trust.label ?? trust.deviceName ?? 'Unnamed workstation',
    label: trust.label,
    hostname: trust.deviceName,
    firstUsedAt: toIsoTime(trust.createdAt),
    lastUsedAt: trust.lastUsedAt === null ? null : toIsoTime(trust.lastUsedAt),
    lastLocation,
    expiresAt: toIsoTime(trust.expiresAt),
    isCurrentDevice: trust.userId === actor.user.id && trust.deviceFingerprint === actor.deviceFingerprint,
  };
}
