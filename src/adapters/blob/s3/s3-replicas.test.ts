// Replicas that race on one upload, start-up checks that catch configuration mistakes, and presigned redirects: the
// parts of the S3 store that only show with several processes and a real gateway.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { s3Server } from '../../../../test/servers.ts';
import { type ErrorCode, isRegistryError } from '../../../core/index.ts';
import { chunksOf, collect, readAll, sha, text } from '../blob-store.kit.conformance.ts';
import { createS3BlobStore } from './open.ts';
import { openTestStore, type S3Server, type TestStore, urlOf } from './test-helpers.ts';

const code =
  (c: ErrorCode) =>
  (e: unknown): boolean =>
    isRegistryError(e) && e.code === c;

describe('S3 blob store: replicas racing on one upload', () => {
  let server: S3Server;
  let a: TestStore;
  let b: TestStore;
  before(async () => {
    server = await s3Server();
    a = await openTestStore(server);
    b = await openTestStore(server, { prefix: a.prefix });
  });
  after(async () => {
    await b.cleanup();
    await a.cleanup();
  });

  it('an append that lands after another replica wrote the same offset changes nothing that was accepted', async () => {
    const id = randomUUID();
    await a.store.createUpload(id);
    const first = await a.store.appendUpload(id, 0, chunksOf(text('hello ')));
    let accepted: { size: number; ref: string } | undefined;
    async function* slow(): AsyncIterable<Uint8Array> {
      yield text('wor');
      // Meanwhile the client gave up on this replica and sent the chunk again to the other one, which finished first
      // (and won the offset's compare-and-set in the metadata store: its part is the recorded one).
      accepted = await b.store.appendUpload(id, 6, chunksOf(text('world')));
      yield text('LD');
    }
    const late = await a.store.appendUpload(id, 6, slow());
    assert.notEqual(late.ref, accepted!.ref, 'two writers of one offset never share an object');
    const parts = [
      { offset: 0, size: 6, ref: first.ref },
      { offset: 6, size: 5, ref: accepted!.ref },
    ];
    assert.equal((await readAll(a.store.readUpload(id, 11, parts))).toString(), 'hello world');
    await a.store.removeUpload(id);
    assert.ok(!(await collect(a.store.listUploads())).includes(id), 'the late part went with the area');
  });

  it('an append that finishes after the upload was removed leaves nothing behind', async () => {
    const id = randomUUID();
    await a.store.createUpload(id);
    async function* slow(): AsyncIterable<Uint8Array> {
      yield text('abc');
      await b.store.removeUpload(id); // a cancel or expiry on another replica
      yield text('def');
    }
    await assert.rejects(a.store.appendUpload(id, 0, slow()), code('BLOB_UPLOAD_UNKNOWN'));
    assert.ok(!(await collect(b.store.listUploads())).includes(id));
  });

  it('redirects only when asked to: a presigned URL that serves the blob', async () => {
    const id = randomUUID();
    const bytes = randomBytes(5000);
    await a.store.createUpload(id);
    const { ref } = await a.store.appendUpload(id, 0, chunksOf(bytes));
    await a.store.commitUpload(id, bytes.length, sha(bytes), [{ offset: 0, size: bytes.length, ref }]);
    assert.equal(await a.store.downloadUrl?.(sha(bytes), 60), null);
    const redirecting = await openTestStore(server, { prefix: a.prefix, redirect: true });
    try {
      const url = await redirecting.store.downloadUrl?.(sha(bytes), 60);
      assert.ok(typeof url === 'string' && url.startsWith(server.endpoint), url ?? 'no url');
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(bytes));
      const tampered = await fetch(url.replace(/X-Amz-Expires=\d+/, 'X-Amz-Expires=999'));
      assert.equal(tampered.status, 403, 'the signature covers the lifetime');
    } finally {
      await redirecting.cleanup();
    }
  });
});

describe('S3 blob store: start-up checks', () => {
  let server: S3Server;
  before(async () => {
    server = await s3Server();
  });

  it('opens from an s3:// URL with credentials from the config, and serves', async () => {
    const store = await createS3BlobStore(urlOf(server, `startup-${randomUUID()}`), server);
    await store.ping();
    assert.equal(store.kind, 's3');
    await store.close();
  });

  it('refuses a bucket that does not exist, credentials the store rejects, and half a key pair', async () => {
    const missing = urlOf({ ...server, bucket: `no-such-${randomUUID().slice(0, 8)}` }, 'x');
    await assert.rejects(createS3BlobStore(missing, server), (e) => code('INVALID_REQUEST')(e) && /does not exist/.test(String(e)));
    await assert.rejects(
      createS3BlobStore(urlOf(server, 'x'), { accessKeyId: server.accessKeyId, secretAccessKey: 'wrong' }),
      (e) => code('INVALID_REQUEST')(e) && /refused/.test(String(e)),
    );
    await assert.rejects(
      createS3BlobStore(urlOf(server, 'x'), { accessKeyId: server.accessKeyId }),
      (e) => code('INVALID_REQUEST')(e) && /together/.test(String(e)),
    );
  });
});
