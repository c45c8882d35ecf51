import pino from 'pino';
import { secretLogPaths } from '../shared/log-redaction';

export type Logger = pino.Logger;

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
      redact: { paths: [...secretLogPaths], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

export function createModuleLogger(parent: Logger, moduleName: string): Logger {
  return parent.child({ module: moduleName });
}

export const silentLogger: Logger = pino({ level: 'silent' });
