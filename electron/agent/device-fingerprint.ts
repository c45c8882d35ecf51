import { createHash } from 'node:crypto';
import machineIdModule from 'node-machine-id';
import type { DeviceFingerprint } from '../shared/api';

/**
 * Product salt mixed into every fingerprint. Changing it makes every workstation look new to
 * every server, which revokes all remembered workstations, so it is versioned instead.
 */
const fingerprintSalt = 'ClinicGate device fingerprint v1';

/**
 * Computes the workstation's fingerprint for one server: SHA-256 over the product salt, the
 * server origin and the machine id. The raw machine id never leaves the workstation, and two
 * servers see unrelated values for the same machine.
 */
export function computeDeviceFingerprint(input: { machineId: string; serverOrigin: string }): DeviceFingerprint {
  const hash = createHash('sha256');
  // Length-prefixing each part keeps ("ab", "c") and ("a", "bc") from producing the same input.
  for (const part of [fingerprintSalt, input.serverOrigin, input.machineId]) {
    const bytes = Buffer.from(part, 'utf8');
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

/**
 * Reads the operating system's machine id (`/etc/machine-id`, the Windows MachineGuid or the
 * macOS IOPlatformUUID, through node-machine-id).
 *
 * `CLINICGATE_MACHINE_ID` replaces it. That variable is for end-to-end tests only, where one
 * computer has to act as several workstations; a real installation never sets it.
 */
export function readMachineId(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.CLINICGATE_MACHINE_ID;
  if (override !== undefined && override !== '') {
    return override;
  }
  return machineIdModule.machineIdSync(true);
}
