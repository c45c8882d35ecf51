import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authRequestsPerIp } from '../../server/src/rate-limit/rate-limit';
import { createHarness, errorCode, minutes, submitPassword, type Harness } from './support/harness';

describe('API surface', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  it('reports health', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/health' });

    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI document with the sign-in routes', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });

    const document = response.json() as { openapi: string; paths: Record<string, unknown> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/health',
        '/api/v1/auth/password',
        '/api/v1/auth/otp/send',
        '/api/v1/auth/otp/verify',
        '/api/v1/session',
        '/api/v1/session/logout',
      ]),
    );
  });

  it('answers 404 NOT_FOUND for an unknown route', async () => {
    const response = await harness.app.inject({ method: 'GET', url: '/api/v1/does-not-exist?token=abc' });

    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'That address does not exist on this server.' } });
  });

  it('limits sign-in requests per IP to 60 a minute and audits it once', async () => {
    harness.clock.advance(minutes(1));
    const replies = [];
    for (let request = 0; request < authRequestsPerIp.limit + 2; request += 1) {
      replies.push(await submitPassword(harness.app, { username: `someone.${request}` }));
    }

    const limited = replies.slice(authRequestsPerIp.limit);

    expect(replies.slice(0, authRequestsPerIp.limit).every((reply) => reply.statusCode === 401)).toBe(true);
    expect(limited.map((reply) => errorCode(reply))).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
    expect((limited[0]!.json() as { error: { retryAfterSeconds: number } }).error.retryAfterSeconds).toBeGreaterThan(0);
    const audited = harness.db.prepare("SELECT COUNT(*) AS count FROM audit_events WHERE reason = 'auth_requests_per_ip'").get() as { count: number };
    expect(audited.count).toBe(1);
  });

  it('does not count session requests toward the sign-in limit', async () => {
    harness.clock.advance(minutes(1));
    for (let request = 0; request < authRequestsPerIp.limit + 5; request += 1) {
      await harness.app.inject({ method: 'GET', url: '/api/v1/session' });
    }

    const response = await submitPassword(harness.app, { username: 'after.session.polling' });

    expect(response.statusCode).toBe(401);
  });

  it('answers 500 INTERNAL_ERROR without internals when the database fails', async () => {
    const broken = await createHarness();
    broken.db.exec('DROP TABLE rate_limits');

    const response = await submitPassword(broken.app);

    await broken.close();
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on the server. Try again; if it keeps happening, tell your IT contact.' },
    });
  });
});
