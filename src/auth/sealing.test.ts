import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { RegistryError } from '../core/index.ts';
import { hashSecret, openSecret, sealSecret, secretMatches } from './sealing.ts';

const master = randomBytes(32);
const isInternal = (e: unknown): boolean => e instanceof RegistryError && e.code === 'INTERNAL';

function flipByte(b64url: string, at = 0): string {
  const bytes = Buffer.from(b64url, 'base64url');
  bytes[at] = bytes[at]! ^ 0x01;
  return bytes.toString('base64url');
}

describe('sealing', () => {
  it('round-trips, including empty and non-ASCII secrets', () => {
    for (const secret of ['hunter2', '', 'ünïcødé ✓ secret', 'x'.repeat(4096)]) {
      const sealed = sealSecret(master, secret);
      assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{22}$/);
      assert.equal(openSecret(master, sealed), secret);
    }
  });

  it('uses a fresh IV each time', () => {
    const a = sealSecret(master, 'same');
    const b = sealSecret(master, 'same');
    assert.notEqual(a, b);
    assert.notEqual(a.split('.')[1], b.split('.')[1]);
  });

  it('detects tampering with IV, ciphertext or tag, and a different master key', () => {
    const sealed = sealSecret(master, 'hunter2-secret');
    const [v, iv, ct, tag] = sealed.split('.') as [string, string, string, string];
    const tampered = [
      [v, flipByte(iv), ct, tag],
      [v, iv, flipByte(ct), tag],
      [v, iv, flipByte(ct, 5), tag],
      [v, iv, ct, flipByte(tag, 15)],
    ].map((p) => p.join('.'));
    for (const t of tampered) assert.throws(() => openSecret(master, t), isInternal, t);
    assert.throws(() => openSecret(randomBytes(32), sealed), isInternal);
  });

  it('refuses truncated tags, unknown versions and malformed text', () => {
    const sealed = sealSecret(master, 'hunter2');
    const [v, iv, ct, tag] = sealed.split('.') as [string, string, string, string];
    const shortTag = Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url');
    for (const bad of [[v, iv, ct, shortTag].join('.'), ['v2', iv, ct, tag].join('.'), `${sealed}.x`, 'v1.a.b', '', 'v1.!!.??.**']) {
      assert.throws(() => openSecret(master, bad), isInternal, bad);
    }
  });

  it('wants a 32-byte master key', () => {
    assert.throws(() => sealSecret(randomBytes(16), 's'), isInternal);
    assert.throws(() => openSecret(randomBytes(31), sealSecret(master, 's')), isInternal);
  });

  it('hashes with SHA-256 and compares in constant time', () => {
    assert.equal(hashSecret('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(secretMatches('abc', hashSecret('abc')), true);
    assert.equal(secretMatches('abc', hashSecret('abc').toUpperCase()), true);
    assert.equal(secretMatches('abd', hashSecret('abc')), false);
    assert.equal(secretMatches('abc', ''), false);
    assert.equal(secretMatches('abc', 'not-hex'), false);
    assert.equal(secretMatches('', '0'.repeat(64)), false);
  });
});
