import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyMigrations, databasePath, openDatabase } from '../../server/src/db/database';
import { migrations } from '../../server/src/db/migrations';
import { makeTempDir } from './support/harness';

describe('database', () => {
  it('opens with WAL, NORMAL sync, foreign keys and a busy timeout', () => {
    const dataDir = makeTempDir();
    const db = openDatabase(databasePath(dataDir));

    const pragmas = {
      journalMode: db.pragma('journal_mode', { simple: true }),
      synchronous: db.pragma('synchronous', { simple: true }),
      foreignKeys: db.pragma('foreign_keys', { simple: true }),
      busyTimeout: db.pragma('busy_timeout', { simple: true }),
    };

    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(pragmas).toEqual({ journalMode: 'wal', synchronous: 1, foreignKeys: 1, busyTimeout: 5000 });
  });

  it('applies each migration once and records it', () => {
    const dataDir = makeTempDir();
    const db = openDatabase(databasePath(dataDir));

    const reapplied = applyMigrations(db, migrations);

    const recorded = db.prepare('SELECT id FROM schema_migrations ORDER BY id').all();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(reapplied).toEqual([]);
    expect(recorded).toEqual(migrations.map((migration) => ({ id: migration.id })));
  });

  it('rolls back a failing migration', () => {
    const dataDir = makeTempDir();
    const db = openDatabase(databasePath(dataDir));
    const broken = { id: '9999_broken', sql: 'CREATE TABLE half_done (id INTEGER); INSERT INTO missing_table VALUES (1);' };

    const apply = () => applyMigrations(db, [...migrations, broken]);

    expect(apply).toThrow(/missing_table/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half_done'").all();
    const recorded = db.prepare("SELECT id FROM schema_migrations WHERE id = '9999_broken'").all();
    db.close();
    rmSync(dataDir, { recursive: true, force: true });
    expect(tables).toEqual([]);
    expect(recorded).toEqual([]);
  });
});
