import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { clinicianPassword, workstation, type Harness } from './harness';

/** Sends a request as if its TCP connection came from `remoteAddress`, with optional extra headers. */
export function postFrom(
  app: FastifyInstance,
  url: string,
  payload: object,
  from: { remoteAddress: string; headers?: Record<string, string> },
): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    payload,
    remoteAddress: from.remoteAddress,
    headers: { 'content-type': 'application/json', ...from.headers },
  });
}

export interface RemoteSignIn {
  status: 'signed_in' | 'mfa_required';
  reason?: string;
  sessionToken?: string;
  deviceTrustToken?: string;
}

/**
 * Runs a whole sign-in from one origin: the password step and, when asked for, a code by email.
 * With `rememberDevice`, the reply's device-trust token is returned for later sign-ins.
 */
export async function signInFrom(
  harness: Harness,
  from: { remoteAddress: string; headers?: Record<string, string> },
  options: { deviceTrustToken?: string; rememberDevice?: boolean; deviceFingerprint?: string; username?: string; password?: string } = {},
): Promise<RemoteSignIn> {
  const deviceFingerprint = options.deviceFingerprint ?? workstation;
  const passwordReply = await postFrom(
    harness.app,
    '/api/v1/auth/password',
    {
      username: options.username ?? 'casey.clinician',
      password: options.password ?? clinicianPassword,
      deviceFingerprint,
      deviceName: 'Exam room 2',
      ...(options.deviceTrustToken === undefined ? {} : { deviceTrustToken: options.deviceTrustToken }),
    },
    from,
  );
  const body = passwordReply.json() as {
    status: 'signed_in' | 'mfa_required';
    session?: { token: string };
    challenge?: { challengeToken: string; reason: string };
  };
  if (body.status === 'signed_in') {
    return { status: 'signed_in', sessionToken: body.session?.token };
  }
  if (body.challenge === undefined) {
    throw new Error(`expected a challenge, received ${passwordReply.statusCode} ${passwordReply.body}`);
  }
  const { challengeToken, reason } = body.challenge;
  await postFrom(harness.app, '/api/v1/auth/otp/send', { challengeToken, channel: 'email' }, from);
  const verifyReply = await postFrom(
    harness.app,
    '/api/v1/auth/otp/verify',
    { challengeToken, code: harness.email.lastCode(), deviceFingerprint, rememberDevice: options.rememberDevice ?? false },
    from,
  );
  const verified = verifyReply.json() as { session?: { token: string }; deviceTrust?: { token: string } };
  if (verified.session === undefined) {
    throw new Error(`expected a session, received ${verifyReply.statusCode} ${verifyReply.body}`);
  }
  return { status: 'mfa_required', reason, sessionToken: verified.session.token, deviceTrustToken: verified.deviceTrust?.token };
}
