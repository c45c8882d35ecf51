import { randomInt, randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { apiBasePath, type OtpChannel } from '../../electron/shared/api';
import type { ServerConfig } from './config';
import type { Clock } from './clock';
import { databasePath, openDatabase, type Db } from './db/database';
import type { CodeDeliverer } from './delivery/types';
import type { GeoLocator } from './geo/geo-locator';
import { createPasswordHasher } from './auth/password-hash';
import { loadPasswordBlocklist } from './auth/password-blocklist';
import { installErrorHandling } from './errors/error-handler';
import { openGeoLocator } from './geo/geo-locator';
import { createProxyTrust } from './routes/request-origin';
import { registerDeviceRoutes } from './routes/device-routes';
import { createLogger, createModuleLogger, type Logger } from './logging/logger';
import { loadOrCreateOtpSecret } from './otp/otp-secret';
import type { RandomIntSource } from './otp/otp-code';
import { authRequestsPerIpRule } from './rate-limit/rate-limit';
import { registerAuthRoutes } from './routes/auth-routes';
import { registerAccountPasswordRoutes, registerPasswordResetRoutes } from './routes/password-routes';
import { registerAccountSetupRoutes } from './routes/account-setup-routes';
import { registerAuditRoutes } from './routes/audit-routes';
import { registerPracticeAdminRoutes } from './routes/practice-admin-routes';
import { registerProfileRoutes } from './routes/profile-routes';
import { registerSessionRoutes } from './routes/session-routes';
import { sessionSweepIntervalMs, sweepExpiredSessions } from './auth/session-sweep';
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
  /** Replaces the GeoIP database named by `config.geoip`. */
  geoLocator?: GeoLocator;
  /** Certificate and key for HTTPS; without them the app serves only `inject` calls and plain HTTP. */
  tls?: { cert: string; key: string };
  /** Interval of the sweep that ends and audits sessions past a limit; 0 turns the timer off (tests call the sweep directly). */
  sessionSweepIntervalMs?: number;
}

/** Builds the Fastify app from its dependencies without listening, so tests can call `app.inject`. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const { config } = deps;
  const rootLogger = createLogger(config.logLevel, deps.logStream);
  const ownsDatabase = deps.db === undefined;
  const db = deps.db ?? openDatabase(databasePath(config.dataDir));
  // Read once here, so the first password change does not pay for loading the list.
  loadPasswordBlocklist();
  const context: ServerContext = {
    db,
    clock: deps.clock,
    hasher: await createPasswordHasher(config.argon2),
    otpSecret: loadOrCreateOtpSecret(config.otp.secretFile),
    deliverers: deps.deliverers,
    deliveryTimeoutMs: config.deliveryTimeoutMs,
    randomInt: deps.randomInt ?? randomInt,
    logger: createModuleLogger(rootLogger, 'sign-in'),
    authRequestsPerIp: authRequestsPerIpRule(config.rateLimits.perIpPerMinute),
    geoLocator:
      deps.geoLocator ??
      openGeoLocator(config.geoip, (error) => {
        rootLogger.error({ module: 'geoip', errorName: error instanceof Error ? error.name : typeof error }, 'GeoIP lookup failed; treating the location as unknown');
      }),
    accessPatternWindowDays: config.accessPattern.windowDays,
  };

  const app = Fastify({
    loggerInstance: createModuleLogger(rootLogger, 'http') as Logger,
    bodyLimit: bodyLimitBytes,
    // `request.ip` is then the rightmost X-Forwarded-For hop that is not a trusted proxy.
    trustProxy: createProxyTrust(config.trustedProxies),
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
      await api.register(async (auth) => {
        await registerAuthRoutes(auth, context);
        await registerPasswordResetRoutes(auth, context);
        await registerAccountSetupRoutes(auth, context);
      });
      await registerAccountPasswordRoutes(api, context);
      await registerSessionRoutes(api, context);
      await registerDeviceRoutes(api, context);
      await registerAuditRoutes(api, context);
      await registerPracticeAdminRoutes(api, context);
      await registerProfileRoutes(api, context);
    },
    { prefix: apiBasePath },
  );

  startSessionSweep(app, context, deps.sessionSweepIntervalMs ?? sessionSweepIntervalMs);
  if (ownsDatabase) {
    app.addHook('onClose', async () => db.close());
  }
  await app.ready();
  return app;
}

/** Ends and audits sessions past a limit on a timer, so a time-out is recorded even when no request arrives. */
function startSessionSweep(app: FastifyInstance, context: ServerContext, intervalMs: number): void {
  if (intervalMs <= 0) {
    return;
  }
  const logger = context.logger.child({ task: 'session-sweep' });
  const timer = setInterval(() => {
    try {
      const endedCount = sweepExpiredSessions(context.db, context.clock.now());
      if (endedCount > 0) {
        logger.info({ endedCount }, 'ended sessions past their time-out');
      }
    } catch (error) {
      logger.error({ err: error }, 'session sweep failed');
    }
  }, intervalMs);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));
}
