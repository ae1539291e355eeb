// Parts of an upload must run from byte 0 with no gap or overlap: anything else would rebuild a wrong hash or commit
// a wrong blob, so it is an error, never a silently shorter or mixed stream.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../../../core/index.ts';
import { chainOf, type Part } from './chain.ts';

const part = (start: number, size: number, key = `k${start}`): Part => ({ key, start, size });
const invalid =
  (re: RegExp) =>
  (e: unknown): boolean => {
    assert.ok(isRegistryError(e) && e.code === 'BLOB_UPLOAD_INVALID', String(e));
    assert.match(e.message, re);
    return true;
  };

describe('chainOf', () => {
  it('orders parts and cuts the last one to the length', () => {
    assert.deepEqual(chainOf([part(5, 5), part(0, 5)], 8, 'u'), [
      { key: 'k0', start: 0, size: 5, take: 5 },
      { key: 'k5', start: 5, size: 5, take: 3 },
    ]);
    assert.deepEqual(chainOf([], 0, 'u'), []);
    assert.deepEqual(chainOf([part(0, 4)], 0, 'u'), []);
  });

  it('ignores parts past the length, and empty parts', () => {
    assert.deepEqual(
      chainOf([part(0, 4), part(4, 0, 'empty'), part(4, 9), part(4, 2, 'dup-past')], 4, 'u').map((s) => s.key),
      ['k0'],
    );
  });

  it('refuses gaps, overlaps and too few bytes', () => {
    assert.throws(() => chainOf([part(0, 4), part(5, 4)], 9, 'u'), invalid(/missing bytes 4-4/));
    assert.throws(() => chainOf([part(1, 4)], 4, 'u'), invalid(/missing bytes 0-0/));
    assert.throws(() => chainOf([part(0, 4), part(0, 4, 'twin')], 8, 'u'), invalid(/two parts/));
    assert.throws(() => chainOf([part(0, 4), part(2, 6)], 8, 'u'), invalid(/two parts/));
    assert.throws(() => chainOf([part(0, 4)], 5, 'u'), invalid(/holds 4 bytes, not 5/));
  });
});
