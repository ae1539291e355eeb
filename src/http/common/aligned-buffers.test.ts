// The aligned pool lends each slice to one reader at a time, keeps only its own slices, and falls back to plain
// buffers when it runs out; every slice starts on a 4 KiB boundary of its WebAssembly memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignedPool } from './aligned-buffers.ts';

const SIZE = 64 * 1024;

describe('alignedPool', () => {
  it('lends page-aligned slices of one slab, each to one taker, and takes them back', () => {
    const pool = alignedPool(SIZE, 4);
    assert.equal(pool.free, 4, 'all free before the first take');
    const taken = [pool.take(), pool.take(), pool.take(), pool.take()];
    assert.equal(pool.free, 0);
    const slab = taken[0]!.buffer;
    for (const b of taken) {
      assert.equal(b.buffer, slab, 'one slab');
      assert.equal(b.byteLength, SIZE);
      assert.equal(b.byteOffset % 4096, 0, 'a page boundary');
    }
    assert.equal(new Set(taken.map((b) => b.byteOffset)).size, 4, 'no slice lent twice');
    const extra = pool.take();
    assert.notEqual(extra.buffer, slab, 'past the slab: a plain buffer');
    assert.equal(extra.byteLength, SIZE);
    pool.give(extra);
    assert.equal(pool.free, 0, 'a plain buffer is not kept');
    for (const b of taken) pool.give(b);
    assert.equal(pool.free, 4);
  });

  it('does not lend a slice twice when it is handed back twice, and keeps no partial views', () => {
    const pool = alignedPool(SIZE, 2);
    const a = pool.take();
    pool.give(a);
    pool.give(a);
    assert.equal(pool.free, 2);
    const first = pool.take();
    const second = pool.take();
    assert.notEqual(first.byteOffset, second.byteOffset);
    pool.give(first.subarray(0, 100));
    pool.give(first.subarray(4096));
    assert.equal(pool.free, 0, 'views of part of a slice are not slices');
  });

  it('hands the most recently returned slices out again, so sequential pulls touch two slices, not the whole slab', () => {
    const pool = alignedPool(SIZE, 8);
    for (let round = 0; round < 5; round++) {
      const a = pool.take();
      const b = pool.take();
      assert.deepEqual([a.byteOffset, b.byteOffset].sort(), [0, SIZE], `round ${round}`);
      pool.give(a);
      pool.give(b);
    }
  });

  it('refuses a size that would put slices off a page boundary', () => {
    assert.throws(() => alignedPool(SIZE + 16, 2), /multiple of 4 KiB/);
  });
});
