// Every query and invariant of the metadata store is written once, as a generator that yields statements; an engine
// runs it its own way (SQLite synchronously inside one transaction, PostgreSQL awaiting each statement), so the two
// stores cannot drift apart and a new column touches one query module.

/** One statement to run. SQL uses PostgreSQL's `$1, $2...` placeholders, which SQLite also accepts (as named ones). */
export interface Statement {
  /** 'lock': a statement that only takes row locks (PostgreSQL); the engine times it as lock wait. */
  readonly mode: 'get' | 'all' | 'run' | 'lock';
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** Asks the running engine for the few spellings that differ between SQLite and PostgreSQL. */
export interface TraitsProbe {
  readonly mode: 'traits';
}

/** A query: yields statements, receives their results, returns T. Compose with `yield*`. */
export type Q<T> = Generator<Statement | TraitsProbe, T, unknown>;

/** Where the engines truly differ; everything else is written in the SQL both accept. */
export interface EngineTraits {
  readonly kind: 'sqlite' | 'postgres';
  /** Appended to a SELECT that must lock what it read until commit (PostgreSQL); SQLite's writer holds the database. */
  readonly forUpdate: string;
  /**
   * Whether writers run concurrently and a write takes row locks on what it touches (PostgreSQL, queries/row-locks.ts);
   * SQLite's one writer holds the whole database instead.
   */
  readonly rowLocks: boolean;
  /** A join that SQLite must run in the written order, probing from the left side's few rows (CROSS JOIN ... ON). */
  readonly orderedJoin: string;
  /** Whether TEXT may hold a NUL character (SQLite) or not (PostgreSQL), for keys the dialects join with NUL. */
  readonly textHoldsNul: boolean;
  /** A text parameter used as a value of its own (a recursive walk's seed): PostgreSQL needs its byte-wise collation. */
  textParam(placeholder: string): string;
  /**
   * A subquery of one column `v`: the strings of a parameter holding a JSON array (`textList(...)` below), so a batch
   * of any size is one statement with one statement text (both engines prepare each text once).
   */
  textList(placeholder: string): string;
  /**
   * `column` is one of the strings of such a JSON array parameter, written so that each engine probes the column's
   * index once per value whatever its statistics say (PostgreSQL: `= ANY` of an array evaluated once).
   */
  inList(column: string, placeholder: string): string;
}

/** The parameter a `textList` placeholder takes: the distinct values, as a JSON array. */
export function textList(values: Iterable<string>): string {
  return JSON.stringify([...new Set(values)]);
}

/** The first row, or undefined. */
export function* get<T>(sql: string, ...params: unknown[]): Q<T | undefined> {
  return (yield { mode: 'get', sql, params }) as T | undefined;
}

/** Every row. */
export function* all<T>(sql: string, ...params: unknown[]): Q<T[]> {
  return (yield { mode: 'all', sql, params }) as T[];
}

/** Takes the row locks a statement's SELECT ... FOR UPDATE / FOR SHARE names (engines with rowLocks only). */
export function* lock(sql: string, ...params: unknown[]): Q<void> {
  yield { mode: 'lock', sql, params };
}

/** Runs a statement; returns how many rows it changed. */
export function* run(sql: string, ...params: unknown[]): Q<number> {
  return (yield { mode: 'run', sql, params }) as number;
}

export function* traits(): Q<EngineTraits> {
  return (yield { mode: 'traits' }) as EngineTraits;
}

/** Wraps `exec` so that a query meant to be one statement cannot quietly run two outside a transaction. */
export function oneStatement<R>(exec: (s: Statement) => R): (s: Statement) => R {
  let count = 0;
  return (s) => {
    if (++count > 1) throw new Error(`a single-statement write ran a second statement: ${s.sql.slice(0, 80)}`);
    return exec(s);
  };
}

/** Runs a query whose statements complete synchronously (better-sqlite3). */
export function runSync<T>(query: Q<T>, exec: (s: Statement) => unknown, engine: EngineTraits): T {
  let step = query.next();
  while (!step.done) {
    const op = step.value;
    let result: unknown;
    try {
      result = op.mode === 'traits' ? engine : exec(op);
    } catch (err) {
      step = query.throw(err); // a query may catch a failed statement (a unique key taken, say)
      continue;
    }
    step = query.next(result);
  }
  return step.value;
}

/** Runs a query whose statements complete asynchronously (node-postgres). */
export async function runAsync<T>(query: Q<T>, exec: (s: Statement) => Promise<unknown>, engine: EngineTraits): Promise<T> {
  let step = query.next();
  while (!step.done) {
    const op = step.value;
    let result: unknown;
    try {
      result = op.mode === 'traits' ? engine : await exec(op);
    } catch (err) {
      step = query.throw(err);
      continue;
    }
    step = query.next(result);
  }
  return step.value;
}
