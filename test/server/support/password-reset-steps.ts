import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { postJson, workstation, type Harness } from './harness';

export function requestReset(app: FastifyInstance, email: string, deviceFingerprint = workstation): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/password-reset/request', { email, deviceFingerprint });
}

export function resendReset(app: FastifyInstance, challengeToken: string): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/password-reset/resend', { challengeToken, deviceFingerprint: workstation });
}

export function verifyReset(app: FastifyInstance, challengeToken: string, code: string): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/password-reset/verify', { challengeToken, code, deviceFingerprint: workstation });
}

export function completeReset(app: FastifyInstance, challengeToken: string, resetToken: string, newPassword: string): Promise<LightMyRequestResponse> {
  return postJson(app, '/api/v1/auth/password-reset/complete', { challengeToken, resetToken, newPassword, deviceFingerprint: workstation });
}

/** Waits for the reset email, which leaves after the reply, and returns its code. */
export async function waitForResetCode(harness: Harness, count: number): Promise<string> {
  const deadline = Date.now() + 2_000;
  while (harness.email.messages.length < count) {
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} code emails, received ${harness.email.messages.length}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return harness.email.lastCode();
}

/** Runs request and verify for the harness clinician and returns both tokens. */
export async function startVerifiedReset(harness: Harness): Promise<{ challengeToken: string; resetToken: string }> {
  const emailsBefore = harness.email.messages.length;
  const requested = await requestReset(harness.app, 'casey@clinic.example');
  const { challengeToken } = requested.json() as { challengeToken: string };
  const code = await waitForResetCode(harness, emailsBefore + 1);
  const verified = await verifyReset(harness.app, challengeToken, code);
  if (verified.statusCode !== 200) {
    throw new Error(`expected the reset code to be accepted, received ${verified.statusCode} ${verified.body}`);
  }
  return { challengeToken, resetToken: (verified.json() as { resetToken: string }).resetToken };
}
