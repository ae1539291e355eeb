// The bounded window answers exactly which entries are not among the newest N, in any arrival order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NewestWindow, type Stamp } from './newest.ts';

const s = (at: number, seq: number, sub = 0): Stamp => ({ at, seq, sub });

describe('NewestWindow', () => {
  it('in push order it drops the oldest as each new entry arrives', () => {
    const w = new NewestWindow<Stamp>(2);
    const out = [s(1, 0), s(2, 1), s(3, 2), s(4, 3)].map((e) => w.offer(e)?.seq ?? null);
    assert.deepEqual(out, [null, null, 0, 1]);
    assert.deepEqual(
      w
        .remaining()
        .map((e) => e.seq)
        .sort(),
      [2, 3],
    );
  });

  it('out of order, an entry older than the whole window falls out at once', () => {
    const w = new NewestWindow<Stamp>(2);
    const out = [s(5, 0), s(9, 1), s(1, 2), s(7, 3)].map((e) => w.offer(e)?.seq ?? null);
    assert.deepEqual(out, [null, null, 2, 0]);
  });

  it('ties: equal times rank by seq, then sub', () => {
    const w = new NewestWindow<Stamp>(1);
    assert.deepEqual(
      [w.offer(s(1, 0, 1)), w.offer(s(1, 0, 0)), w.offer(s(1, 1, 0))].map((e) => (e ? [e.seq, e.sub] : null)),
      [null, [0, 0], [0, 1]],
    );
  });
});
