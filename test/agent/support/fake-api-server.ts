import { randomBytes } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import type {
  ApiErrorBody,
  ChallengeSummary,
  PasswordStepRequest,
  SessionGrant,
  SessionInfo,
  VerifyCodeRequest,
} from '../../../electron/shared/api';
import { errorCatalogue, type ErrorCode, type ErrorDetails } from '../../../electron/shared/error-codes';

export interface ServerTlsMaterial {
  certPem: string;
  keyPem: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * Small HTTPS stand-in for the ClinicGate server's API that responds in the `api.ts` shapes.
 * Only the agent's unit tests use it. The end-to-end tests run the real server.
 */
export interface FakeApiServer {
  /** Origin such as `https://127.0.0.1:40123`. */
  url: string;
  requests: RecordedRequest[];
  /** Every token the fake handed out (challenge, session, device trust), for leak checks. */
  issuedTokens: string[];
  correctCode: string;
  /** Practice enforcement: every sign-in needs a code, remembered workstation or not. */
  requireMfaForEverySignIn: boolean;
  /** Serves another certificate on the same address from the next handshake on. */
  replaceCertificate(material: ServerTlsMaterial): void;
  /** Ends every session, as an idle time-out on the server would. */
  expireAllSessions(): void;
  activeSessionCount(): number;
  close(): Promise<void>;
}

export const fakeUser = {
  username: 'Dana.Frontdesk',
  password: 'correct horse battery staple',
  displayName: 'Dana Reyes',
};

/** Creates a self-signed certificate for 127.0.0.1 and localhost, like the server's first start. */
export async function createSelfSignedCertificate(commonName = 'clinicgate.test'): Promise<ServerTlsMaterial> {
  const generated = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
    ],
  });
  return { certPem: generated.cert, keyPem: generated.private };
}

export interface TestAuthority {
  caCertPem: string;
  /** Issues a server certificate for 127.0.0.1 and localhost, signed by this authority. */
  issue(): Promise<ServerTlsMaterial>;
}

