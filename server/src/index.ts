import type { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { OtpChannel } from '../../electron/shared/api';
import { buildApp } from './app';
import { systemClock, type Clock } from './clock';
import { toDeliverySettings, type ServerConfig } from './config';
import { createPasswordHasher } from './auth/password-hash';
import { databasePath, openDatabase } from './db/database';
import { startWalCheckpointer } from './db/wal-checkpointer';
import { createDeliverers } from './delivery/create-deliverers';
import type { CodeDeliverer } from './delivery/types';
import { seedDemoPractice } from './demo/demo-seed';
import { createLogger, createModuleLogger } from './logging/logger';
import { loadOrCreateCertificate } from './tls/certificate';

export interface StartOptions {
  clock?: Clock;
  logStream?: Writable;
  /** Replaces the SMTP/SMS/outbox deliverers built from the configuration. */
  deliverers?: Record<OtpChannel, CodeDeliverer>;
  /** Receives the two start-up lines; standard output when absent. */
  print?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  fingerprint: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * Starts the HTTPS server: certificate (generated on first start), database, deliverers, demo data
 * when enabled, then listen. Prints the URL and the certificate fingerprint that workstations confirm.
 */
export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const clock = options.clock ?? systemClock;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const logger = createLogger(config.logLevel, options.logStream);
  const startLogger = createModuleLogger(logger, 'start');

  const certificate = await loadOrCreateCertificate(config);
  if (certificate.wasGenerated) {
    startLogger.info({ certFile: certificate.certFile }, 'generated a self-signed certificate');
  }
  const db = openDatabase(databasePath(config.dataDir));
  const checkpointer = startWalCheckpointer(db, (error) => {
    startLogger.error({ errorName: error instanceof Error ? error.name : typeof error }, 'WAL checkpoint thread failed; commits checkpoint again');
  });
  let app: FastifyInstance | undefined;
  try {
    if (config.demo) {
      await seedDemoPractice(db, await createPasswordHasher(config.argon2), clock.now(), createModuleLogger(logger, 'demo'));
    }
    const deliverers = options.deliverers ?? createDeliverers(toDeliverySettings(config), logger);
    app = await buildApp({ config, db, clock, deliverers, logStream: options.logStream, tls: certificate });
    await app.listen({ host: config.host, port: config.port });

    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.port;
    const url = `https://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    print(`ClinicGate server listening on ${url}`);
    print(`TLS certificate SHA-256 fingerprint: ${certificate.fingerprint}`);
    startLogger.info({ url, fingerprint: certificate.fingerprint, demo: config.demo }, 'server started');
    const running = app;
    return {
      url,
      fingerprint: certificate.fingerprint,
      app: running,
      close: async () => {
        await running.close();
        await checkpointer.stop();
        db.close();
        startLogger.info({ url }, 'server stopped');
      },
    };
  } catch (error) {
    await app?.close();
    await checkpointer.stop();
    if (db.open) {
      db.close();
    }
    throw error;
  }
}
