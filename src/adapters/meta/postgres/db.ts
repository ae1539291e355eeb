// The connection pool and the two ways the query modules talk to PostgreSQL: single statements from the pool
// (reads) and SERIALIZABLE transactions that run again on a serialization conflict (every write). Statements are
// named, so each connection parses and plans each one once.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { RegistryError } from '../../../core/index.ts';
import { isSerializationConflict, isUnavailable, isUniqueViolation, translate } from './errors.ts';

/** What every query module runs statements through: the pool (autocommit) or one open transaction. */
export interface Sql {
  get<T>(text: string, ...params: unknown[]): Promise<T | undefined>;
  all<T>(text: string, ...params: unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(text: string, ...params: unknown[]): Promise<number>;
}

export interface Db extends Sql {
  readonly pool: pg.Pool;
  /** Runs `fn` as one SERIALIZABLE transaction, again (bounded) when PostgreSQL reports a conflict with another. */
  tx<T>(fn: (t: Sql) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface PoolSettings {
  connectionString: string;
  schema: string;
  poolSize: number;
  connectTimeoutMs: number;
}

/**
 * Runs of one transaction before giving up with UNAVAILABLE (a 503 the client retries). Every conflict means another
 * transaction committed, so N writers racing for one row need at most about N runs; 30 leaves room for that.
 */
export const MAX_ATTEMPTS = 30;
/** A unique violation that is not a lost race (a real duplicate) fails the same way every run: give up sooner. */
const MAX_UNIQUE_RETRIES = 3;

/** BIGINT, COUNT and SUM arrive as strings by default; every value berth stores stays below 2^53. */
const INT8 = 20;
const NUMERIC = 1700;
const toNumber = (value: string): number => Number(value);
const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? toNumber : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

const names = new Map<string, string>();
/** A stable statement name derived from its text, so every connection prepares the same statement once. */
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `berth_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

function sqlOf(target: Queryable, translateErrors: boolean): Sql {
  const query = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
    try {
      return await target.query({ name: nameOf(text), text, values });
    } catch (err) {
      throw translateErrors ? translate(err) : err;
    }
  };
  return {
    get: async <T>(text: string, ...params: unknown[]) => (await query(text, params)).rows[0] as T | undefined,
    all: async <T>(text: string, ...params: unknown[]) => (await query(text, params)).rows as T[],
    run: async (text: string, ...params: unknown[]) => (await query(text, params)).rowCount ?? 0,
  };
}

const ignore = (): void => {};
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
    // The schema is validated as a plain lower-case identifier, so it needs no quoting here.
    options: `-c search_path=${s.schema}`,
    types: TYPES,
    application_name: 'berth',
  });
  // An idle connection the server drops emits here; without a listener it would crash the process. The next
  // checkout simply opens a fresh connection.
  pool.on('error', ignore);
  const direct = sqlOf(pool, true);
  let closing: Promise<void> | undefined;

  async function attempt<T>(fn: (t: Sql) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    // A checked-out connection that dies also emits 'error' (the pending query rejects as well, and that is what we act on).
    client.on('error', ignore);
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
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

  return {
    pool,
    ...direct,
    async tx(fn) {
      let uniqueRetries = 0;
      for (let run = 1; ; run++) {
        try {
          return await attempt(fn);
        } catch (err) {
          const retry = isSerializationConflict(err) || (isUniqueViolation(err) && ++uniqueRetries <= MAX_UNIQUE_RETRIES);
          if (!retry) throw translate(err);
          if (run >= MAX_ATTEMPTS) {
            throw new RegistryError('UNAVAILABLE', `PostgreSQL metadata store too busy: a transaction conflicted ${run} times in a row`, { backend: 'postgres' });
          }
          // Jittered exponential backoff, capped: the writers that collided spread out instead of colliding again.
          await pause(Math.random() * Math.min(100, 2 ** run));
        }
      }
    },
    async close() {
      closing ??= pool.end();
      await closing;
    },
  };
}
