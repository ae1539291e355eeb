import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestOf, isDigest, parseDigest } from './digest.ts';

const EMPTY = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('digests', () => {
  it('computes sha256 and sha512 over exact bytes', () => {
    assert.equal(digestOf(new Uint8Array()), EMPTY);
    assert.match(digestOf(new Uint8Array([1]), 'sha512'), /^sha512:[a-f0-9]{128}$/);
  });
  it('accepts well-formed digests only', () => {
    assert.equal(isDigest(EMPTY), true);
    for (const bad of ['sha256:../../etc/passwd', EMPTY.toUpperCase(), `${EMPTY}0`, EMPTY.slice(0, -1), 'md5:abc', 'sha256:', '', `sha512:${'a'.repeat(64)}`]) {
      assert.equal(isDigest(bad), false, bad);
      assert.throws(
        () => parseDigest(bad),
        (e: Error & { code?: string }) => e.code === 'DIGEST_INVALID',
      );
    }
  });
});
