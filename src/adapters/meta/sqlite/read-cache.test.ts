// The read cache must stay within its limits by dropping the least recently used entry (not everything), and must
// still forget every answer after a write here, or a commit by another connection from the next turn of the loop.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Db, openDb } from './db.ts';
import { ReadCache } from './read-cache.ts';

const dir = await mkdtemp(join(tmpdir(), 'berth-read-cache-'));
after(() => rm(dir, { recursive: true, force: true }));
let files = 0;
const db = () => openDb(join(dir, `f${++files}.db`), 1_000);

/** Lets the event loop turn, as it does before another process's commit can reach a request here. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** `db`'s connection, but every run of `PRAGMA data_version` calls `onAsk` first (which may throw). */
function versionSpy(db: Db, onAsk: () => void): Db['raw'] {
  const prepare = db.raw.prepare.bind(db.raw);
  return new Proxy(db.raw, {
    get: (target, prop) =>
      prop === 'prepare'
        ? (sql: string) => {
            const stmt = prepare(sql);
            if (sql !== 'PRAGMA data_version') return stmt;
            const pluck = stmt.pluck.bind(stmt);
            return Object.assign(stmt, {
              pluck: () => {
                const plucked = pluck();
                const get = plucked.get.bind(plucked);
                return Object.assign(plucked, {
                  get: () => {
                    onAsk();
                    return get();
                  },
                });
              },
            });
          }
        : Reflect.get(target, prop, target),
  });
}

/** Reads `key` through the cache and says whether the loader ran. */
function loaded(cache: ReadCache, key: string, size = 0): boolean {
  let ran = false;
  cache.get(
    key,
    () => {
      ran = true;
      return key;
    },
    () => size,
  );
  return ran;
}

