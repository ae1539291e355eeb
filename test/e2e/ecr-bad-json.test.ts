// Over a real socket, a body berth cannot take apart is ECR's 400 SerializationException, never a 5xx and never the
// "request aborted by the client" a finished body read used to be mistaken for.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertEcrError, type EcrBerth, ecrRaw, startEcrBerth } from './ecr-helpers.ts';

describe('ECR request bodies it cannot deserialise', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth();
  });
  after(async () => e?.dispose());

  it('JSON nested 5,000 deep is a SerializationException naming the nesting', async () => {
    const deep = `{"repositoryNames":${'{"a":'.repeat(5_000)}{}${'}'.repeat(5_000)}}`;
    const body = assertEcrError(await ecrRaw(e.raw, 'DescribeRepositories', deep, { key: e.admin }), 'SerializationException', 400);
    assert.match(body.message, /nested deeper than 64 levels/);
    assert.doesNotMatch(body.message, /aborted/);
  });

  it('broken JSON stays a SerializationException', async () => {
    assertEcrError(await ecrRaw(e.raw, 'DescribeRepositories', '{"repositoryNames":', { key: e.admin }), 'SerializationException', 400);
  });
});
