// Bodies whose length the client declared: appends told their length (a store may stream them unbuffered) for every
// adapter, and the optional commitBytes (a small upload written whole, straight to its blob) for those that offer it:
// the blob is there whole, the area is gone, and a retry or a race of the same digest is harmless.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BlobStore } from '../../core/index.ts';
import type { OpenedBlobStore } from './blob-store.kit.conformance.ts';
import { Area, chunksOf, collect, MiB, put, readAll, sameBytes, sha, storePerSuite } from './blob-store.kit.conformance.ts';

/** `bytes` in chunks of 64 KiB, as a request body arrives. */
async function* inChunks(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
}

export function runWholeBlobConformance(name: string, open: () => Promise<OpenedBlobStore>): void {
  describe(`BlobStore commitBytes: ${name}`, () => {
    let store: BlobStore;
    let commitBytes: NonNullable<BlobStore['commitBytes']>;
    storePerSuite(open, (s) => {
      store = s;
      assert.ok(store.commitBytes, `${name} offers commitBytes`);
      commitBytes = store.commitBytes.bind(store);
    });

    it('writes the blob whole and removes the empty upload area', async () => {
      const bytes = randomBytes(1500);
      const area = await Area.create(store);
      await commitBytes(area.id, sha(bytes), bytes);
      assert.equal(await store.stat(sha(bytes)), bytes.length);
      sameBytes(await readAll(await store.open(sha(bytes))), bytes);
      assert.ok(!(await collect(store.listUploads())).includes(area.id), 'the area is gone');
    });

    it('writes the empty blob', async () => {
      const area = await Area.create(store);
      await commitBytes(area.id, sha(new Uint8Array()), new Uint8Array());
      assert.equal(await store.stat(sha(new Uint8Array())), 0);
    });

    it('is idempotent: a retried call, and a digest already held through an upload area, both succeed', async () => {
      const bytes = randomBytes(4000);
      const digest = await put(store, bytes);
      const area = await Area.create(store);
      await commitBytes(area.id, digest, bytes);
      await commitBytes(area.id, digest, bytes);
      sameBytes(await readAll(await store.open(digest)), bytes);
      assert.equal((await collect(store.list())).filter((d) => d === digest).length, 1);
      assert.ok(!(await collect(store.listUploads())).includes(area.id));
    });

    it('races of the same digest from several uploads leave the blob whole; readers see all of it or nothing', async () => {
      const bytes = randomBytes(64 * 1024);
      const digest = sha(bytes);
      const areas = await Promise.all(Array.from({ length: 6 }, () => Area.create(store)));
      const reads = Array.from({ length: 6 }, async () => {
        const s = await store.open(digest);
        if (s) sameBytes(await readAll(s), bytes);
      });
      await Promise.all([...areas.map((a) => commitBytes(a.id, digest, bytes)), ...reads]);
      sameBytes(await readAll(await store.open(digest)), bytes);
      const left = await collect(store.listUploads());
      for (const a of areas) assert.ok(!left.includes(a.id));
    });

    it('leaves other upload areas alone', async () => {
      const other = await Area.create(store);
      await other.append(0, chunksOf(randomBytes(10)));
      const bytes = randomBytes(100);
      await commitBytes(randomUUID(), sha(bytes), bytes);
      assert.ok((await collect(store.listUploads())).includes(other.id));
      await store.removeUpload(other.id);
    });
  });
}

/** For stores that stream by the declared length (S3); one that ignores it leaves the check to core. */
export function runDeclaredLengthConformance(name: string, open: () => Promise<OpenedBlobStore>): void {
  describe(`BlobStore appends of a declared length: ${name}`, () => {
    let store: BlobStore;
    storePerSuite(open, (s) => (store = s));

    it('appends a body of a declared length over the part size and commits it', async () => {
      const bytes = randomBytes(6 * MiB + 3);
      const area = await Area.create(store);
      assert.equal(await area.append(0, inChunks(bytes), true, bytes.length), bytes.length);
      await area.commit(sha(bytes));
      sameBytes(await readAll(await store.open(sha(bytes))), bytes);
    });

    it('fails an append whose source ends before its declared length, and one that runs past it', async () => {
      const bytes = randomBytes(6 * MiB);
      const area = await Area.create(store);
      await assert.rejects(area.append(0, inChunks(bytes), true, bytes.length + 10), (e) => e instanceof Error);
      await assert.rejects(area.append(0, inChunks(bytes), true, bytes.length - 10), (e) => e instanceof Error);
      assert.deepEqual(area.parts, [], 'nothing accepted');
      assert.equal(await area.append(0, inChunks(bytes), true, bytes.length), bytes.length);
      await area.commit(sha(bytes));
      assert.equal(await store.stat(sha(bytes)), bytes.length);
    });
  });
}
