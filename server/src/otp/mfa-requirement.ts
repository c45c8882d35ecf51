import type { MfaReason } from '../../../electron/shared/api';
import type { Practice } from '../practices/practice-repository';
import type { DeviceTrustCheck } from '../devices/device-trust';
import type { AccessAssessment } from '../risk/access-decision';

export type MfaRequirement = { required: false } | { required: true; reason: MfaReason };

/**
 * Decides whether a sign-in with a correct password also needs a one-time code, and why.
 * Practice enforcement comes first, then an origin outside the access pattern, which needs a code
 * whatever the device, then a workstation without valid trust.
 */
export function decideMfaRequirement(input: { practice: Practice; deviceTrust: DeviceTrustCheck; access: AccessAssessment }): MfaRequirement {
  if (input.practice.requireMfaAlways) {
    return { required: true, reason: 'required_by_practice' };
  }
  if (!input.access.isUsual) {
    return { required: true, reason: 'unusual_location' };
  }
  if (input.deviceTrust.status !== 'trusted') {
    return { required: true, reason: 'new_workstation' };
  }
  return { required: false };
}
