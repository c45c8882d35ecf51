import type { MfaReason } from '../../../electron/shared/api';
import type { Practice } from '../practices/practice-repository';
import type { DeviceTrustCheck } from '../devices/device-trust';

export type MfaRequirement = { required: false } | { required: true; reason: MfaReason };

/**
 * Decides whether a sign-in with a correct password also needs a one-time code, and why.
 * Practice enforcement wins over a remembered workstation.
 * TODO: add `unusual_location` once trusted networks and recent sign-in locations are stored.
 */
export function decideMfaRequirement(input: { practice: Practice; deviceTrust: DeviceTrustCheck }): MfaRequirement {
  if (input.practice.requireMfaAlways) {
    return { required: true, reason: 'required_by_practice' };
  }
  if (input.deviceTrust.status !== 'trusted') {
    return { required: true, reason: 'new_workstation' };
  }
  return { required: false };
}
