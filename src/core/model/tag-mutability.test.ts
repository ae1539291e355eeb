// The tag-mutability rule every tag-moving path relies on: wildcards, the four modes and what each mode may carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRegistryError } from '../errors.ts';
import { checkTagMutability, isTagImmutable, wildcardMatches } from './tag-mutability.ts';

describe('wildcardMatches', () => {
  it('a filter without * names exactly one tag, case-sensitively', () => {
    assert.equal(wildcardMatches('latest', 'latest'), true);
    assert.equal(wildcardMatches('latest', 'Latest'), false);
    assert.equal(wildcardMatches('latest', 'latest2'), false);
    assert.equal(wildcardMatches('latest', 'xlatest'), false);
  });

  it('* at the end, the start and in the middle matches any run, the empty one included', () => {
    assert.equal(wildcardMatches('release-*', 'release-1.2'), true);
    assert.equal(wildcardMatches('release-*', 'release-'), true);
    assert.equal(wildcardMatches('release-*', 'Release-1'), false);
    assert.equal(wildcardMatches('release-*', 'pre-release-1'), false);
    assert.equal(wildcardMatches('*-dev', 'feature-x-dev'), true);
    assert.equal(wildcardMatches('*-dev', 'feature-x-dev2'), false);
    assert.equal(wildcardMatches('v*-rc', 'v1.2-rc'), true);
    assert.equal(wildcardMatches('v*-rc', 'v-rc'), true);
    assert.equal(wildcardMatches('v*-rc', 'v1.2-rc1'), false);
    assert.equal(wildcardMatches('a*b*c', 'abc'), true);
    assert.equal(wildcardMatches('a*b*c', 'axxbyyc'), true);
    assert.equal(wildcardMatches('a*b*c', 'acb'), false);
    assert.equal(wildcardMatches('ab*ba', 'aba'), false, 'the prefix and the suffix may not overlap');
    assert.equal(wildcardMatches('a*bc*bc', 'abcbc'), true);
  });

  it('* alone matches every tag; ** is the same as *', () => {
    for (const tag of ['a', 'latest', 'v1.2.3', '_x']) assert.equal(wildcardMatches('*', tag), true);
    assert.equal(wildcardMatches('**', 'anything'), true);
  });

  it('dots are literal, not "any character"', () => {
    assert.equal(wildcardMatches('v1.2', 'v1.2'), true);
    assert.equal(wildcardMatches('v1.2', 'v132'), false);
    assert.equal(wildcardMatches('*.prod', 'x.prod'), true);
    assert.equal(wildcardMatches('*.prod', 'xprod'), false);
  });
});

describe('isTagImmutable', () => {
  it('MUTABLE and IMMUTABLE ignore filters', () => {
    assert.equal(isTagImmutable('MUTABLE', undefined, 'v1'), false);
    assert.equal(isTagImmutable('IMMUTABLE', undefined, 'latest'), true);
  });

  it('a matching tag is the exception: mutable in IMMUTABLE_WITH_EXCLUSION, immutable in MUTABLE_WITH_EXCLUSION', () => {
    const f = ['latest', 'dev-*'];
    assert.deepEqual(
      ['latest', 'dev-7', 'v1', 'LATEST'].map((t) => isTagImmutable('IMMUTABLE_WITH_EXCLUSION', f, t)),
      [false, false, true, true],
    );
    assert.deepEqual(
      ['release-1', 'release-', 'latest', 'xrelease-1'].map((t) => isTagImmutable('MUTABLE_WITH_EXCLUSION', ['release-*'], t)),
      [true, true, false, false],
    );
  });
});

describe('checkTagMutability', () => {
  const refused = (fn: () => unknown) => assert.throws(fn, (e) => isRegistryError(e) && e.code === 'INVALID_REQUEST');

  it('keeps 1-5 valid filters for the *_WITH_EXCLUSION modes and none for the others', () => {
    assert.deepEqual(checkTagMutability('IMMUTABLE_WITH_EXCLUSION', ['latest']), ['latest']);
    assert.deepEqual(checkTagMutability('MUTABLE_WITH_EXCLUSION', ['a', 'b*', '*c', 'd.e', 'f_g-h']), ['a', 'b*', '*c', 'd.e', 'f_g-h']);
    assert.deepEqual(checkTagMutability('MUTABLE', undefined), []);
    assert.deepEqual(checkTagMutability('IMMUTABLE', []), []);
  });

  it('refuses filters with MUTABLE/IMMUTABLE, none or six with *_WITH_EXCLUSION, and characters outside the pattern', () => {
    refused(() => checkTagMutability('IMMUTABLE', ['latest']));
    refused(() => checkTagMutability('MUTABLE', ['x']));
    refused(() => checkTagMutability('IMMUTABLE_WITH_EXCLUSION', undefined));
    refused(() => checkTagMutability('MUTABLE_WITH_EXCLUSION', []));
    refused(() => checkTagMutability('MUTABLE_WITH_EXCLUSION', ['a', 'b', 'c', 'd', 'e', 'f']));
    refused(() => checkTagMutability('IMMUTABLE_WITH_EXCLUSION', ['v?']));
    refused(() => checkTagMutability('IMMUTABLE_WITH_EXCLUSION', ['x'.repeat(129)]));
    refused(() => checkTagMutability('IMMUTABLE_WITH_EXCLUSION', ['']));
  });
});
