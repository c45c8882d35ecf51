import { afterEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { setTrustedNetworks } from '../../server/src/risk/trusted-networks';
import { callAsUser, signInPracticeAdmin } from './support/admin-steps';
import { createHarness, errorCode, type Harness } from './support/harness';

describe('trusted network limits', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  function putNetworks(token: string, networks: string[]): Promise<LightMyRequestResponse> {
    return callAsUser(harness, token, { method: 'PUT', url: '/api/v1/admin/practice/trusted-networks', payload: { networks } });
  }

  function storedNetworks(): string[] {
    const rows = harness.db.prepare('SELECT network FROM practice_trusted_networks WHERE practice_id = ? ORDER BY network').all(harness.practice.id) as Array<{
      network: string;
    }>;
    return rows.map((row) => row.network);
  }

  it.each([
    ['0.0.0.0/0', 'IPv4', '/8'],
    ['128.0.0.0/1', 'IPv4', '/8'],
    ['10.0.0.0/7', 'IPv4', '/8'],
    ['::/0', 'IPv6', '/32'],
    ['2000::/3', 'IPv6', '/32'],
    ['2001:db8::/31', 'IPv6', '/32'],
  ])('rejects %s as too wide', async (network, version, prefix) => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);

    const response = await putNetworks(adminToken, ['203.0.113.0/24', network]);

    expect(response.statusCode).toBe(400);
    expect(errorCode(response)).toBe('VALIDATION_FAILED');
    const problem = (response.json() as { error: { problem: string } }).error.problem;
    expect(problem).toContain(`"${network}" is too wide to trust`);
    expect(problem).toContain(`Use a prefix of ${prefix} or longer for ${version}`);
    expect(storedNetworks()).toEqual([]);
  });

  it('keeps the previous list after a rejected save', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);
    await putNetworks(adminToken, ['198.51.100.0/24']);

    await putNetworks(adminToken, ['0.0.0.0/0']);

    expect(storedNetworks()).toEqual(['198.51.100.0/24']);
    const audits = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE event = 'settings.changed'").get() as { count: number };
    expect(audits.count).toBe(1);
  });

  it('accepts the widest allowed blocks', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);

    const response = await putNetworks(adminToken, ['81.0.0.0/8', '2001:db8::/32']);

    expect(response.statusCode).toBe(200);
    expect(storedNetworks()).toEqual(['2001:db8::/32', '81.0.0.0/8']);
  });

  it('returns the normalized list', async () => {
    harness = await createHarness();
    const adminToken = await signInPracticeAdmin(harness);

    const response = await putNetworks(adminToken, ['203.0.113.5/24', '2001:DB8:0:0:1::/48']);

    expect(response.statusCode).toBe(200);
    expect((response.json() as { trustedNetworks: string[] }).trustedNetworks.sort()).toEqual(['2001:db8::/48', '203.0.113.0/24']);
  });

  it('rejects a too wide block from the server command', async () => {
    harness = await createHarness();

    const result = setTrustedNetworks(harness.db, {
      practiceName: harness.practice.name,
      networks: ['::/0'],
      changedBy: 'server command',
      now: harness.clock.now(),
    });

    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.problems).toEqual([expect.stringContaining('"::/0" is too wide to trust')]);
  });
});
