import { rmSync, statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath, openDatabase, type Db } from '../../server/src/db/database';
import { startWalCheckpointer, walCheckpointIntervalMs } from '../../server/src/db/wal-checkpointer';
import { makeTempDir } from './support/harness';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
});

function openTempDatabase(): { db: Db; file: string } {
  const dataDir = makeTempDir();
  const file = databasePath(dataDir);
  const db = openDatabase(file);
  cleanups.push(() => {
    if (db.open) {
      db.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { db, file };
}

/** Writes about 4 MB of rows in one transaction; they land in the WAL file, not yet in the database file. */
function writeRows(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO filler (body) VALUES (?)');
  db.transaction(() => {
    for (let index = 0; index < 1000; index += 1) {
      insert.run(Buffer.alloc(4000, index % 251));
    }
  })();
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('WAL checkpoint thread', () => {
  it('copies committed pages into the database file while the main connection never checkpoints', async () => {
    const { db, file } = openTempDatabase();
    const failures: unknown[] = [];
    const checkpointer = startWalCheckpointer(db, (error) => failures.push(error));
    cleanups.push(() => checkpointer.stop());
    const sizeBefore = statSync(file).size;

    writeRows(db);

    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const hasGrown = await waitFor(() => statSync(file).size > sizeBefore + 3_000_000, 50 * walCheckpointIntervalMs);
    expect(hasGrown).toBe(true);
    expect(failures).toEqual([]);
  });

  // The control for the test above: the same writes stay in the WAL when no thread checkpoints.
  it('keeps pages in the WAL without the thread', async () => {
    const { db, file } = openTempDatabase();
    db.pragma('wal_autocheckpoint = 0');
    const sizeBefore = statSync(file).size;

    writeRows(db);
    await new Promise((resolve) => setTimeout(resolve, 5 * walCheckpointIntervalMs));

    expect(statSync(file).size).toBe(sizeBefore);
  });

  it('restores SQLite checkpoints on commit when it stops', async () => {
    const { db } = openTempDatabase();
    const checkpointer = startWalCheckpointer(db, () => undefined);

    await checkpointer.stop();
    await checkpointer.stop();

    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('reports a thread that cannot open the database and restores checkpoints on commit', async () => {
    const { db, file } = openTempDatabase();
    db.close();
    rmSync(file);
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    // A connection to a file that is gone: the thread fails to open it, since it must exist.
    const stale = openDatabase(file);
    rmSync(file);
    const failures: unknown[] = [];
    const checkpointer = startWalCheckpointer(stale, (error) => failures.push(error));
    cleanups.push(async () => {
      await checkpointer.stop();
      stale.close();
    });

    expect(await waitFor(() => failures.length > 0, 5000)).toBe(true);
    expect(stale.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});
