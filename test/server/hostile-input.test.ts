import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, minutes, startChallenge, workstation, type Harness } from './support/harness';

const routes = ['/api/v1/auth/password', '/api/v1/auth/otp/send', '/api/v1/auth/otp/verify'];

const validPassword = { username: 'casey.clinician', password: 'whatever it is', deviceFingerprint: workstation };

/**
 * Bodies sent as raw JSON text so that keys like `__proto__` survive serialization. The third
 * entry is the status on the password route when the body is well-formed but odd: such a
 * username is merely unknown. Every body is invalid for the code routes.
 */
const hostileBodies: Array<[string, string, number?]> = [
  ['an empty object', '{}'],
  ['an array', '[1,2,3]'],
  ['a string', '"username"'],
  ['null', 'null'],
  ['a number for the username', JSON.stringify({ ...validPassword, username: 42 })],
  ['a boolean password', JSON.stringify({ ...validPassword, password: true })],
  ['an object password', JSON.stringify({ ...validPassword, password: { toString: 'x' } })],
  ['an extra field', JSON.stringify({ ...validPassword, isAdmin: true })],
  ['a __proto__ key', '{"username":"a","password":"b","deviceFingerprint":"' + workstation + '","__proto__":{"isAdmin":true}}'],
  ['a constructor.prototype key', '{"username":"a","password":"b","deviceFingerprint":"' + workstation + '","constructor":{"prototype":{"x":1}}}'],
  ['a NUL byte in the username', JSON.stringify({ ...validPassword, username: 'casey\u0000clinician' })],
  ['a NUL byte in the password', JSON.stringify({ ...validPassword, password: 'pass\u0000word' }), 401],
  ['an RTL override in the username', JSON.stringify({ ...validPassword, username: 'casey\u202Eclinician' })],
  ['emoji in the username', JSON.stringify({ ...validPassword, username: '🩺👩‍⚕️🏥' }), 401],
  ['stacked combining marks', JSON.stringify({ ...validPassword, username: 'c' + '\u0301'.repeat(60) }), 401],
  ['a lone surrogate', '{"username":"\\ud800","password":"x","deviceFingerprint":"' + workstation + '"}', 401],
  ['a 65-character username', JSON.stringify({ ...validPassword, username: 'u'.repeat(65) })],
  ['a 1025-character password', JSON.stringify({ ...validPassword, password: 'p'.repeat(1025) })],
  ['an upper-case fingerprint', JSON.stringify({ ...validPassword, deviceFingerprint: 'A'.repeat(64) })],
  ['a control character in the device name', JSON.stringify({ ...validPassword, deviceName: 'desk\u0007pc' })],
  ['a 101-character device name', JSON.stringify({ ...validPassword, deviceName: 'd'.repeat(101) })],
  ['a numeric code', JSON.stringify({ challengeToken: 'x'.repeat(43), code: 123456, deviceFingerprint: workstation, rememberDevice: false })],
  ['a code with a space', JSON.stringify({ challengeToken: 'x'.repeat(43), code: '12345 ', deviceFingerprint: workstation, rememberDevice: false })],
  ['full-width digits', JSON.stringify({ challengeToken: 'x'.repeat(43), code: '１２３４５６', deviceFingerprint: workstation, rememberDevice: false })],
  ['rememberDevice as a string', JSON.stringify({ challengeToken: 'x'.repeat(43), code: '123456', deviceFingerprint: workstation, rememberDevice: 'true' })],
  ['an unknown channel', JSON.stringify({ challengeToken: 'x'.repeat(43), channel: 'fax' })],
  ['deeply nested arrays', '['.repeat(2000) + ']'.repeat(2000)],
  ['malformed JSON', '{"username": "casey",'],
  ['a trailing comma', '{"username":"casey",}'],
];

describe('hostile input', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await createHarness();
  });

  afterAll(async () => {
    await harness.close();
  });

  async function post(url: string, payload: string, contentType = 'application/json') {
    // Each request moves past the per-IP window so the limit does not hide the validation response.
    harness.clock.advance(minutes(1));
    return harness.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
  }

  for (const route of routes) {
    for (const [name, payload, passwordRouteStatus] of hostileBodies) {
      const expectedStatus = route === '/api/v1/auth/password' && passwordRouteStatus !== undefined ? passwordRouteStatus : 400;
      const expectedCode = expectedStatus === 400 ? 'VALIDATION_FAILED' : 'AUTH_INVALID_CREDENTIALS';
      it(`answers ${expectedStatus} to ${name} on ${route}`, async () => {
        const response = await post(route, payload);

        expect(response.statusCode).toBe(expectedStatus);
        expect(response.json()).toMatchObject({ error: { code: expectedCode } });
        expect(response.body).not.toMatch(/\bat .+\.(ts|js):\d+/);
      });
    }
  }

  it('names the failing field', async () => {
    const response = await post('/api/v1/auth/password', JSON.stringify({ ...validPassword, username: 42 }));

    expect(response.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: '/username' } });
  });

  it('names an unexpected field', async () => {
    const response = await post('/api/v1/auth/password', JSON.stringify({ ...validPassword, isAdmin: true }));

    expect(response.json()).toMatchObject({ error: { field: '/isAdmin' } });
  });

  it('answers 413 BODY_TOO_LARGE to a 20 KiB body', async () => {
    const response = await post('/api/v1/auth/password', JSON.stringify({ ...validPassword, password: 'p'.repeat(20 * 1024) }));

    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
  });

  it('answers 415 to a form-encoded body', async () => {
    const response = await post('/api/v1/auth/password', 'username=a&password=b', 'application/x-www-form-urlencoded');

    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('answers 415 to a text/plain body', async () => {
    const response = await post('/api/v1/auth/password', JSON.stringify(validPassword), 'text/plain');

    expect(response.statusCode).toBe(415);
  });

  it('accepts odd but valid Unicode as an unknown username', async () => {
    const usernames = ['مستخدم\u200F', '🩺', 'e\u0301le\u0300ve', 'ﬁ'];
    for (const username of usernames) {
      const response = await post('/api/v1/auth/password', JSON.stringify({ ...validPassword, username }));

      expect(response.statusCode).toBe(401);
    }
  });

  it('answers a wrong challenge token without a server error', async () => {
    const response = await post('/api/v1/auth/otp/verify', JSON.stringify({
      challengeToken: '-'.repeat(43),
      code: '000000',
      deviceFingerprint: workstation,
      rememberDevice: false,
    }));

    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({ error: { code: 'OTP_CHALLENGE_INVALID' } });
  });

  it('ignores a __proto__ key when a real challenge is in play', async () => {
    const challengeToken = await startChallenge(harness.app);

    const response = await post('/api/v1/auth/otp/send', `{"challengeToken":"${challengeToken}","channel":"email","__proto__":{"channel":"sms"}}`);

    expect(response.statusCode).toBe(400);
    expect(harness.email.messages).toHaveLength(0);
  });
});
