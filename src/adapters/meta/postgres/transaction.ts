// Write transactions. SQLite gives berth one writer at a time; here every replica writes at once. A fine-grained write
// (lock 'rows') takes row locks on what it touches as its queries go (queries/row-locks.ts), so writes on different
// repositories and digests run in parallel; a write of the whole registry model (lock 'registry': GC's manifest steps,
// repository deletes, pins, keys, ...) locks every registry stripe and so runs alone among writers, as every write did
// before. READ COMMITTED on purpose: each statement after a lock sees everything the previous holder committed (a
// SERIALIZABLE snapshot would be taken before the wait and miss it). Client tokens keep an advisory lock of their own.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { RegistryError } from '../../../core/index.ts';
import { REGISTRY_STRIPES } from '../queries/row-locks.ts';
import { isSerializationConflict, isUnavailable, translate } from './errors.ts';
import { ignore, type Sql, sqlOf } from './sql.ts';

/**
 * 'registry': the whole registry model; 'rows': the write's queries take row locks on what they touch; 'rows:KEY':
 * the same, and this process runs one write of KEY (a repository) at a time; any other string: an advisory lock of
 * its own (one client token); null: none.
 */
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
 * Writers of this process wait here before taking a pooled connection: 'registry' writers one at a time (the lock
 * admits one anyway), 'rows' writers up to the pool size less two, since writers waiting on row locks inside
 * PostgreSQL would otherwise hold every pooled connection, starving reads and /readyz. Not a lock on shared state
 * (the row locks are); it only keeps this process's pool free for readers.
 */
class WriterSlots {
  readonly #max: number;
  #busy = 0;
  readonly #waiting: Array<() => void> = [];
  constructor(max: number) {
    this.#max = Math.max(1, max);
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#busy >= this.#max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#busy++;
    try {
      return await fn();
    } finally {
      // The slot passes straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#busy--;
    }
  }
}
const writers = new WeakMap<pg.Pool, { registry: WriterSlots; rows: WriterSlots }>();

/**
 * Writes of one key (a repository) of this process, one at a time, before a slot: they would wait for each other's
 * row lock anyway, and PostgreSQL hands a contended row lock from waiter to waiter far slower than a promise chain
 * does (measured: 32 writers on one repository ran at half the rate while all waited inside PostgreSQL).
 */
class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const tail = this.#tails.get(key) ?? Promise.resolve();
    const result = tail.then(fn, fn);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, settled);
    // Forgotten once idle, so the map holds only keys with a write in flight.
    void settled.then(() => {
      if (this.#tails.get(key) === settled) this.#tails.delete(key);
    });
    return result;
  }
}
const keyed = new WeakMap<pg.Pool, KeyedQueue>();

function keyedOf(pool: pg.Pool): KeyedQueue {
  let queue = keyed.get(pool);
  if (!queue) keyed.set(pool, (queue = new KeyedQueue()));
  return queue;
}

function slotsOf(pool: pg.Pool): { registry: WriterSlots; rows: WriterSlots } {
  let slots = writers.get(pool);
  if (!slots) writers.set(pool, (slots = { registry: new WriterSlots(1), rows: new WriterSlots((pool.options.max ?? 10) - 2) }));
  return slots;
}

/** Milliseconds one transaction spent waiting for locks, over all its runs (the in-process queue included). */
export interface Waited {
  ms: number;
}

/** The statement that makes a 'registry' write run alone: every registry stripe of queries/row-locks.ts, in order. */
const REGISTRY_LOCK = { name: 'berth_registry_lock', text: `SELECT id FROM write_locks WHERE id < ${REGISTRY_STRIPES} ORDER BY id FOR UPDATE` };

async function attempt<T>(pool: pg.Pool, schema: string, lock: WriteLock, fn: (t: Sql, waited: Waited) => Promise<T>, waited: Waited): Promise<T> {
  const client = await pool.connect();
  // A checked-out connection that dies also emits 'error'; the pending query rejects as well, and that is what counts.
  client.on('error', ignore);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // Released by COMMIT or ROLLBACK, and by the server when the connection dies: never left behind.
    if (lock !== null && lock !== 'rows' && !lock.startsWith('rows:')) {
      const asked = performance.now();
      if (lock === 'registry') await client.query(REGISTRY_LOCK);
      else await client.query({ name: 'berth_xact_lock', text: 'SELECT pg_advisory_xact_lock($1::bigint)', values: [lockKey(schema, lock)] });
      waited.ms += performance.now() - asked;
    }
    const result = await fn(sqlOf(client, false), waited);
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
  fn: (t: Sql, waited: Waited) => Promise<T>,
  onWait?: ReadonlySet<(seconds: number) => void>,
): Promise<T> {
  const waited: Waited = { ms: 0 };
  for (let run = 1; ; run++) {
    try {
      let result: T;
      // Waiting in the registry queue or for a write of the same key is waiting for a lock (it stands in for the one
      // PostgreSQL would make the write wait for); waiting for a free writer slot is waiting for a connection.
      if (lock === 'registry') {
        const queued = performance.now();
        result = await slotsOf(pool).registry.run(() => {
          waited.ms += performance.now() - queued;
          return attempt(pool, schema, lock, fn, waited);
        });
      } else if (lock === 'rows') {
        result = await slotsOf(pool).rows.run(() => attempt(pool, schema, lock, fn, waited));
      } else if (lock?.startsWith('rows:')) {
        const queued = performance.now();
        result = await keyedOf(pool).run(lock, () => {
          waited.ms += performance.now() - queued;
          return slotsOf(pool).rows.run(() => attempt(pool, schema, lock, fn, waited));
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
