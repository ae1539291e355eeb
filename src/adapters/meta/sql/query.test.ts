// The query runners: results flow back into the generator, failed statements can be caught inside it, and a write
// meant to be one statement cannot run a second one outside a transaction.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type EngineTraits, get, oneStatement, type Q, run, runAsync, runSync, type Statement, traits } from './query.ts';

const TRAITS: EngineTraits = {
  kind: 'sqlite',
  forUpdate: '',
  rowLocks: false,
  orderedJoin: 'CROSS JOIN',
  textHoldsNul: true,
  textParam: (p) => p,
  textList: (p) => `SELECT value AS v FROM json_each(${p})`,
  inList: (column, p) => `${column} IN (SELECT value FROM json_each(${p}))`,
};

function* twoWrites(): Q<number> {
  const a = yield* run('UPDATE a SET x = 1');
  const b = yield* run('UPDATE b SET x = 1');
  return a + b;
}

function* recovers(): Q<string> {
  try {
    yield* get('SELECT broken');
    return 'no error';
  } catch (err) {
    return `caught ${(err as Error).message} on ${(yield* traits()).kind}`;
  }
}

describe('query runners', () => {
  it('feed each statement result back and return the query result, synchronously and asynchronously', async () => {
    const seen: Statement[] = [];
    const exec = (s: Statement): number => seen.push(s);
    assert.equal(runSync(twoWrites(), exec, TRAITS), 3);
    assert.equal(await runAsync(twoWrites(), async (s) => exec(s), TRAITS), 7);
    assert.deepEqual(
      seen.map((s) => s.sql),
      ['UPDATE a SET x = 1', 'UPDATE b SET x = 1', 'UPDATE a SET x = 1', 'UPDATE b SET x = 1'],
    );
  });

  it('throw a failed statement into the query, which may catch it', async () => {
    const fail = (): never => {
      throw new Error('no such column');
    };
    assert.equal(runSync(recovers(), fail, TRAITS), 'caught no such column on sqlite');
    assert.equal(await runAsync(recovers(), async () => fail(), TRAITS), 'caught no such column on sqlite');
  });

  it('refuse a second statement in a single-statement write', () => {
    assert.throws(
      () =>
        runSync(
          twoWrites(),
          oneStatement(() => 1),
          TRAITS,
        ),
      /single-statement write ran a second statement: UPDATE b/,
    );
  });
});
