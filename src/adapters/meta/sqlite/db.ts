// One connection per store: WAL so readers never wait for the writer, a busy timeout so the server and the CLI
// (separate processes) can both write the file, and every statement prepared once and reused.
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';
import { MIGRATIONS } from './schema.ts';

export interface Db {
  raw: Database.Database;
  /** The prepared statement for `sql`, compiled on first use and cached for the life of the connection. */
  q(sql: string): Database.Statement;
  /** Runs `fn` as one IMMEDIATE transaction: the write lock is taken up front, so it never fails half-way on a lock upgrade. */
  tx<T>(fn: () => T): T;
}

export function openDb(file: string, busyTimeoutMs: number): Db {
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new Error(`busyTimeoutMs must be a whole number >= 0, got ${busyTimeoutMs}`);
  const raw = new Database(file, { timeout: busyTimeoutMs });
  try {
    raw.pragma('journal_mode = WAL');
    // NORMAL under WAL: a power cut may lose the last commits but never corrupts; fsync per commit would halve pushes.
    raw.pragma('synchronous = NORMAL');
    migrate(raw, MIGRATIONS);
    raw.pragma('foreign_keys = ON');
  } catch (err) {
    raw.close();
    throw err;
  }
  const statements = new Map<string, Database.Statement>();
  return {
    raw,
    q(sql) {
      let stmt = statements.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        statements.set(sql, stmt);
      }
      return stmt;
    },
    tx(fn) {
      return raw.transaction(fn).immediate();
    },
  };
}
