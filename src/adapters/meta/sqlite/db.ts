// One connection per process (SQLite allows one writer at a time anyway), WAL so readers never wait for the
// writer, and every statement prepared once and reused.
import Database from 'better-sqlite3';
import { migrate } from './schema.ts';

export interface Db {
  raw: Database.Database;
  /** The prepared statement for `sql`, compiled on first use. */
  q(sql: string): Database.Statement;
  /** Runs `fn` as one IMMEDIATE transaction (takes the write lock up front, so it never fails half-way on a lock upgrade). */
  tx<T>(fn: () => T): T;
}

export function openDb(file: string, busyTimeoutMs: number): Db {
  const raw = new Database(file, { timeout: busyTimeoutMs });
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  migrate(raw);
  const cache = new Map<string, Database.Statement>();
  return {
    raw,
    q(sql) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    tx(fn) {
      return raw.transaction(fn).immediate();
    },
  };
}
