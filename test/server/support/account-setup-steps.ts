import type { LightMyRequestResponse } from 'fastify';
import { createPasswordHasher } from '../../../server/src/auth/password-hash';
import type { CodeMessage } from '../../../server/src/delivery/types';
import { createUser, type User } from '../../../server/src/users/user-repository';
import { postJson, sendCode, sessionHeaders, startChallenge, verifyCode, workstation, type Harness } from './harness';

export const adminPassword = 'admin password for the setup tests';
export const newUserPassword = 'quiet meadow copper kettle';
export const newUser = {
  username: 'Frankie.Desk',
  displayName: 'Frankie Desk',
  email: 'frankie@clinic.example',
  mobile: null,
  role: 'front_desk',
  preferredChannel: 'email',
};

/** Adds a practice administrator with a known password, signs them in with a code and returns the session token. */
export async function signInAdmin(harness: Harness, username = 'Dana.Admin', practiceId = harness.practice.id): Promise<string> {
  await addUserWithPassword(harness, username, 'practice_admin', practiceId);
  return signInWithCode(harness, username.toLowerCase(), adminPassword);
}

export async function addUserWithPassword(harness: Harness, username: string, role: User['role'], practiceId = harness.practice.id): Promise<User> {
  const hasher = await createPasswordHasher(harness.config.argon2);
  return createUser(harness.db, {
    practiceId,
    username,
    displayName: username,
    email: `${username.toLowerCase()}@clinic.example`,
    mobile: null,
    role,
    passwordHash: await hasher.hashPassword(adminPassword),
    preferredChannel: 'email',
    createdAt: harness.clock.now(),
  });
}

export async function signInWithCode(harness: Harness, username: string, password: string): Promise<string> {
  const challengeToken = await startChallenge(harness.app, { username, password });
  await sendCode(harness.app, challengeToken);
  const verified = await verifyCode(harness.app, challengeToken, harness.email.lastCode());
  if (verified.statusCode !== 200) {
    throw new Error(`expected a session, received ${verified.statusCode} ${verified.body}`);
  }
  return (verified.json() as { session: { token: string } }).session.token;
}

export function createUserAsAdmin(harness: Harness, adminToken: string, payload: object = newUser): Promise<LightMyRequestResponse> {
  return harness.app.inject({
    method: 'POST',
    url: '/api/v1/admin/users',
    payload,
    headers: { ...sessionHeaders(adminToken), 'content-type': 'application/json' },
  });
}

export function resendSetupCode(harness: Harness, adminToken: string, userId: string): Promise<LightMyRequestResponse> {
  return harness.app.inject({ method: 'POST', url: `/api/v1/admin/users/${userId}/setup-code`, headers: sessionHeaders(adminToken) });
}

export function changeUserEmail(harness: Harness, adminToken: string, userId: string, email: string): Promise<LightMyRequestResponse> {
  return harness.app.inject({
    method: 'PATCH',
    url: `/api/v1/admin/users/${userId}`,
    payload: { email },
    headers: { ...sessionHeaders(adminToken), 'content-type': 'application/json' },
  });
}

/** Creates `newUser` through the API and returns its id and the setup code of its welcome email. */
export async function createPendingUser(harness: Harness, adminToken: string): Promise<{ userId: string; code: string }> {
  const created = await createUserAsAdmin(harness, adminToken);
  if (created.statusCode !== 201) {
    throw new Error(`expected the user to be created, received ${created.statusCode} ${created.body}`);
  }
  return { userId: (created.json() as { id: string }).id, code: lastSetupEmail(harness).code };
}

export function lastSetupEmail(harness: Harness): CodeMessage {
  const message = harness.email.messages.filter((candidate) => candidate.purpose === 'account_setup').at(-1);
  if (message === undefined) {
    throw new Error('no welcome email with a setup code was delivered');
  }
  return message;
}

export function verifySetup(harness: Harness, code: string, usernameOrEmail = 'frankie.desk'): Promise<LightMyRequestResponse> {
  return postJson(harness.app, '/api/v1/auth/account-setup/verify', { usernameOrEmail, code, deviceFingerprint: workstation });
}

export function completeSetup(
  harness: Harness,
  code: string,
  newPassword = newUserPassword,
  usernameOrEmail = 'frankie.desk',
): Promise<LightMyRequestResponse> {
  return postJson(harness.app, '/api/v1/auth/account-setup/complete', { usernameOrEmail, code, newPassword, deviceFingerprint: workstation });
}

/** Returns an eight-digit code that differs from `code`, for wrong-code tests. */
export function wrongSetupCodeFor(code: string): string {
  return code === '12345678' ? '87654321' : '12345678';
}
