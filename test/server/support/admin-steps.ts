import type { LightMyRequestResponse } from 'fastify';
import { createPasswordHasher } from '../../../server/src/auth/password-hash';
import { createUser, type User } from '../../../server/src/users/user-repository';
import { sendCode, sessionHeaders, startChallenge, verifyCode, workstation, type Harness } from './harness';

export const adminPassword = 'admin password for the administration tests';

/** Creates a practice administrator in the harness practice whose password is `adminPassword`. */
export async function addPracticeAdmin(harness: Harness, username = 'Dana.Admin'): Promise<User> {
  const hasher = await createPasswordHasher(harness.config.argon2);
  return createUser(harness.db, {
    practiceId: harness.practice.id,
    username,
    displayName: username.replace('.', ' '),
    email: `${username.toLowerCase()}@clinic.example`,
    mobile: null,
    role: 'practice_admin',
    passwordHash: await hasher.hashPassword(adminPassword),
    preferredChannel: 'email',
    createdAt: harness.clock.now(),
  });
}

/** Signs in with an emailed code and returns the session token and, when remembered, the device-trust token. */
export async function signInWithEmailCode(
  harness: Harness,
  input: { username: string; password: string; deviceFingerprint?: string; rememberDevice?: boolean },
): Promise<{ token: string; deviceTrustToken: string | null }> {
  const deviceFingerprint = input.deviceFingerprint ?? workstation;
  const challengeToken = await startChallenge(harness.app, { username: input.username, password: input.password, deviceFingerprint });
  await sendCode(harness.app, challengeToken);
  const verified = await verifyCode(harness.app, challengeToken, harness.email.lastCode(), {
    deviceFingerprint,
    rememberDevice: input.rememberDevice ?? false,
  });
  const body = verified.json() as { session?: { token: string }; deviceTrust?: { token: string } };
  if (body.session === undefined) {
    throw new Error(`expected a session, received ${verified.statusCode} ${verified.body}`);
  }
  return { token: body.session.token, deviceTrustToken: body.deviceTrust?.token ?? null };
}

/** Adds a practice administrator, signs them in and returns their session token. */
export async function signInPracticeAdmin(harness: Harness, username = 'Dana.Admin'): Promise<string> {
  await addPracticeAdmin(harness, username);
  return (await signInWithEmailCode(harness, { username: username.toLowerCase(), password: adminPassword })).token;
}

/** Sends an authenticated JSON request, or one without a body when `payload` is undefined. */
export function callAsUser(
  harness: Harness,
  token: string,
  request: { method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'; url: string; payload?: object; deviceFingerprint?: string },
): Promise<LightMyRequestResponse> {
  const headers = sessionHeaders(token, request.deviceFingerprint ?? workstation);
  if (request.payload === undefined) {
    return harness.app.inject({ method: request.method, url: request.url, headers });
  }
  return harness.app.inject({ method: request.method, url: request.url, payload: request.payload, headers: { ...headers, 'content-type': 'application/json' } });
}
