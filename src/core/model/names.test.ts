import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRepositoryName, isTag, namespaceOf, parseRepositoryName } from './names.ts';

describe('repository names', () => {
  for (const good of ['a', 'team/app', 'a.b_c__d--e/f-g', 'x/y/z', '0/9', 'a'.repeat(255)]) {
    it(`accepts ${good.slice(0, 30)}`, () => assert.equal(isRepositoryName(good), true));
  }
  for (const bad of ['', 'A', 'team/App', 'a//b', '/a', 'a/', '../a', 'a/../b', 'a..b', 'a___b', '-a', 'a-', 'a%2Fb', 'a b', 'a'.repeat(256), '.', 'a/.b']) {
    it(`rejects ${JSON.stringify(bad.slice(0, 30))}`, () => {
      assert.equal(isRepositoryName(bad), false);
      assert.throws(
        () => parseRepositoryName(bad),
        (e: Error & { code?: string }) => e.code === 'NAME_INVALID',
      );
    });
  }
  it('namespace is the first segment', () => {
    assert.equal(namespaceOf('team/app/x'), 'team');
    assert.equal(namespaceOf('solo'), '');
  });
});

describe('tags', () => {
  it('accepts the spec grammar', () => {
    for (const t of ['latest', 'v1.2.3', '_x', 'A-b_c.d', 'a'.repeat(128)]) assert.equal(isTag(t), true, t);
  });
  it('rejects the rest', () => {
    for (const t of ['', '.x', '-x', 'a'.repeat(129), 'a/b', 'a:b', 'sha256:abc']) assert.equal(isTag(t), false, t);
  });
});
