// The stray contract on the real S3 (Ceph RADOS Gateway): objects under the prefix with keys no commit or upload
// writes, and unfinished multipart uploads outside every upload area (a commit killed mid-copy), planted with the raw
// client; leftovers inside a live upload area (a foreign name, a killed append's multipart upload) belong to the area,
// and what an area folder holds once its marker is gone is a stray.
import { randomUUID } from 'node:crypto';
import { CreateMultipartUploadCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Server } from '../../../../test/servers.ts';
import { hexOf } from '../../../core/index.ts';
import { sha, text } from '../blob-store.kit.conformance.ts';
import { runStrayConformance } from '../blob-store.strays.conformance.ts';
import { openTestStore, type TestStore } from './test-helpers.ts';

let t: TestStore;

async function object(key: string): Promise<{ kind: 'object'; key: string }> {
  await t.client.send(new PutObjectCommand({ Bucket: t.server.bucket, Key: `${t.prefix}${key}`, Body: 'stray' }));
  return { kind: 'object', key: `${t.prefix}${key}` };
}

async function multipart(key: string): Promise<{ kind: 'multipart'; key: string }> {
  await t.client.send(new CreateMultipartUploadCommand({ Bucket: t.server.bucket, Key: `${t.prefix}${key}` }));
  return { kind: 'multipart', key: `${t.prefix}${key}` };
}

runStrayConformance(
  's3',
  async () => {
    t = await openTestStore(await s3Server());
    return { store: t.store, cleanup: () => t.cleanup() };
  },
  {
    async plantStrays() {
      const killed = hexOf(sha(text('a commit killed mid-copy')));
      return [
        await object('foreign'),
        await object('backup/blobs/sha256/abc'),
        await object('blobs/sha256/not-hex'),
        await object('blobs/md5/0123'),
        await object('uploads/not-an-upload/x'),
        // Named like an area but with no "/": no area key looks like this.
        await object(`uploads/${randomUUID()}`),
        // What an area left once its marker went: a lost append's part a commit did not know, a killed append.
        await object(`uploads/${randomUUID()}/0000000000000000.abcdefabcdef`),
        await multipart(`uploads/${randomUUID()}/0000000000000003.abcdefabcdef`),
        // A multipart copy into a blob key that never completed, and one under a foreign key.
        await multipart(`blobs/sha256/${killed}`),
        await multipart('foreign-multipart'),
        await multipart('uploads/not-an-upload/0000000000000000.abcdefabcdef'),
      ];
    },
    async plantInArea(_store, id) {
      await object(`uploads/${id}/left-by-an-older-version`);
      await multipart(`uploads/${id}/0000000000000009.abcdefabcdef`);
    },
    ownKeys(digest, id) {
      return [`${t.prefix}blobs/sha256/${hexOf(digest)}`, `${t.prefix}uploads/${id}/created`, `${t.prefix}uploads/${id}/`];
    },
  },
);
