/**
 * The one catalogue of failure codes. The server sends these in API error bodies,
 * the local auth agent adds its own (server reachability, certificate, bridge),
 * and the renderer shows `message` or a more specific text built from the details.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, message: 'The request is invalid. Check the highlighted fields and try again.' },
  BODY_TOO_LARGE: { status: 413, message: 'The request is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request must be sent as JSON.' },
  NOT_FOUND: { status: 404, message: 'That address does not exist on this server.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'That method is not allowed here.' },

  AUTH_INVALID_CREDENTIALS: { status: 401, message: 'The username or password is incorrect.' },
  AUTH_ACCOUNT_LOCKED: {
    status: 423,
    message: 'This account is locked after too many wrong codes. Try again later or ask your practice administrator to unlock it.',
  },
  AUTH_ACCOUNT_DISABLED: { status: 403, message: 'This account is deactivated. Contact your practice administrator.' },
  RATE_LIMITED: { status: 429, message: 'Too many attempts. Wait a moment and try again.' },
  AUTH_FORBIDDEN: { status: 403, message: 'Your role does not allow this. Ask your practice administrator if you need access.' },

  OTP_CHALLENGE_INVALID: { status: 401, message: 'This sign-in attempt is no longer valid. Sign in again.' },
  OTP_CHALLENGE_EXPIRED: { status: 401, message: 'This sign-in attempt expired. Sign in again.' },
  OTP_CHALLENGE_LOCKED: { status: 423, message: 'Too many wrong codes. Send a new code to try again.' },
  OTP_NO_CODE_SENT: { status: 409, message: 'No code has been sent yet. Choose where to send it.' },
  OTP_CODE_INVALID: { status: 401, message: 'That code is not correct.' },
  OTP_CODE_EXPIRED: { status: 401, message: 'That code has expired. Send a new code.' },
  OTP_CHANNEL_UNAVAILABLE: { status: 400, message: 'That delivery method is not set up for this account.' },
  OTP_RESEND_COOLDOWN: { status: 429, message: 'A code was just sent. Wait before asking for another.' },
  OTP_SEND_LIMIT_REACHED: { status: 429, message: 'Too many codes were sent in the last hour. Try again later.' },
  DELIVERY_FAILED: { status: 502, message: 'The code could not be sent. Try the other delivery method.' },

  SESSION_INVALID: { status: 401, message: 'You are signed out. Sign in again.' },
  SESSION_EXPIRED: { status: 401, message: 'Your session expired. Sign in again.' },
  SESSION_DEVICE_MISMATCH: { status: 401, message: 'This session belongs to another workstation. Sign in again.' },
  SESSION_PASSWORD_CHANGED: { status: 401, message: 'Your password was changed, so you were signed out. Sign in with the new password.' },
  SESSION_MFA_REQUIRED: {
    status: 401,
    message: 'Your practice now requires a code at every sign-in, so you were signed out. Sign in again and enter the code we send you.',
  },
  SESSION_REVOKED_BY_ADMIN: { status: 401, message: 'Your practice administrator signed you out. Sign in again.' },
  SESSION_ACCOUNT_DEACTIVATED: {
    status: 401,
    message: 'Your account was deactivated by your practice administrator, so you were signed out. Ask them if you need access again.',
  },
  SESSION_SIGNED_OUT_EVERYWHERE: {
    status: 401,
    message: 'You signed out everywhere from another workstation, so this session ended. Sign in again to continue.',
  },
  DEVICE_NOT_FOUND: { status: 404, message: 'That trusted workstation was not found. It may have been revoked or expired already.' },

  PASSWORD_TOO_SHORT: { status: 400, message: 'The new password is too short. A few unrelated words make a long password that is easy to remember.' },
  PASSWORD_TOO_LONG: { status: 400, message: 'The new password is too long. Use at most 1024 characters.' },
  PASSWORD_BLOCKLISTED: {
    status: 400,
    message: 'That password is on the list of common and breached passwords, so it is easy to guess. Choose another one.',
  },
  PASSWORD_REPETITIVE: { status: 400, message: 'That password repeats the same one or two characters, so it is easy to guess. Choose another one.' },
  PASSWORD_CONTAINS_CONTEXT: {
    status: 400,
    message: 'That password contains your username, your email name or the practice name, so it is easy to guess. Choose another one.',
  },
  AUTH_CURRENT_PASSWORD_INVALID: { status: 401, message: 'The current password is incorrect.' },
  PASSWORD_RESET_TOKEN_INVALID: {
    status: 401,
    message: 'This password reset is not valid for this account. Start again with "Forgot password?".',
  },
  PASSWORD_RESET_TOKEN_EXPIRED: { status: 401, message: 'This password reset expired. Start again with "Forgot password?".' },
  PASSWORD_RESET_TOKEN_USED: {
    status: 409,
    message: 'This password reset was already used. Sign in with your new password, or start again with "Forgot password?".',
  },
  ACCOUNT_SETUP_CODE_INVALID: {
    status: 401,
    message: 'The username or setup code is not correct. Check both against your welcome email and try again.',
  },
  ACCOUNT_SETUP_CODE_EXPIRED: {
    status: 401,
    message: 'This setup code has expired. Ask your practice administrator to send you a new setup code.',
  },
  ACCOUNT_SETUP_CODE_LOCKED: {
    status: 423,
    message: 'Too many wrong setup codes were entered, so this setup code no longer works. Ask your practice administrator to send you a new one.',
  },
  ACCOUNT_SETUP_NOT_PENDING: {
    status: 409,
    message: 'This user has already chosen a password. If they forgot it, they can use "Forgot password?" on the sign-in screen.',
  },
  ACCOUNT_SETUP_USER_DEACTIVATED: { status: 409, message: 'This user is deactivated. Reactivate them before sending a new setup code.' },
  ACCOUNT_SETUP_EMAIL_FAILED: {
    status: 502,
    message: 'The setup email could not be sent, so the previous setup code still works. Check the server\'s email settings and try again.',
  },
  ACCOUNT_SETUP_EMAIL_CHANGED: {
    status: 409,
    message: "The user's email address changed while the setup email was on its way, so that setup code does not work. Send a new setup code.",
  },

  USER_NOT_FOUND: { status: 404, message: 'That user was not found in your practice.' },
  USER_USERNAME_TAKEN: { status: 409, message: 'That username is already taken. Choose another one.' },
  USER_LAST_ADMIN: {
    status: 409,
    message: 'This is the last active practice administrator. Make another user a practice administrator first.',
  },

  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on the server. Try again; if it keeps happening, tell your IT contact.' },

  SERVER_NOT_CONFIGURED: { status: 0, message: 'Set the server address before signing in.' },
  SERVER_ADDRESS_INVALID: { status: 0, message: 'Enter the server address as https://host:port.' },
  SERVER_UNREACHABLE: { status: 0, message: 'The ClinicGate server cannot be reached. Check the network and the server address.' },
  SERVER_CERTIFICATE_MISMATCH: {
    status: 0,
    message: 'The server presented a certificate that does not match the one confirmed for this workstation. Do not continue; tell your IT contact.',
  },
  SIGN_IN_NOT_STARTED: { status: 0, message: 'Start by entering your username and password.' },
  PASSWORD_RESET_NOT_STARTED: { status: 0, message: 'Start by entering the email address registered for your account.' },
  ACCOUNT_SETUP_NOT_STARTED: { status: 0, message: 'Start by entering your username and the setup code from your welcome email.' },
  BRIDGE_UNAUTHORIZED: { status: 0, message: 'This window is not connected to ClinicGate. Open it from the address ClinicGate printed.' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

/** Extra facts an error may carry, so the screens can show what to do next. */
export interface ErrorDetails {
  attemptsRemaining?: number;
  retryAfterSeconds?: number;
  /** Channels the user can still pick after a failure on one of them. */
  channels?: Array<'email' | 'sms'>;
  /** For VALIDATION_FAILED: the request field that failed, as a JSON pointer like `/username`. */
  field?: string;
  /** For VALIDATION_FAILED and conflicts found by the server's own checks: what is wrong and what is allowed. */
  problem?: string;
  /** For PASSWORD_TOO_SHORT: the practice's minimum length in characters (Unicode code points after NFKC). */
  minPasswordLength?: number;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCatalogue, value);
}
