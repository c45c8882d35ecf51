import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/src/db/database';
import { makeTempDir } from './support/harness';

describe('prepared statement cache', () => {
  let db: Db | undefined;

  afterEach(() => {
    db?.close();
    db = undefined;
  });

  it('returns one statement per SQL text', () => {
    db = openDatabase(path.join(makeTempDir(), 'clinicgate.db'));

    const first = db.prepare('SELECT count FROM rate_limits WHERE key = ?');
    const second = db.prepare('SELECT count FROM rate_limits WHERE key = ?');
    const other = db.prepare('SELECT window_start FROM rate_limits WHERE key = ?');

    expect(second).toBe(first);
    expect(other).not.toBe(first);
  });

  it('binds new parameters on each use', () => {
    db = openDatabase(path.join(makeTempDir(), 'clinicgate.db'));
    const insert = 'INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)';
    db.prepare(insert).run('a', 0, 1);
    db.prepare(insert).run('b', 0, 2);

    const select = 'SELECT count FROM rate_limits WHERE key = ?';
    const counts = ['a', 'b'].map((key) => (db!.prepare(select).get(key) as { count: number }).count);

    expect(counts).toEqual([1, 2]);
  });

  it('lets a cached statement iterate again after a full pass', () => {
    db = openDatabase(path.join(makeTempDir(), 'clinicgate.db'));
    db.prepare('INSERT INTO rate_limits (key, window_start, count) VALUES (?, ?, ?)').run('a', 0, 1);
    const select = 'SELECT key FROM rate_limits ORDER BY key';

    const firstPass = [...(db.prepare(select).iterate() as Iterable<{ key: string }>)].map((row) => row.key);
    const secondPass = [...(db.prepare(select).iterate() as Iterable<{ key: string }>)].map((row) => row.key);

    expect(firstPass).toEqual(['a']);
    expect(secondPass).toEqual(['a']);
  });
});