describe('ReadCache', () => {
  it('drops the least recently used entry when the entry limit is reached, keeping the rest', () => {
    const cache = new ReadCache(db(), { maxEntries: 3, maxBytes: 1 << 20 });
    for (const k of ['a', 'b', 'c']) assert.equal(loaded(cache, k), true);
    assert.equal(loaded(cache, 'a'), false, 'a is cached and now the most recently used');
    assert.equal(loaded(cache, 'd'), true);
    assert.equal(cache.stats.entries, 3);
    assert.equal(loaded(cache, 'b'), true, 'b was the least recently used, so it went');
    assert.equal(loaded(cache, 'a'), false);
    assert.equal(loaded(cache, 'd'), false);
  });

  it('keeps its estimated bytes within the byte limit, and does not cache a value larger than the limit', () => {
    const cache = new ReadCache(db(), { maxEntries: 1_000, maxBytes: 4_000 });
    for (let i = 0; i < 50; i++) loaded(cache, `k${i}`, 500);
    assert.ok(cache.stats.bytes <= 4_000, `${cache.stats.bytes} bytes`);
    assert.ok(cache.stats.entries >= 4, `${cache.stats.entries} entries: the newest stay`);
    assert.equal(loaded(cache, 'k49'), false);
    assert.equal(loaded(cache, 'huge', 10_000), true);
    assert.equal(loaded(cache, 'huge', 10_000), true, 'too large to keep');
    assert.equal(loaded(cache, 'k49'), false, 'and it evicted nothing');
  });

  it('caches nothing with a zero limit', () => {
    const cache = new ReadCache(db(), { maxEntries: 0, maxBytes: 0 });
    assert.equal(loaded(cache, 'a'), true);
    assert.equal(loaded(cache, 'a'), true);
  });

  it('patches cached values in place after a write that says what it changed, keeping every entry', () => {
    const cache = new ReadCache(db(), { maxEntries: 10, maxBytes: 1 << 20 });
    for (const k of ['a', 'b']) loaded(cache, k);
    cache.patch((key, value) => (key === 'a' ? `${String(value)}!` : value));
    assert.equal(
      cache.get('a', () => 'reloaded'),
      'a!',
    );
    assert.equal(loaded(cache, 'b'), false, 'the untouched entry is still cached');
    assert.equal(cache.stats.entries, 2);
  });

  it("forgets everything after a local write at once, and after another connection's commit from the next turn", async () => {
    const file = join(dir, 'shared.db');
    const mine = openDb(file, 1_000);
    const other = openDb(file, 1_000);
    const cache = new ReadCache(mine, { maxEntries: 10, maxBytes: 1 << 20 });
    loaded(cache, 'a');
    assert.equal(loaded(cache, 'a'), false);
    cache.invalidate();
    assert.equal(loaded(cache, 'a'), true, 'after a local write');
    other.raw.exec("INSERT INTO namespaces (name, settings, created_at) VALUES ('n', '{}', 0)");
    await nextTurn();
    assert.equal(loaded(cache, 'a'), true, 'after a commit by another connection');
    assert.equal(loaded(cache, 'a'), false);
    mine.raw.close();
    other.raw.close();
  });

  it('checks for commits once per turn of the event loop: later reads in the same turn share the check', async () => {
    const file = join(dir, 'turns.db');
    const mine = openDb(file, 1_000);
    const other = openDb(file, 1_000);
    const cache = new ReadCache(mine, { maxEntries: 10, maxBytes: 1 << 20 });
    await nextTurn();
    loaded(cache, 'a');
    other.raw.exec("INSERT INTO namespaces (name, settings, created_at) VALUES ('t', '{}', 0)");
    // Nothing that arrived after this turn began can be served before it ends, so the turn's check covers it.
    assert.equal(await Promise.resolve().then(() => loaded(cache, 'a')), false, 'a read later in the same turn shares the check');
    await nextTurn();
    assert.equal(loaded(cache, 'a'), true, 'the next turn checks again and sees the commit');
    mine.raw.close();
    other.raw.close();
  });

  it('asks SQLite for data_version only after the WAL-index header shows a commit', async () => {
    const file = join(dir, 'counted.db');
    const mine = openDb(file, 1_000);
    const other = openDb(file, 1_000);
    let asked = 0;
    const raw = versionSpy(mine, () => {
      asked++;
    });
    const cache = new ReadCache({ ...mine, raw }, { maxEntries: 10, maxBytes: 1 << 20 });
    loaded(cache, 'a');
    const first = asked;
    for (let i = 0; i < 100; i++) {
      await nextTurn();
      assert.equal(loaded(cache, 'a'), false);
    }
    assert.ok(asked - first <= 1, `${asked - first} data_version reads for 100 hits in 100 turns with nothing committed`);
    other.raw.exec("INSERT INTO namespaces (name, settings, created_at) VALUES ('m', '{}', 0)");
    await nextTurn();
    const before = asked;
    assert.equal(loaded(cache, 'a'), true, "another connection's commit is still seen");
    assert.equal(asked - before, 1, 'by asking data_version once');
    mine.raw.close();
    other.raw.close();
  });

  it('checks again after a failed data_version read, so a commit the header showed is not lost', async () => {
    const file = join(dir, 'failing.db');
    const mine = openDb(file, 1_000);
    const other = openDb(file, 1_000);
    let fail = false;
    const raw = versionSpy(mine, () => {
      if (fail) throw new Error('database is locked');
    });
    const cache = new ReadCache({ ...mine, raw }, { maxEntries: 10, maxBytes: 1 << 20 });
    loaded(cache, 'a');
    await nextTurn();
    other.raw.exec("INSERT INTO namespaces (name, settings, created_at) VALUES ('f', '{}', 0)");
    fail = true;
    assert.throws(() => loaded(cache, 'a'), /database is locked/);
    fail = false;
    assert.equal(loaded(cache, 'a'), true, 'the same turn checks again: the failed check counted for nothing');
    mine.raw.close();
    other.raw.close();
  });
});
