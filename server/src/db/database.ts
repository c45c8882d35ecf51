import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';

export type Db = Database.Database;

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'clinicgate.db');
}

/** Opens (creating if needed) the database file with the server's pragmas and applies pending migrations. */
export function openDatabase(filePath: string): Db {
  mkdirSync(path.dirname(filePath), { recursive: true });
  const db = new Database(filePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  applyMigrations(db, migrations);
  cachePreparedStatements(db);
  return db;
}

/**
 * Runs `work` inside `BEGIN IMMEDIATE`, so the write lock is taken before the first read and two
 * processes cannot both read the same state and then both act on it.
 */
export function runImmediate<T>(db: Db, work: () => T): T {
  return db.transaction(work).immediate();
}

/** Most distinct SQL texts kept per connection; the server's own SQL has far fewer. */
const maxCachedStatements = 500;

/**
 * Makes `db.prepare` return one compiled statement per SQL text instead of compiling it on every
 * call. Compiling was about a sixth of the server's CPU time per code verification (V8 CPU profile
 * of `npm run bench`, see docs/benchmarks.md). Statements in this server never switch to `pluck`,
 * `raw` or `expand` mode, which would leak into later callers of the same SQL.
 */
function cachePreparedStatements(db: Db): void {
  const prepareUncached = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const prepareCached = (source: string): Database.Statement => {
    const cached = cache.get(source);
    if (cached !== undefined) {
      return cached;
    }
    if (cache.size >= maxCachedStatements) {
      cache.clear();
    }
    const statement = prepareUncached(source);
    cache.set(source, statement);
    return statement;
  };
  db.prepare = prepareCached as Db['prepare'];
}

export function applyMigrations(db: Db, list: readonly Migration[]): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const applied: string[] = [];
  for (const migration of list) {
    const wasApplied = runImmediate(db, () => {
      const existing = db.prepare('SELECT id FROM schema_migrations WHERE id = ?').get(migration.id);
      if (existing !== undefined) {
        return false;
      }
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)').run(migration.id, Date.now());
      return true;
    });
    if (wasApplied) {
      applied.push(migration.id);
    }
  }
  return applied;
}
