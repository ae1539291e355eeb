// Byte-size parsing: binary units only, whole bytes only.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseByteSize } from './parse-size.ts';

describe('parseByteSize', () => {
  it('reads numbers and binary units', () => {
    assert.equal(parseByteSize(0), 0);
    assert.equal(parseByteSize(4_194_304), 4_194_304);
    assert.equal(parseByteSize('4194304'), 4_194_304);
    assert.equal(parseByteSize('512KiB'), 524_288);
    assert.equal(parseByteSize('4MiB'), 4_194_304);
    assert.equal(parseByteSize('4 MiB'), 4_194_304);
    assert.equal(parseByteSize('4mib'), 4_194_304);
    assert.equal(parseByteSize('1.5GiB'), 1_610_612_736);
    assert.equal(parseByteSize('10B'), 10);
  });

  for (const junk of [-1, 1.5, Number.NaN, Infinity, '', 'abc', '-4MiB', '4XiB', '4 MiB extra', '0.3B', 'MiB', '4  MiB']) {
    it(`rejects ${String(junk)}`, () => {
      assert.throws(
        () => parseByteSize(junk),
        (e: Error) => e instanceof RangeError && e.message.startsWith('invalid size'),
      );
    });
  }

  it('explains why decimal units are refused', () => {
    assert.throws(() => parseByteSize('4MB'), /use binary units/);
  });
});