/** Creates a throwaway certificate authority whose leaves carry 127.0.0.1 and localhost. */
export async function createTestAuthority(): Promise<TestAuthority> {
  const authority = await generate([{ name: 'commonName', value: `ClinicGate agent test CA ${randomBytes(4).toString('hex')}` }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return {
    caCertPem: authority.cert,
    async issue() {
      const leaf = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        ca: { key: authority.private, cert: authority.cert },
        extensions: [
          { name: 'basicConstraints', cA: false },
          { name: 'keyUsage', digitalSignature: true, critical: true },
          { name: 'extKeyUsage', serverAuth: true },
          { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
        ],
      });
      return { certPem: leaf.cert, keyPem: leaf.private };
    },
  };
}

export async function startFakeApiServer(material: ServerTlsMaterial): Promise<FakeApiServer> {
  const requests: RecordedRequest[] = [];
  const issuedTokens: string[] = [];
  const challenges = new Map<string, { username: string; codeSent: boolean; wrongCodes: number }>();
  const sessions = new Map<string, { fingerprint: string; mfa: boolean }>();
  const deviceTrust = new Map<string, { username: string; fingerprint: string }>();

  function issueToken(prefix: string): string {
    const token = `${prefix}_${randomBytes(24).toString('base64url')}`;
    issuedTokens.push(token);
    return token;
  }

  function grantSession(fingerprint: string, mfa: boolean): SessionGrant {
    const token = issueToken('sess');
    sessions.set(token, { fingerprint, mfa });
    return { token, info: describeSession(mfa) };
  }

  const fake: FakeApiServer = {
    url: '',
    requests,
    issuedTokens,
    correctCode: '042917',
    requireMfaForEverySignIn: false,
    replaceCertificate: (next) => server.setSecureContext({ cert: next.certPem, key: next.keyPem }),
    expireAllSessions: () => sessions.clear(),
    activeSessionCount: () => sessions.size,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };

  const routes: Record<string, (body: any, headers: RecordedRequest['headers']) => { status: number; body?: unknown }> = {
    'POST /api/v1/auth/password': (body: PasswordStepRequest) => {
      if (body.username?.toLowerCase() !== fakeUser.username.toLowerCase() || body.password !== fakeUser.password) {
        return apiError('AUTH_INVALID_CREDENTIALS');
      }
      const trust = body.deviceTrustToken === undefined ? undefined : deviceTrust.get(body.deviceTrustToken);
      const isRecognized = trust !== undefined && trust.fingerprint === body.deviceFingerprint;
      if (isRecognized && !fake.requireMfaForEverySignIn) {
        return { status: 200, body: { status: 'signed_in', session: grantSession(body.deviceFingerprint, false) } };
      }
      const challengeToken = issueToken('chal');
      challenges.set(challengeToken, { username: body.username, codeSent: false, wrongCodes: 0 });
      const challenge: ChallengeSummary = {
        challengeToken,
        reason: fake.requireMfaForEverySignIn ? 'required_by_practice' : 'new_workstation',
        channels: [
          { channel: 'sms', destination: '***-***-1234' },
          { channel: 'email', destination: 'd•••@clinic.example' },
        ],
        preferredChannel: 'sms',
        expiresAt: new Date(Date.now() + 600_000).toISOString(),
      };
      return { status: 200, body: { status: 'mfa_required', challenge } };
    },
    'POST /api/v1/auth/otp/send': (body: { challengeToken: string; channel: 'sms' | 'email' }) => {
      const challenge = challenges.get(body.challengeToken);
      if (challenge === undefined) {
        return apiError('OTP_CHALLENGE_INVALID');
      }
      challenge.codeSent = true;
      return {
        status: 200,
        body: {
          channel: body.channel,
          destination: body.channel === 'sms' ? '***-***-1234' : 'd•••@clinic.example',
          codeExpiresAt: new Date(Date.now() + 600_000).toISOString(),
          resendAvailableAt: new Date(Date.now() + 30_000).toISOString(),
          sendsRemainingThisHour: 4,
          attemptsRemaining: 5 - challenge.wrongCodes,
        },
      };
    },
    'POST /api/v1/auth/otp/verify': (body: VerifyCodeRequest) => {
      const challenge = challenges.get(body.challengeToken);
      if (challenge === undefined) {
        return apiError('OTP_CHALLENGE_INVALID');
      }
      if (body.code !== fake.correctCode) {
        challenge.wrongCodes += 1;
        return apiError('OTP_CODE_INVALID', { attemptsRemaining: 5 - challenge.wrongCodes });
      }
      challenges.delete(body.challengeToken);
      const session = grantSession(body.deviceFingerprint, true);
      if (!body.rememberDevice) {
        return { status: 200, body: { session } };
      }
      const trustToken = issueToken('trust');
      deviceTrust.set(trustToken, { username: challenge.username, fingerprint: body.deviceFingerprint });
      return {
        status: 200,
        body: { session, deviceTrust: { token: trustToken, expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString() } },
      };
    },
    'GET /api/v1/session': (_body, headers) => {
      const session = findSession(headers);
      if (session === undefined) {
        return apiError('SESSION_INVALID');
      }
      if (session.fingerprint !== headers['x-clinicgate-device']) {
        return apiError('SESSION_DEVICE_MISMATCH');
      }
      return { status: 200, body: describeSession(session.mfa) };
    },
    'POST /api/v1/session/logout': (_body, headers) => {
      const token = readBearer(headers);
      if (token === null || !sessions.has(token)) {
        return apiError('SESSION_INVALID');
      }
      sessions.delete(token);
      return { status: 204 };
    },
  };

  function findSession(headers: RecordedRequest['headers']) {
    const token = readBearer(headers);
    return token === null ? undefined : sessions.get(token);
  }

  const server = https.createServer({ cert: material.certPem, key: material.keyPem }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text === '' ? undefined : (JSON.parse(text) as unknown);
      const path = (request.url ?? '/').split('?')[0] ?? '/';
      requests.push({ method: request.method ?? '', path, headers: request.headers, body });

      const route = routes[`${request.method} ${path}`];
      const answer = route === undefined ? apiError('NOT_FOUND') : route(body, request.headers);
      if (answer.body === undefined) {
        response.writeHead(answer.status).end();
        return;
      }
      response.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer.body));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

function describeSession(mfa: boolean): SessionInfo {
  const now = Date.now();
  return {
    user: { id: 'user-1', username: fakeUser.username, displayName: fakeUser.displayName, role: 'front_desk', permissions: ['schedule:read'] },
    practice: { id: 'practice-1', name: 'Juniper Acupuncture' },
    createdAt: new Date(now).toISOString(),
    idleExpiresAt: new Date(now + 15 * 60_000).toISOString(),
    expiresAt: new Date(now + 12 * 3_600_000).toISOString(),
    mfa,
  };
}

function apiError(code: ErrorCode, details: ErrorDetails = {}): { status: number; body: ApiErrorBody } {
  const entry = errorCatalogue[code];
  return { status: entry.status, body: { error: { code, message: entry.message, ...details } } };
}

function readBearer(headers: RecordedRequest['headers']): string | null {
  const header = headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
}
