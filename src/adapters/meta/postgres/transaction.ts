// Write transactions. SQLite gives berth one writer at a time; here every replica writes, so a write first takes a
// transaction-scoped advisory lock and thereby runs alone among berth's writers, exactly as on SQLite (see store.ts
// for why this rather than SERIALIZABLE). READ COMMITTED on purpose: each statement after the lock sees everything
// the previous holder committed (a SERIALIZABLE snapshot would be taken before the wait and miss it).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RegistryError } from '../../../core/index.ts';
import { isSerializationConflict, isUnavailable, translate } from './errors.ts';
import { ignore, type Sql, sqlOf } from './sql.ts';

/** 'registry': the one lock of the registry model; a string: a lock of its own (one client token); null: none. */
export type WriteLock = string | null;

/** Runs after a deadlock (40P01; or 40001 should anything run SERIALIZABLE) before answering UNAVAILABLE. */
export const MAX_ATTEMPTS = 5;

/** Counters for logs and metrics, never consulted to decide anything. */
export const txStats = { transactions: 0, retries: 0 };

const keys = new Map<string, string>();
/**
 * A 64-bit advisory lock key per schema and lock name, so two schemas of one database never wait for each other. Only
 * the registry lock's key is kept (per-token locks would make the map grow with every client token ever seen).
 */
export function lockKey(schema: string, lock: string): string {
  const id = `berth:${schema}:${lock}`;
  let key = keys.get(id);
  if (key === undefined) {
    key = createHash('sha256').update(id).digest().readBigInt64BE(0).toString();
    if (lock === 'registry') keys.set(id, key);
  }
  return key;
}

/**
 * Registry-lock writers of this process queue here before taking a pooled connection: the lock admits one writer at
 * a time anyway, and writers waiting on it inside PostgreSQL would hold every pooled connection, starving reads and
 * /readyz. Not a lock on shared state (the advisory lock is); it only keeps this process's pool free for readers.
 */
class WriterQueue {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn, fn);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
const writers = new WeakMap<pg.Pool, WriterQueue>();

/** Milliseconds one transaction spent waiting for locks, over all its runs (the in-process queue included). */
interface Waited {
  ms: number;
}

async function attempt<T>(pool: pg.Pool, schema: string, lock: WriteLock, fn: (t: Sql) => Promise<T>, waited: Waited): Promise<T> {
  const client = await pool.connect();
  // A checked-out connection that dies also emits 'error'; the pending query rejects as well, and that is what counts.
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // Released by COMMIT or ROLLBACK, and by the server when the connection dies: never left behind.
    if (lock !== null) {
      const asked = performance.now();
      await client.query({ name: 'berth_xact_lock', text: 'SELECT pg_advisory_xact_lock($1::bigint)', values: [lockKey(schema, lock)] });
      waited.ms += performance.now() - asked;
    }
    const result = await fn(sqlOf(client, false));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackFailed) {
      broken = rollbackFailed instanceof Error ? rollbackFailed : new Error(String(rollbackFailed));
    }
    if (isUnavailable(err)) broken ??= err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    // A connection that failed mid-transaction is destroyed instead of going back to the pool.
    client.off('error', ignore);
    client.release(broken);
  }
}

export async function runTransaction<T>(
  pool: pg.Pool,
  schema: string,
  lock: WriteLock,
  fn: (t: Sql) => Promise<T>,
  onWait?: ReadonlySet<(seconds: number) => void>,
): Promise<T> {
  const waited: Waited = { ms: 0 };
  for (let run = 1; ; run++) {
    try {
      let queue = writers.get(pool);
      if (!queue) writers.set(pool, (queue = new WriterQueue()));
      let result: T;
      if (lock === 'registry') {
        const queued = performance.now();
        result = await queue.run(() => {
          waited.ms += performance.now() - queued;
          return attempt(pool, schema, lock, fn, waited);
        });
      } else result = await attempt(pool, schema, lock, fn, waited);
      txStats.transactions++;
      if (lock !== null) for (const listener of onWait ?? []) listener(waited.ms / 1000);
      return result;
    } catch (err) {
      if (!isSerializationConflict(err)) throw translate(err);
      txStats.retries++;
      if (run >= MAX_ATTEMPTS) {
        throw new RegistryError('UNAVAILABLE', `PostgreSQL metadata store too busy: a transaction conflicted ${run} times in a row`, { backend: 'postgres' });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * run));
    }
  }
}
