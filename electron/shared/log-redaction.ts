/**
 * Field names that may carry a secret. Call sites never log them; the server's and the agent's
 * loggers also remove them at the sink, in case a value slips through.
 */
const secretFieldNames = [
  'password',
  'code',
  'token',
  'authorization',
  'challengeToken',
  'deviceTrustToken',
  'sessionToken',
  'secret',
] as const;

/**
 * pino `redact` paths for every secret field at the top level and one level down, plus the
 * Authorization header. pino matches exact keys, so each name is listed.
 */
export const secretLogPaths: readonly string[] = [
  ...secretFieldNames,
  ...secretFieldNames.map((name) => `*.${name}`),
  'headers.authorization',
  'req.headers.authorization',
];
