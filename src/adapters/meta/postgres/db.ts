// The connection pool and the two ways the query modules talk to PostgreSQL: single statements from the pool
// (reads) and write transactions that take their locks first or as they go (see transaction.ts). Statements are named, so
// each connection parses and plans each one once.
import pg from 'pg';
import { ignore, type Sql, sqlOf } from './sql.ts';
import { runTransaction, type Waited, type WriteLock } from './transaction.ts';

export type { Sql } from './sql.ts';

export interface Db extends Sql {
  readonly pool: pg.Pool;
  /**
   * Runs `fn` as one transaction holding `lock` (default 'registry': alone among writers across every replica; 'rows':
   * the row locks its statements take, timed into `waited`); null for a write that is atomic on its own.
   */
  tx<T>(fn: (t: Sql, waited: Waited) => Promise<T>, lock?: WriteLock): Promise<T>;
  /** Told how long each write transaction waited for its locks, in seconds (metrics; see transaction.ts). */
  readonly lockWaits: Set<(seconds: number) => void>;
  close(): Promise<void>;
}

export interface PoolSettings {
  connectionString: string;
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
}

const LOCK_TIMEOUT_MS = 30_000;
const IDLE_IN_TRANSACTION_MS = 60_000;
/** Longest any one statement may take, server side and client side; above the lock wait, so a queued writer times out on the lock first. */
const QUERY_TIMEOUT_MS = 45_000;

/** BIGINT, COUNT and SUM arrive as strings by default; every value berth stores stays below 2^53. */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

/** Holds a connection of the pool for `fn`, listening for its 'error' event (unhandled, it would crash the process). */
export async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    return await fn(client);
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.off('error', ignore);
    client.release(broken);
  }
}

export function openPool(s: PoolSettings): Db {
  const pool = new pg.Pool({
    connectionString: s.connectionString,
    max: s.poolSize,
    connectionTimeoutMillis: s.connectTimeoutMs,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // A server that stops answering without closing the connection (frozen, partitioned behind a proxy) must not hang
    // a request or /readyz forever: the client gives up after this long (UNAVAILABLE) and the connection is dropped.
    query_timeout: QUERY_TIMEOUT_MS,
    // The schema is validated as a plain lower-case identifier, so it needs no quoting here.
    // lock_timeout: a writer queued behind a stuck one gives up (UNAVAILABLE) instead of waiting forever;
    // idle_in_transaction_session_timeout: a replica frozen mid-transaction loses its connection, and its lock.
    options: `-c search_path=${s.schema} -c lock_timeout=${LOCK_TIMEOUT_MS} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS} -c statement_timeout=${QUERY_TIMEOUT_MS}`,
    types: TYPES,
    application_name: 'berth',
  });
  // An idle connection the server drops emits here; without a listener it would crash the process. The next
  // checkout simply opens a fresh connection.
  pool.on('error', ignore);
  const direct = sqlOf(pool, true);
  let closing: Promise<void> | undefined;
  const lockWaits = new Set<(seconds: number) => void>();

  return {
    pool,
    ...direct,
    tx: (fn, lock = 'registry') => runTransaction(pool, s.schema, lock, fn, lockWaits),
    lockWaits,
    async close() {
      closing ??= pool.end();
      await closing;
    },
  };
}
