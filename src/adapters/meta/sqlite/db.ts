// One connection per store: WAL so readers never wait for the writer, a busy timeout so the server and the CLI
// (separate processes) can both write the file, and every statement prepared once and reused.
import Database from 'better-sqlite3';
import { migrate } from './migrate.ts';
import { whileBusy } from './while-busy.ts';

export interface Db {
  raw: Database.Database;
  /** The prepared statement for `sql`, compiled on first use and cached for the life of the connection. */
  q(sql: string): Database.Statement;
  /** Runs `fn` as one IMMEDIATE transaction: the write lock is taken up front, so it never fails half-way on a lock upgrade. */
  tx<T>(fn: () => T): T;
}

/**
 * Switching a fresh file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at once, without calling the
 * busy handler (waiting could deadlock), when another process opens the same fresh file at that moment; so retry.
 */
function enableWal(raw: Database.Database, busyTimeoutMs: number): void {
  whileBusy(() => raw.pragma('journal_mode = WAL'), busyTimeoutMs, 10);
}

export function openDb(file: string, busyTimeoutMs: number): Db {
  if (!Number.isInteger(busyTimeoutMs) || busyTimeoutMs < 0) throw new Error(`busyTimeoutMs must be a whole number >= 0, got ${busyTimeoutMs}`);
  const raw = new Database(file, { timeout: busyTimeoutMs });
  try {
    enableWal(raw, busyTimeoutMs);
    // NORMAL under WAL: a power cut may lose the last commits but never corrupts; fsync per commit would halve pushes.
    raw.pragma('synchronous = NORMAL');
    // A checkpoint runs inside the commit that crosses the threshold, on the event loop, with two fsyncs; every 4,000
    // pages instead of 1,000 there are a quarter as many, and pages that every push rewrites (index roots, the audit
    // tail) are copied back once per checkpoint instead of four times (small-image pushes, interleaved, 6 runs each:
    // 5.2 vs 5.7 ms of server CPU per image). The WAL grows to ~16 MiB before it is reused.
    raw.pragma('wal_autocheckpoint = 4000');
    // The port's "name contains" filters are case-sensitive (as PostgreSQL's LIKE is); SQLite's LIKE ignores ASCII case.
    raw.pragma('case_sensitive_like = ON');
    // 4 MiB of page cache instead of better-sqlite3's 16: the interior pages of every index fit (a 100,000-manifest
    // file has ~25,000 leaf pages and a few hundred interior ones), and leaf reads come from the kernel's page cache,
    // which holds them anyway. At 100,000 manifests the malloc heap went 42 -> 30-34 MiB under random GETs, at the same
    // rate (4,108/4,142 vs 3,984/4,239 req/s); a 64 MiB cache had gained 1 %.
    raw.pragma('cache_size = -4096');
    migrate(raw);
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
