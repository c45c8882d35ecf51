import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Db } from './database';

/** How often the checkpoint thread copies committed pages from the WAL file into the database. */
export const walCheckpointIntervalMs = 100;

/** SQLite's own default: a commit that finds this many pages in the WAL runs a checkpoint. */
const sqliteDefaultAutocheckpointPages = 1000;

export interface WalCheckpointer {
  /** Stops the thread after one last checkpoint. Safe to call twice. */
  stop(): Promise<void>;
}

// The thread's whole program. It runs as CommonJS, so it loads better-sqlite3 by the absolute
// path resolved on the main thread, whatever folder the server was started from.
const checkpointThreadSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3Path);
const db = new Database(workerData.databaseFile, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -256');
const checkpoint = () => db.pragma('wal_checkpoint(PASSIVE)');
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Moves WAL checkpoints off the event loop. By default SQLite runs a checkpoint inside whichever
 * commit finds 1000 pages in the WAL file, and a checkpoint waits for fsync. On the server that
 * commit is a request on the main thread, so every few hundred sign-ins one request waited for
 * the disk and every other request queued behind it. Here a worker thread with its own connection
 * runs a PASSIVE checkpoint every 100 ms, and the main connection stops checkpointing on commit.
 * SQLite documents that a PASSIVE checkpoint does not wait for readers or writers. If the thread fails, the main connection goes back
 * to SQLite's default, so the WAL file can never grow without bound.
 */
export function startWalCheckpointer(db: Db, onFailure: (error: unknown) => void): WalCheckpointer {
  const worker = new Worker(checkpointThreadSource, {
    eval: true,
    // The thread runs a dozen lines of JavaScript; small heaps keep its share of the server's memory small.
    resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    workerData: {
      databaseFile: db.name,
      betterSqlite3Path: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: walCheckpointIntervalMs,
    },
  });
  db.pragma('wal_autocheckpoint = 0');
  let isStopping = false;
  let hasFailed = false;
  const fail = (error: unknown): void => {
    if (hasFailed) {
      return;
    }
    hasFailed = true;
    if (db.open) {
      db.pragma(`wal_autocheckpoint = ${sqliteDefaultAutocheckpointPages}`);
    }
    onFailure(error);
  };
  const exited = new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
  });
  worker.once('error', fail);
  worker.once('exit', (code) => {
    if (!isStopping) {
      fail(new Error(`the WAL checkpoint thread exited with code ${code}`));
    }
  });
  return {
    async stop() {
      if (!isStopping) {
        isStopping = true;
        worker.postMessage('stop');
      }
      await exited;
      if (db.open) {
        db.pragma(`wal_autocheckpoint = ${sqliteDefaultAutocheckpointPages}`);
      }
    },
  };
}
