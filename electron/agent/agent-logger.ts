import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Fields removed at the sink in case a value slips past the call sites, which never pass
 * tokens, codes or passwords. pino matches exact keys, so each field is listed by name.
 */
const redactedPaths = [
  'password',
  'code',
  'token',
  'authorization',
  'challengeToken',
  'deviceTrustToken',
  'sessionToken',
  'secret',
  '*.password',
  '*.code',
  '*.token',
  '*.authorization',
  '*.challengeToken',
  '*.deviceTrustToken',
  '*.sessionToken',
  '*.secret',
  'headers.authorization',
];

/**
 * Creates the agent's root logger. It writes to stderr by default so that stdout stays free
 * for the lines other programs read (the browser shell prints its address there).
 */
export function createAgentLogger(
  level: string = process.env.CLINICGATE_LOG_LEVEL ?? 'info',
  stream: pino.DestinationStream = pino.destination(2),
): Logger {
  return pino(
    {
      level,
      base: { service: 'clinicgate-agent' },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

export function createModuleLogger(parent: Logger, moduleName: string): Logger {
  return parent.child({ module: moduleName });
}

export const silentLogger: Logger = pino({ level: 'silent' });
