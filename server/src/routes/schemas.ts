import { Type, type Static } from '@sinclair/typebox';
import { deviceFingerprintPattern } from '../../../electron/shared/api';
import { secretTokenPattern } from '../auth/secret-token';
import { maxPasswordLength } from '../auth/password-hash';
import { maxDeviceNameLength } from '../devices/device-trust';
import { otpCodePattern } from '../otp/otp-code';

// Ajv compiles patterns with the `u` flag, so \p{Cc} matches every C0 and C1 control character.
// Bidi embeddings, overrides and isolates are rejected too, because they can make a name
// display as a different one in the audit log.
const plainTextPattern = '^[^\\p{Cc}\\u202A-\\u202E\\u2066-\\u2069]+$';

const username = Type.String({ minLength: 1, maxLength: 64, pattern: plainTextPattern });
const password = Type.String({ minLength: 1, maxLength: maxPasswordLength });
const deviceFingerprint = Type.String({ pattern: deviceFingerprintPattern, description: 'SHA-256 hex computed by the desktop agent' });
const secretToken = Type.String({ pattern: secretTokenPattern });
const deviceName = Type.String({ minLength: 1, maxLength: maxDeviceNameLength, pattern: plainTextPattern });
const channel = Type.Union([Type.Literal('email'), Type.Literal('sms')]);
const isoTime = Type.String({ format: 'date-time' });
const role = Type.Union([Type.Literal('clinician'), Type.Literal('front_desk'), Type.Literal('billing'), Type.Literal('practice_admin')]);

export const passwordStepBody = Type.Object(
  { username, password, deviceFingerprint, deviceTrustToken: Type.Optional(secretToken), deviceName: Type.Optional(deviceName) },
  { additionalProperties: false },
);
export type PasswordStepBody = Static<typeof passwordStepBody>;

export const sendCodeBody = Type.Object({ challengeToken: secretToken, channel }, { additionalProperties: false });
export type SendCodeBody = Static<typeof sendCodeBody>;

export const verifyCodeBody = Type.Object(
  {
    challengeToken: secretToken,
    code: Type.String({ pattern: otpCodePattern, description: 'six digits; leading zeros are part of the code' }),
    deviceFingerprint,
    rememberDevice: Type.Boolean(),
    deviceName: Type.Optional(deviceName),
  },
  { additionalProperties: false },
);
export type VerifyCodeBody = Static<typeof verifyCodeBody>;

const sessionInfo = Type.Object({
  user: Type.Object({
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    role,
    permissions: Type.Array(Type.String()),
  }),
  practice: Type.Object({ id: Type.String(), name: Type.String() }),
  createdAt: isoTime,
  idleExpiresAt: isoTime,
  expiresAt: isoTime,
  mfa: Type.Boolean(),
  idleTimeoutMinutes: Type.Optional(Type.Integer({ minimum: 1 })),
  passwordPolicy: Type.Optional(Type.Object({ minLength: Type.Integer(), maxLength: Type.Integer() })),
});
const sessionGrant = Type.Object({ token: Type.String(), info: sessionInfo });
const channelOption = Type.Object({ channel, destination: Type.String() });

export const passwordStepReply = Type.Union([
  Type.Object({ status: Type.Literal('signed_in'), session: sessionGrant }),
  Type.Object({
    status: Type.Literal('mfa_required'),
    challenge: Type.Object({
      challengeToken: Type.String(),
      reason: Type.Union([Type.Literal('new_workstation'), Type.Literal('required_by_practice'), Type.Literal('unusual_location')]),
      channels: Type.Array(channelOption),
      preferredChannel: channel,
      expiresAt: isoTime,
    }),
  }),
]);

export const sendCodeReply = Type.Object({
  channel,
  destination: Type.String(),
  codeExpiresAt: isoTime,
  resendAvailableAt: isoTime,
  sendsRemainingThisHour: Type.Integer(),
  attemptsRemaining: Type.Integer(),
});

export const verifyCodeReply = Type.Object({
  session: sessionGrant,
  deviceTrust: Type.Optional(Type.Object({ token: Type.String(), expiresAt: isoTime })),
});

export const sessionInfoReply = sessionInfo;

export const errorReply = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    attemptsRemaining: Type.Optional(Type.Integer()),
    retryAfterSeconds: Type.Optional(Type.Integer()),
    channels: Type.Optional(Type.Array(channel)),
    field: Type.Optional(Type.String()),
    minPasswordLength: Type.Optional(Type.Integer()),
    problem: Type.Optional(Type.String()),
  }),
});

export const healthReply = Type.Object({ status: Type.Literal('ok') });

export const sessionHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <session token>' })),
  'x-clinicgate-device': Type.Optional(Type.String({ description: 'device fingerprint the session was issued to' })),
  'x-clinicgate-background': Type.Optional(Type.String({ description: '1 when the request is polling, not user activity' })),
});
