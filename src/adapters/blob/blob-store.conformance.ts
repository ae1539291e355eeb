// One behavioural contract for every BlobStore adapter (filesystem now, S3 later): each adapter's test is a
// one-line call to this suite, so backends cannot drift apart.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { BlobStore, Digest } from '../../core/index.ts';

export interface OpenedBlobStore {
  store: BlobStore;
  cleanup: () => Promise<void>;
}

const sha = (b: Uint8Array): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function* chunksOf(...parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

async function readAll(stream: AsyncIterable<Uint8Array> | null): Promise<Buffer> {
  assert.ok(stream, 'expected a stream');
  const out: Buffer[] = [];
  for await (const c of stream) out.push(Buffer.from(c));
  return Buffer.concat(out);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function put(store: BlobStore, bytes: Uint8Array): Promise<Digest> {
  const id = randomUUID();
  await store.createUpload(id);
  await store.appendUpload(id, 0, chunksOf(bytes));
  const digest = sha(bytes);
  await store.commitUpload(id, bytes.byteLength, digest);
  return digest;
}

export function runBlobStoreConformance(name: string, open: () => Promise<OpenedBlobStore>): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let opened: OpenedBlobStore;
    let store: BlobStore;
    before(async () => {
      opened = await open();
      store = opened.store;
    });
    after(async () => {
      await store.close();
      await opened.cleanup();
    });

    it('round-trips a committed blob and reports its size', async () => {
      const bytes = randomBytes(1000);
      const digest = await put(store, bytes);
      assert.equal(await store.stat(digest), 1000);
      assert.deepEqual(await readAll(await store.open(digest)), bytes);
    });

    it('serves byte ranges: first byte, last byte, middle', async () => {
      const bytes = randomBytes(4096);
      const digest = await put(store, bytes);
      assert.deepEqual(await readAll(await store.open(digest, { start: 0, end: 0 })), bytes.subarray(0, 1));
      assert.deepEqual(await readAll(await store.open(digest, { start: 4095, end: 4095 })), bytes.subarray(4095));
      assert.deepEqual(await readAll(await store.open(digest, { start: 100, end: 2000 })), bytes.subarray(100, 2001));
    });

    it('answers null for a blob it does not hold', async () => {
      const digest = sha(randomBytes(8));
      assert.equal(await store.stat(digest), null);
      assert.equal(await store.open(digest), null);
      assert.equal(await store.remove(digest), false);
    });

    it('stores the empty blob', async () => {
      const digest = await put(store, new Uint8Array());
      assert.equal(await store.stat(digest), 0);
      assert.equal((await readAll(await store.open(digest))).length, 0);
    });

    it('appends in several requests, discarding bytes past the given offset', async () => {
      const id = randomUUID();
      await store.createUpload(id);
      assert.equal(await store.appendUpload(id, 0, chunksOf(Buffer.from('hello '), Buffer.from('wor'))), 9);
      // A failed request wrote "XXXX" past the durable offset 9; the next append at 9 must drop it.
      assert.equal(await store.appendUpload(id, 9, chunksOf(Buffer.from('XXXX'))), 13);
      assert.equal(await store.appendUpload(id, 9, chunksOf(Buffer.from('ld'))), 11);
      assert.equal((await readAll(store.readUpload(id, 11))).toString(), 'hello world');
      await store.commitUpload(id, 11, sha(Buffer.from('hello world')));
      assert.equal((await readAll(await store.open(sha(Buffer.from('hello world'))))).toString(), 'hello world');
      assert.ok(!(await collect(store.listUploads())).includes(id), 'commit removes the upload area');
    });

    it('commits only the first `length` bytes', async () => {
      const id = randomUUID();
      await store.createUpload(id);
      await store.appendUpload(id, 0, chunksOf(Buffer.from('abcdef')));
      await store.commitUpload(id, 3, sha(Buffer.from('abc')));
      assert.equal(await store.stat(sha(Buffer.from('abc'))), 3);
    });

    it('rejects appending to an upload that does not exist', async () => {
      await assert.rejects(store.appendUpload(randomUUID(), 0, chunksOf(Buffer.from('x'))));
    });

    it('commits the same digest twice, also concurrently, without harm', async () => {
      const bytes = randomBytes(64 * 1024);
      const ids = [randomUUID(), randomUUID(), randomUUID()];
      for (const id of ids) {
        await store.createUpload(id);
        await store.appendUpload(id, 0, chunksOf(bytes));
      }
      await Promise.all(ids.map((id) => store.commitUpload(id, bytes.length, sha(bytes))));
      assert.deepEqual(await readAll(await store.open(sha(bytes))), bytes);
      const left = await collect(store.listUploads());
      for (const id of ids) assert.ok(!left.includes(id));
    });

    it('removes uploads idempotently and lists the ones present', async () => {
      const id = randomUUID();
      await store.createUpload(id);
      assert.ok((await collect(store.listUploads())).includes(id));
      await store.removeUpload(id);
      await store.removeUpload(id);
      assert.ok(!(await collect(store.listUploads())).includes(id));
    });

    it('lists and removes committed blobs', async () => {
      const digest = await put(store, randomBytes(10));
      assert.ok((await collect(store.list())).includes(digest));
      assert.equal(await store.remove(digest), true);
      assert.equal(await store.stat(digest), null);
      assert.ok(!(await collect(store.list())).includes(digest));
    });

    it('streams a 64 MiB blob in and out without corrupting it', async () => {
      const chunk = randomBytes(1024 * 1024);
      const id = randomUUID();
      const hash = createHash('sha256');
      async function* source(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < 64; i++) {
          chunk[0] = i;
          hash.update(chunk);
          yield Buffer.from(chunk);
        }
      }
      await store.createUpload(id);
      assert.equal(await store.appendUpload(id, 0, source()), 64 * 1024 * 1024);
      const digest: Digest = `sha256:${hash.digest('hex')}`;
      await store.commitUpload(id, 64 * 1024 * 1024, digest);
      const check = createHash('sha256');
      let total = 0;
      for await (const c of (await store.open(digest))!) {
        check.update(c);
        total += (c as Uint8Array).byteLength;
      }
      assert.equal(total, 64 * 1024 * 1024);
      assert.equal(`sha256:${check.digest('hex')}`, digest);
    });
  });
}
