import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config';
import { createHarness, errorCode, submitPassword, type Harness } from './support/harness';

describe('per-IP sign-in limit setting', () => {
  let harness: Harness | undefined;

  afterEach(async () => {
    await harness?.close();
    harness = undefined;
  });

  it('defaults to 60 a minute', () => {
    const result = loadConfig({ argv: [], env: {} });

    expect(result.ok).toBe(true);
    expect(result.ok ? result.config.rateLimits : null).toEqual({ perIpPerMinute: 60 });
  });

  it('reads the environment variable', () => {
    const result = loadConfig({ argv: [], env: { CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '50000' } });

    expect(result.ok).toBe(true);
    expect(result.ok ? result.config.rateLimits : null).toEqual({ perIpPerMinute: 50_000 });
  });

  it('rejects zero and non-integers', () => {
    const zero = loadConfig({ argv: [], env: { CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE: '0' } });
    const text = loadConfig({ argv: [], env: { CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE: 'unlimited' } });

    expect(zero.ok ? [] : zero.problems).toEqual([
      'rateLimits.perIpPerMinute (CLINICGATE_RATE_LIMIT_PER_IP_PER_MINUTE): expected an integer from 1 to 1000000; received "0".',
    ]);
    expect(text.ok).toBe(false);
  });

  it('applies the configured limit to sign-in requests', async () => {
    harness = await createHarness({ configure: (config) => (config.rateLimits = { perIpPerMinute: 3 }) });
    const replies = [];

    for (let request = 0; request < 4; request += 1) {
      replies.push(await submitPassword(harness.app, { username: `someone.${request}` }));
    }

    expect(replies.slice(0, 3).map((reply) => reply.statusCode)).toEqual([401, 401, 401]);
    expect(errorCode(replies[3]!)).toBe('RATE_LIMITED');
  });
});
