import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAccessClaim } from './token-claims.ts';

describe('parseAccessClaim', () => {
  it('accepts well-formed access lists', () => {
    assert.deepEqual(parseAccessClaim([]), []);
    const access = [
      { type: 'repository', name: 'a/b', actions: ['pull'] },
      { type: 'registry', name: 'catalog', actions: ['*'] },
    ];
    assert.deepEqual(parseAccessClaim(access), access);
  });
  it('rejects anything else', () => {
    for (const bad of [
      undefined,
      null,
      'x',
      {},
      [null],
      [{ type: 'bucket', name: 'a', actions: [] }],
      [{ type: 'repository', name: 1, actions: [] }],
      [{ type: 'repository', name: 'a', actions: 'pull' }],
      [{ type: 'repository', name: 'a', actions: [1] }],
      new Array(300).fill({ type: 'registry', name: 'c', actions: [] }),
    ]) {
      assert.equal(parseAccessClaim(bad), null, JSON.stringify(bad));
    }
  });
});
