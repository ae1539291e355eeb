import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseContentRange, parseRange } from './ranges.ts';

describe('Range', () => {
  it('serves first, middle, open-ended and suffix ranges', () => {
    assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 0 });
    assert.deepEqual(parseRange('bytes=2-5', 10), { start: 2, end: 5 });
    assert.deepEqual(parseRange('bytes=7-', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRange('bytes=5-100', 10), { start: 5, end: 9 }, 'end past the blob is clamped');
  });
  it('refuses unsatisfiable ranges', () => {
    assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=5-2', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 10), 'unsatisfiable');
  });
  it('ignores forms it does not serve', () => {
    assert.equal(parseRange(undefined, 10), null);
    assert.equal(parseRange('bytes=0-1,3-4', 10), null);
    assert.equal(parseRange('items=0-1', 10), null);
  });
});

describe('Content-Range', () => {
  it('accepts the spec form and the bytes form', () => {
    assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
    assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
    assert.equal(parseContentRange(undefined), null);
  });
  it('rejects inverted and malformed ranges', () => {
    assert.equal(parseContentRange('10-5'), 'invalid');
    assert.equal(parseContentRange('abc'), 'invalid');
    assert.equal(parseContentRange('-5'), 'invalid');
    assert.equal(parseContentRange('1-99999999999999999999'), 'invalid');
  });
});
