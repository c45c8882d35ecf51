import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config';
import { createPasswordHasher, parsePhcParameters } from '../../server/src/auth/password-hash';
import { clinicianPassword, createHarness, errorCode, minutes, submitPassword, type Harness } from './support/harness';

describe('password step', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  it('answers an unknown username and a wrong password identically', async () => {
    harness = await createHarness();

    const unknown = await submitPassword(harness.app, { username: 'nobody.here' });
    const wrong = await submitPassword(harness.app, { password: 'not the right password' });

    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(unknown.statusCode);
    expect(wrong.body).toBe(unknown.body);
    expect(Object.keys(wrong.headers).sort()).toEqual(Object.keys(unknown.headers).sort());
    expect(errorCode(unknown)).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('spends Argon2 work on unknown usernames too', async () => {
    harness = await createHarness({ configure: (config) => (config.argon2 = { ...config.argon2, memoryKiB: 32_768, timeCost: 3 }) });
    const time = async (username: string): Promise<number> => {
      const startedAt = performance.now();
      await submitPassword(harness.app, { username, password: 'not the right password' });
      return performance.now() - startedAt;
    };
    await time('warm.up');

    const unknownMs = await time('nobody.here');
    const knownMs = await time('casey.clinician');

    expect(unknownMs).toBeGreaterThan(knownMs * 0.4);
    expect(knownMs).toBeGreaterThan(unknownMs * 0.4);
  });

  it('matches usernames regardless of case', async () => {
    harness = await createHarness();

    const response = await submitPassword(harness.app, { username: 'CASEY.CLINICIAN' });

    expect(response.json()).toMatchObject({ status: 'mfa_required' });
  });

  it('normalizes the password with NFKC before checking it', async () => {
    harness = await createHarness();
    const fullWidthPassword = Array.from(clinicianPassword, (character) =>
      character === ' ' ? '\u3000' : String.fromCodePoint(character.codePointAt(0)! + 0xfee0),
    ).join('');

    const response = await submitPassword(harness.app, { password: fullWidthPassword });

    expect(response.statusCode).toBe(200);
  });

  it('limits failed passwords per account to 10 per 15 minutes', async () => {
    harness = await createHarness();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await submitPassword(harness.app, { password: `wrong password ${attempt}` });
    }

    const limited = await submitPassword(harness.app);
    harness.clock.advance(minutes(15));
    const later = await submitPassword(harness.app);

    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    expect(later.statusCode).toBe(200);
  });

  it('re-hashes a weaker stored hash after a successful password', async () => {
    harness = await createHarness({ configure: (config) => (config.argon2 = { ...config.argon2, memoryKiB: 512, timeCost: 2 }) });
    const weakHasher = await createPasswordHasher({ memoryKiB: 256, timeCost: 1, parallelism: 1, allowWeakForTests: true });
    const before = await weakHasher.hashPassword(clinicianPassword);
    harness.db.prepare('UPDATE users SET password_hash = ?').run(before);

    await submitPassword(harness.app);

    const after = (harness.db.prepare('SELECT password_hash FROM users').get() as { password_hash: string }).password_hash;
    expect(parsePhcParameters(before)).toEqual({ memoryKiB: 256, timeCost: 1, parallelism: 1 });
    expect(parsePhcParameters(after)).toEqual({ memoryKiB: 512, timeCost: 2, parallelism: 1 });
  });

  it('rejects a deactivated account after a correct password', async () => {
    harness = await createHarness();
    harness.db.prepare("UPDATE users SET status = 'deactivated'").run();

    const correct = await submitPassword(harness.app);
    const wrong = await submitPassword(harness.app, { password: 'not the right password' });

    expect(errorCode(correct)).toBe('AUTH_ACCOUNT_DISABLED');
    expect(errorCode(wrong)).toBe('AUTH_INVALID_CREDENTIALS');
  });

  it('returns a challenge with masked channels and the preferred channel', async () => {
    harness = await createHarness();

    const response = await submitPassword(harness.app);

    expect(response.json()).toEqual({
      status: 'mfa_required',
      challenge: {
        challengeToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        reason: 'new_workstation',
        channels: [
          { channel: 'email', destination: 'c•••@clinic.example' },
          { channel: 'sms', destination: '***-***-0002' },
        ],
        preferredChannel: 'email',
        expiresAt: new Date(harness.clock.now() + minutes(30)).toISOString(),
      },
    });
  });
});

describe('default Argon2 parameters', () => {
  it('are m=19456, t=2, p=1', () => {
    const result = loadConfig({ argv: [], env: {} });

    expect(result.ok).toBe(true);
    expect(result.ok ? result.config.argon2 : null).toEqual({ memoryKiB: 19_456, timeCost: 2, parallelism: 1, allowWeakForTests: false });
  });

  it('produce a hash with those parameters', async () => {
    const result = loadConfig({ argv: [], env: {} });
    if (!result.ok) {
      throw new Error(result.problems.join('\n'));
    }
    const hasher = await createPasswordHasher(result.config.argon2);

    const hash = await hasher.hashPassword('a password long enough');

    expect(hash.startsWith('$argon2id$v=19$')).toBe(true);
    expect(parsePhcParameters(hash)).toEqual({ memoryKiB: 19_456, timeCost: 2, parallelism: 1 });
  });
});
