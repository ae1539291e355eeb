// How the query modules run statements, on the pool (autocommit) or inside one transaction: the same three calls
// SQLite's prepared statements offer, each a named prepared statement (parsed and planned once per connection).
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { translate } from './errors.ts';

/** What every query module runs statements through: the pool (autocommit) or one open transaction. */
export interface Sql {
  get<T>(text: string, ...params: unknown[]): Promise<T | undefined>;
  all<T>(text: string, ...params: unknown[]): Promise<T[]>;
  /** Runs a statement; returns how many rows it changed. */
  run(text: string, ...params: unknown[]): Promise<number>;
}

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

export function sqlOf(target: Queryable, translateErrors: boolean): Sql {
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

export const ignore = (): void => {};
