// Runs the shared queries on better-sqlite3: synchronously, each write as one IMMEDIATE transaction on the one
// connection (so a transaction can never interleave with another request), hot reads through the ReadCache.
import type Database from 'better-sqlite3';
import type { CachePatch, SqlEngine } from '../sql/engine.ts';
import { type EngineTraits, oneStatement, type Q, runSync, type Statement } from '../sql/query.ts';
import type { Db } from './db.ts';
import { DEFAULT_READ_CACHE, ReadCache, type ReadCacheLimits } from './read-cache.ts';

export const SQLITE_TRAITS: EngineTraits = {
  kind: 'sqlite',
  forUpdate: '',
  rowLocks: false,
  orderedJoin: 'CROSS JOIN',
  textHoldsNul: true,
  textParam: (p) => p,
  textList: (p) => `SELECT value AS v FROM json_each(${p})`,
  inList: (column, p) => `${column} IN (SELECT value FROM json_each(${p}))`,
};

/**
 * A statement prepared once per SQL text, and how it binds: `$1, $2...` in order become plain `?` (bound from the
 * array as they come); a statement that repeats or reorders a number keeps it, which SQLite reads as a named
 * parameter bound from an object by number.
 */
interface Prepared {
  stmt: Database.Statement;
  named: boolean;
}

function prepare(db: Db, sql: string): Prepared {
  const numbers = [...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  const inOrder = numbers.every((n, i) => n === i + 1);
  return { stmt: db.raw.prepare(inOrder ? sql.replace(/\$\d+/g, '?') : sql), named: !inOrder };
}

function byNumber(params: readonly unknown[]): Record<number, unknown> {
  const bound: Record<number, unknown> = {};
  for (let i = 0; i < params.length; i++) bound[i + 1] = params[i];
  return bound;
}

export function sqliteEngine(db: Db, readCache: ReadCacheLimits = DEFAULT_READ_CACHE): SqlEngine {
  const cache = new ReadCache(db, readCache);
  const prepared = new Map<string, Prepared>();
  const snapshot = db.raw.transaction((read: () => unknown) => read());
  const exec = (s: Statement): unknown => {
    let p = prepared.get(s.sql);
    if (p === undefined) prepared.set(s.sql, (p = prepare(db, s.sql)));
    const { stmt } = p;
    const params = p.named ? [byNumber(s.params)] : s.params;
    if (s.mode === 'get') return stmt.get(...params);
    if (s.mode === 'all') return stmt.all(...params);
    return stmt.run(...params).changes;
  };
  return {
    kind: 'sqlite',
    read: async (query) => runSync(query(), exec, SQLITE_TRAITS),
    // A cached read of several statements (a manifest GET is three lookups) reads one snapshot: another process's
    // commit cannot land between them.
    cached: async <T>(key: string, query: () => Q<T>, size?: (value: T) => number) =>
      cache.get(key, () => snapshot.deferred(() => runSync(query(), exec, SQLITE_TRAITS)) as T, size),
    write: async (query, lock = 'registry', patch?: CachePatch) => {
      let committed = false;
      try {
        const result = db.tx(() => runSync(query(), exec, SQLITE_TRAITS));
        committed = true;
        return result;
      } finally {
        // Writes of the registry model drop every cached read, whether they committed or not; a committed write that
        // says what it changed (recording pulls) patches the cached reads instead, so a GET load keeps its hits.
        if (committed && patch) cache.patch(patch);
        else if (lock === 'registry' || lock?.startsWith('rows')) cache.invalidate();
      }
    },
    single: async (query) => runSync(query(), oneStatement(exec), SQLITE_TRAITS),
    ping: async () => {
      db.q('SELECT 1').get();
    },
    close: async () => {
      if (db.raw.open) db.raw.close();
    },
  };
}
