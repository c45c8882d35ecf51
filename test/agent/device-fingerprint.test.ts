import { describe, expect, it } from 'vitest';
import { deviceFingerprintPattern } from '../../electron/shared/api';
import { computeDeviceFingerprint, readMachineId } from '../../electron/agent/device-fingerprint';

const machineId = '3d1219c7c4c5404aaa1f6d2a48adfda4';

describe('computeDeviceFingerprint', () => {
  it('returns the same value for the same machine and server', () => {
    const first = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example' });

    const second = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example' });

    expect(second).toBe(first);
    expect(first).toMatch(new RegExp(deviceFingerprintPattern));
  });

  it('gives two servers unrelated values', () => {
    const first = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example' });

    const second = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example:8443' });

    expect(second).not.toBe(first);
  });

  it('differs between machines', () => {
    const first = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example' });

    const second = computeDeviceFingerprint({ machineId: `${machineId}0`, serverOrigin: 'https://ehr.clinic.example' });

    expect(second).not.toBe(first);
  });

  it('never contains the raw machine id', () => {
    const fingerprint = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example' });

    expect(fingerprint).not.toContain(machineId);
    expect(fingerprint).not.toContain(machineId.slice(0, 8));
  });

  it('is salted, not a bare hash of the machine id', async () => {
    const { createHash } = await import('node:crypto');
    const bareHash = createHash('sha256').update(machineId).digest('hex');
    const bareWithOrigin = createHash('sha256').update(`https://ehr.clinic.example${machineId}`).digest('hex');

    const fingerprint = computeDeviceFingerprint({ machineId, serverOrigin: 'https://ehr.clinic.example' });

    expect(fingerprint).not.toBe(bareHash);
    expect(fingerprint).not.toBe(bareWithOrigin);
  });

  it('keeps origin and machine id apart', () => {
    const first = computeDeviceFingerprint({ machineId: 'b-machine', serverOrigin: 'https://a' });

    const second = computeDeviceFingerprint({ machineId: 'machine', serverOrigin: 'https://ab-' });

    expect(second).not.toBe(first);
  });
});

describe('readMachineId', () => {
  it('uses CLINICGATE_MACHINE_ID when set', () => {
    const id = readMachineId({ CLINICGATE_MACHINE_ID: 'e2e-workstation-2' });

    expect(id).toBe('e2e-workstation-2');
  });

  it('reads the operating system id otherwise', () => {
    const id = readMachineId({});

    expect(id.length).toBeGreaterThan(0);
    expect(id).not.toBe('e2e-workstation-2');
  });
});
