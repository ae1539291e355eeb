// Runs the shared queries on PostgreSQL: reads on the pool, writes in transactions holding the locks they name or
// take as they go (transaction.ts, queries/row-locks.ts). Nothing is cached: no signal of other replicas' commits is cheaper than the read itself.
import type { SqlEngine } from '../sql/engine.ts';
import { type EngineTraits, oneStatement, runAsync, type Statement } from '../sql/query.ts';
import type { Db, Sql } from './db.ts';
import type { Waited } from './transaction.ts';

const TRAITS: EngineTraits = {
  kind: 'postgres',
  forUpdate: ' FOR UPDATE',
  rowLocks: true,
  orderedJoin: 'JOIN',
  textHoldsNul: false,
  textParam: (p) => `CAST(${p} AS TEXT) COLLATE "C"`,
  textList: (p) => `SELECT jsonb_array_elements_text(CAST(${p} AS JSONB)) COLLATE "C" AS v`,
  // An uncorrelated ARRAY(...) is computed once and becomes an index condition; `IN (SELECT ...)` let the planner,
  // misled by a table not analyzed yet, run the list once per row of the table.
  inList: (column, p) => `${column} = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(${p} AS JSONB)) COLLATE "C"))`,
};

const execOn =
  (target: Sql, waited?: Waited) =>
  async (s: Statement): Promise<unknown> => {
    if (s.mode === 'lock') {
      const asked = performance.now();
      await target.all(s.sql, ...s.params);
      if (waited) waited.ms += performance.now() - asked;
      return undefined;
    }
    if (s.mode === 'get') return target.get(s.sql, ...s.params);
    if (s.mode === 'all') return target.all(s.sql, ...s.params);
    return target.run(s.sql, ...s.params);
  };

export function postgresEngine(db: Db): SqlEngine {
  const direct = execOn(db);
  return {
    kind: 'postgres',
    read: (query) => runAsync(query(), direct, TRAITS),
    cached: (_key, query) => runAsync(query(), direct, TRAITS),
    write: (query, lock = 'registry') => db.tx((t, waited) => runAsync(query(), execOn(t, waited), TRAITS), lock),
    single: (query) => runAsync(query(), oneStatement(direct), TRAITS),
    ping: async () => {
      await db.get('SELECT 1');
    },
    onLockWait: (listener) => db.lockWaits.add(listener),
    close: () => db.close(),
  };
}
