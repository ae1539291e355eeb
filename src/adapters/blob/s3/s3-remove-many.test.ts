// What only an object store can do to a batched removal: answer DeleteObjects key by key. A key the store refuses (a
// bucket policy that denies deleting one blob) must come back failed while the rest of the same call goes through,
// and a batch is one DeleteObjects call per 1,000 keys, not a DELETE per blob.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { DeleteBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { s3Server } from '../../../../test/servers.ts';
import type { Digest } from '../../../core/index.ts';
import { put, text } from '../blob-store.kit.conformance.ts';
import { KeyLayout } from './keys.ts';
import { openTestStore, type TestStore } from './test-helpers.ts';

describe('S3 blob store: batched removal', () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore(await s3Server());
  });
  after(async () => {
    await t.cleanup();
  });

  const blobs = (n: number, label: string): Promise<Digest[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => put(t.store, text(`${label} ${i} ${randomUUID()}`))));

  it('removes a batch with one DeleteObjects call after one HEAD per key', async () => {
    const digests = await blobs(12, 'one call');
    const from = t.sent.length;
    const out = await t.store.removeMany(digests);
    const sent = t.sent.slice(from);
    assert.deepEqual([...new Set(out.values())], ['removed']);
    assert.equal(sent.filter((c) => c === 'DeleteObjectsCommand').length, 1);
    assert.equal(sent.filter((c) => c === 'HeadObjectCommand').length, 12);
    assert.equal(sent.length, 13, 'no per-blob DELETE');
  });

  it('a key the store refuses inside a DeleteObjects call is failed and keeps its bytes; the others of the call are removed', async () => {
    const digests = await blobs(6, 'partly refused');
    const refused = digests[3]!;
    const key = new KeyLayout(t.prefix).blob(refused);
    const policy = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'KeepOne', Effect: 'Deny', Principal: '*', Action: ['s3:DeleteObject'], Resource: [`arn:aws:s3:::${t.server.bucket}/${key}`] }],
    };
    await t.client.send(new PutBucketPolicyCommand({ Bucket: t.server.bucket, Policy: JSON.stringify(policy) }));
    let out: Map<Digest, string>;
    try {
      out = await t.store.removeMany(digests);
    } finally {
      await t.client.send(new DeleteBucketPolicyCommand({ Bucket: t.server.bucket }));
    }
    for (const d of digests) assert.equal(out.get(d), d === refused ? 'failed' : 'removed', d);
    assert.ok((await t.store.stat(refused)) !== null, 'the refused blob is still there');
    for (const d of digests) if (d !== refused) assert.equal(await t.store.stat(d), null);
    assert.equal((await t.store.removeMany([refused])).get(refused), 'removed', 'a later pass removes it');
  });
});
