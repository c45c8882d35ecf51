import { afterEach, describe, expect, it } from 'vitest';
import { updatePracticeSettings } from '../../server/src/practices/practice-repository';
import {
  createHarness,
  hours,
  otherWorkstation,
  startChallengeWithCode,
  submitPassword,
  verifyCode,
  workstation,
  type Harness,
} from './support/harness';

interface PasswordReply {
  status: string;
  session?: { token: string; info: { mfa: boolean } };
  challenge?: { reason: string };
}

describe('remembered workstation', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  async function rememberWorkstation(): Promise<string> {
    const { challengeToken, code } = await startChallengeWithCode(harness);
    const verified = await verifyCode(harness.app, challengeToken, code, { rememberDevice: true, deviceName: 'Front desk PC' });
    const body = verified.json() as { deviceTrust?: { token: string; expiresAt: string } };
    if (body.deviceTrust === undefined) {
      throw new Error(`expected a device-trust token, received ${verified.body}`);
    }
    return body.deviceTrust.token;
  }

  function trustRejections(): Array<{ reason: string }> {
    return harness.db.prepare("SELECT reason FROM audit_events WHERE event = 'device.trust_rejected'").all() as Array<{ reason: string }>;
  }

  it('issues a trust token that expires after the practice setting', async () => {
    harness = await createHarness();
    const { challengeToken, code } = await startChallengeWithCode(harness);

    const verified = await verifyCode(harness.app, challengeToken, code, { rememberDevice: true, deviceName: 'Front desk PC' });

    const body = verified.json() as { deviceTrust: { token: string; expiresAt: string } };
    expect(body.deviceTrust.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(body.deviceTrust.expiresAt).toBe(new Date(harness.clock.now() + hours(24 * 30)).toISOString());
    const row = harness.db.prepare('SELECT device_name, token_hash FROM device_trusts').get() as { device_name: string; token_hash: string };
    expect(row.device_name).toBe('Front desk PC');
    expect(row.token_hash).not.toContain(body.deviceTrust.token);
  });

  it('signs in without a code on the same workstation', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();

    const response = await submitPassword(harness.app, { deviceTrustToken });

    const body = response.json() as PasswordReply;
    expect(body.status).toBe('signed_in');
    expect(body.session?.info.mfa).toBe(false);
  });

  it('asks for a code when the token is replayed from another workstation', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();

    const response = await submitPassword(harness.app, { deviceTrustToken, deviceFingerprint: otherWorkstation });

    const body = response.json() as PasswordReply;
    expect(body.status).toBe('mfa_required');
    expect(body.challenge?.reason).toBe('new_workstation');
    expect(trustRejections()).toEqual([{ reason: 'fingerprint_mismatch' }]);
  });

  it('asks for a code when the token has expired', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();
    harness.clock.advance(hours(24 * 30));

    const response = await submitPassword(harness.app, { deviceTrustToken });

    expect((response.json() as PasswordReply).challenge?.reason).toBe('new_workstation');
    expect(trustRejections()).toEqual([{ reason: 'expired' }]);
  });

  it('asks for a code when the token is revoked', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();
    harness.db.prepare('UPDATE device_trusts SET revoked_at = ?').run(harness.clock.now());

    const response = await submitPassword(harness.app, { deviceTrustToken });

    expect((response.json() as PasswordReply).status).toBe('mfa_required');
    expect(trustRejections()).toEqual([{ reason: 'revoked' }]);
  });

  it('asks for a code with an unknown token', async () => {
    harness = await createHarness();

    const response = await submitPassword(harness.app, { deviceTrustToken: 'x'.repeat(43) });

    expect((response.json() as PasswordReply).status).toBe('mfa_required');
    expect(trustRejections()).toEqual([{ reason: 'unknown_token' }]);
  });

  it('asks for a code on every sign-in when the practice requires it', async () => {
    harness = await createHarness();
    const deviceTrustToken = await rememberWorkstation();
    updatePracticeSettings(harness.db, harness.practice.id, { requireMfaAlways: true });

    const response = await submitPassword(harness.app, { deviceTrustToken, deviceFingerprint: workstation });

    expect((response.json() as PasswordReply).challenge?.reason).toBe('required_by_practice');
  });
});
