// The padded IN lists: every length pads up to one of a few sizes with a value no key has, and long lists split into
// chunks, so statement shapes stay few and no page can exceed a database's parameter limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunks, MAX_IN_LIST, padded, placeholders } from './in-list.ts';

describe('IN-list placeholders', () => {
  it('pads to a few fixed lengths with a key nothing has, so statements are prepared once per length', () => {
    assert.deepEqual(padded(['a', 'b']), ['a', 'b', '', '', '', '', '', '']);
    assert.equal(padded(Array(9).fill('x')).length, 32);
    assert.equal(padded(Array(MAX_IN_LIST).fill('x')).length, MAX_IN_LIST);
    assert.throws(() => padded(Array(MAX_IN_LIST + 1).fill('x')));
  });

  it('numbers placeholders from the first free one and splits long lists into chunks', () => {
    assert.equal(placeholders(2, 3), '$2, $3, $4');
    assert.equal(
      placeholders(1, 2, (p) => `CAST(${p} AS TEXT)`),
      'CAST($1 AS TEXT), CAST($2 AS TEXT)',
    );
    assert.deepEqual(
      chunks(Array.from({ length: MAX_IN_LIST * 2 + 1 }, (_, i) => i)).map((c) => c.length),
      [MAX_IN_LIST, MAX_IN_LIST, 1],
    );
  });
});
