import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { EcrError } from './errors.ts';
import { decodeToken, encodeToken } from './paging.ts';
import { base, imageIds, maxResults, memberPath, repositoryName, validate } from './validate.ts';

const schema = z.object({ ...base, repositoryName, imageIds: imageIds.optional(), maxResults: maxResults.optional() });

function failure(body: unknown): EcrError {
  try {
    validate(schema, body);
  } catch (e) {
    assert.ok(e instanceof EcrError);
    return e;
  }
  assert.fail('expected a validation error');
}

describe('ECR input validation', () => {
  it('accepts valid input, treats null as absent and ignores members it does not know', () => {
    assert.deepEqual(validate(schema, { repositoryName: 'team/app', registryId: null, somethingNewer: 1 }), { repositoryName: 'team/app' });
  });

  it('says what AWS says: value, member path and constraint', () => {
    const e = failure({ repositoryName: 'Team' });
    assert.equal(e.type, 'InvalidParameterException');
    assert.equal(e.status, 400);
    assert.equal(
      e.message,
      "1 validation error detected: Value 'Team' at 'repositoryName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*',
    );
    assert.equal(failure({}).message, "1 validation error detected: Value null at 'repositoryName' failed to satisfy constraint: Member must not be null");
    assert.match(
      failure({ repositoryName: 'a' }).message,
      /Value 'a' at 'repositoryName' failed to satisfy constraint: Member must have length greater than or equal to 2/,
    );
    assert.match(failure({ repositoryName: 'x'.repeat(257) }).message, /Member must have length less than or equal to 256/);
    assert.match(failure({ repositoryName: 'ok', registryId: '12' }).message, /Value '12' at 'registryId' .*pattern: \[0-9\]\{12\}/);
    assert.match(failure({ repositoryName: 'ok', maxResults: 1001 }).message, /Value '1001' at 'maxResults' .*value less than or equal to 1000/);
    assert.match(failure({ repositoryName: 'ok', maxResults: 1.5 }).message, /at 'maxResults'/);
  });

  it('counts every error and names list members the AWS way', () => {
    const e = failure({ repositoryName: 'a', imageIds: [{ imageTag: '' }, { imageTag: 't'.repeat(301) }] });
    assert.match(e.message, /^3 validation errors detected: /);
    assert.match(e.message, /at 'imageIds\.1\.member\.imageTag' failed to satisfy constraint: Member must have length greater than or equal to 1/);
    assert.match(e.message, /at 'imageIds\.2\.member\.imageTag' failed to satisfy constraint: Member must have length less than or equal to 300/);
    assert.match(failure({ repositoryName: 'ok', imageIds: [] }).message, /Value '\[\]' at 'imageIds' .*length greater than or equal to 1/);
    assert.equal(memberPath(['tags', 0, 'Key']), 'tags.1.member.Key');
  });

  it('a wrong JSON type is an InvalidParameterException too, never a 5xx', () => {
    assert.match(failure({ repositoryName: 5 }).message, /Value '5' at 'repositoryName' failed to satisfy constraint: Member must be of type string/);
    assert.match(failure({ repositoryName: 'ok', imageIds: 'x' }).message, /at 'imageIds'/);
  });
});

describe('ECR paging tokens', () => {
  it('round-trip the position and are bound to the operation that issued them', () => {
    const token = encodeToken('ListImages', { d: 'sha256:ab', t: 'v1' });
    assert.match(token, /^[A-Za-z0-9_-]+$/);
    assert.deepEqual(decodeToken('ListImages', token), { d: 'sha256:ab', t: 'v1' });
    assert.throws(
      () => decodeToken('DescribeImages', token),
      (e: unknown) => e instanceof EcrError && e.type === 'InvalidParameterException' && /nextToken/.test(e.message),
    );
    for (const bad of ['abc', '!!', Buffer.from('[1]').toString('base64url'), Buffer.from('{"op":"ListImages","d":5}').toString('base64url')]) {
      assert.throws(() => decodeToken('ListImages', bad), EcrError, bad);
    }
  });
});
