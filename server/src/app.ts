import { randomInt, randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { apiBasePath, type OtpChannel } from '../../electron/shared/api';
import type { ServerConfig } from './config';
import type { Clock } from './clock';
import { databasePath, openDatabase, type Db } from './db/database';
import type { CodeDeliverer } from './delivery/types';
import { createPasswordHasher } from './auth/password-hash';
import { installErrorHandling } from './errors/error-handler';
import { createLogger, createModuleLogger, type Logger } from './logging/logger';
import { loadOrCreateOtpSecret } from './otp/otp-secret';
import type { RandomIntSource } from './otp/otp-code';
import { registerAuthRoutes } from './routes/auth-routes';
import { registerSessionRoutes } from './routes/session-routes';
import { healthReply } from './routes/schemas';
import type { ServerContext } from './server-context';

export const bodyLimitBytes = 16 * 1024;

export interface AppDependencies {
  config: ServerConfig;
  /** An open database; when absent, `<config.dataDir>/clinicgate.db` is opened and closed with the app. */
  db?: Db;
  clock: Clock;
  deliverers: Record<OtpChannel, CodeDeliverer>;
  /** Destination of log lines; standard output when absent. */
  logStream?: Writable;
  /** Only for tests that need a specific code, such as one with a leading zero. */
  randomInt?: RandomIntSource;
  /** Certificate and key for HTTPS; without them the app serves only `inject` calls and plain HTTP. */
  tls?: { cert: string; key: string };
}

/** Builds the Fastify app from its dependencies without listening, so tests can call `app.inject`. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const rootLogger = createLogger(config.logLevel, deps.logStream);
  const ownsDatabase = deps.db === undefined;
  const db = deps.db ?? openDatabase(databasePath(config.dataDir));
  const context: ServerContext = {
    db,
    clock: deps.clock,
    hasher: await createPasswordHasher(config.argon2),
    otpSecret: loadOrCreateOtpSecret(config.otp.secretFile),
    deliverers: deps.deliverers,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    randomInt: deps.randomInt ?? randomInt,
    logger: createModuleLogger(rootLogger, 'sign-in'),
  };

  const app = Fastify({
    loggerInstance: createModuleLogger(rootLogger, 'http') as Logger,
    bodyLimit: bodyLimitBytes,
    trustProxy: false,
    genReqId: () => randomUUID(),
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    ...(deps.tls === undefined
      ? {}
      : { https: { cert: deps.tls.cert, key: deps.tls.key, minVersion: 'TLSv1.2' as const, maxVersion: 'TLSv1.3' as const } }),
  }) as unknown as FastifyInstance;

  // Only JSON bodies are accepted; without this, text/plain would reach the schema as a string.
  app.removeContentTypeParser(['text/plain']);
  installErrorHandling(app, createModuleLogger(rootLogger, 'errors'));
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ClinicGate server API', version: '1.0.0', description: 'Sign-in with password and a one-time code.' },
      components: {
        securitySchemes: { session: { type: 'http', scheme: 'bearer', description: 'Session token from the sign-in routes' } },
      },
    },
  });

  await app.register(
    async (api) => {
      api.get('/health', { schema: { tags: ['system'], summary: 'Report that the server is up', response: { 200: healthReply } } }, async () => ({
        status: 'ok' as const,
      }));
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      // Its own plugin scope keeps the per-IP limit hook on the sign-in routes only.
      await api.register(async (auth) => registerAuthRoutes(auth, context));
      await registerSessionRoutes(api, context);
    },
    { prefix: apiBasePath },
  );

  if (ownsDatabase) {
    app.addHook('onClose', async () => db.close());
  }
  await app.ready();
  return app;
}
