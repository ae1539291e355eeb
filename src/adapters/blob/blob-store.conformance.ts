// One behavioural contract for every BlobStore adapter (filesystem now, S3 later): each adapter's test calls this
// suite with a way to open a fresh store, so backends cannot drift apart. Nothing here may assume a filesystem.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BlobStore, Digest } from '../../core/index.ts';
import {
  Area,
  chunksOf,
  collect,
  generated,
  hasCode,
  MiB,
  type OpenedBlobStore,
  put,
  readAll,
  sameBytes,
  sha,
  storePerSuite,
  text,
} from './blob-store.kit.conformance.ts';

export type { OpenedBlobStore } from './blob-store.kit.conformance.ts';

export interface BlobStoreTraits {
  /**
   * Whether several processes may write one upload area at once (S3 under replicas). A single-writer store (the
   * filesystem, guarded by the in-process upload lock) rewrites its area in place, so a request that loses the race
   * after another was accepted cannot happen there and its case is skipped.
   */
  concurrentWriters: boolean;
  /** Whether the store offers positional reads (`openFile`: the filesystem); a store without streams every pull. */
  positionalReads: boolean;
}

export function runBlobStoreConformance(name: string, open: () => Promise<OpenedBlobStore>, traits: BlobStoreTraits): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let store: BlobStore;
    storePerSuite(open, (s) => (store = s));

    describe('committed blobs', () => {
      it('has a kind for logs and metrics', () => {
        assert.equal(typeof store.kind, 'string');
        assert.ok(store.kind.length > 0);
      });

      it('answers the readiness probe while it can serve', async () => {
        await store.ping();
      });

      it('round-trips a committed blob and reports its size', async () => {
        const bytes = randomBytes(1000);
        const digest = await put(store, bytes);
        assert.equal(await store.stat(digest), 1000);
        sameBytes(await readAll(await store.open(digest)), bytes);
        // A second open is independent of the first.
        sameBytes(await readAll(await store.open(digest)), bytes);
      });

      it('serves byte ranges: first byte, last byte, middle, whole', async () => {
        const bytes = randomBytes(4096);
        const digest = await put(store, bytes);
        sameBytes(await readAll(await store.open(digest, { start: 0, end: 0 })), bytes.subarray(0, 1));
        sameBytes(await readAll(await store.open(digest, { start: 4095, end: 4095 })), bytes.subarray(4095));
        sameBytes(await readAll(await store.open(digest, { start: 100, end: 2000 })), bytes.subarray(100, 2001));
        sameBytes(await readAll(await store.open(digest, { start: 0, end: 4095 })), bytes);
      });

      it('reads a committed blob at positions when it offers positional reads (openFile); null when absent', async () => {
        assert.equal(store.openFile !== undefined, traits.positionalReads, 'positional reads as the adapter declares');
        if (!store.openFile) return;
        const bytes = randomBytes(5000);
        const digest = await put(store, bytes);
        const file = await store.openFile(digest);
        assert.ok(file);
        try {
          const into = Buffer.alloc(3000);
          assert.equal(await file.read(into, 0), 3000);
          sameBytes(into, bytes.subarray(0, 3000));
          assert.equal(await file.read(into, 4000), 1000, 'fewer only at the end');
          sameBytes(into.subarray(0, 1000), bytes.subarray(4000));
          assert.equal(await file.read(into, 5000), 0, 'nothing past the end');
        } finally {
          await file.close();
        }
        assert.equal(await store.openFile(sha(randomBytes(8))), null);
      });

      it('answers null or false for a blob it does not hold', async () => {
        const digest = sha(randomBytes(8));
        assert.equal(await store.stat(digest), null);
        assert.equal(await store.open(digest), null);
        assert.equal(await store.open(digest, { start: 0, end: 0 }), null);
        assert.equal(await store.remove(digest), false);
      });

      it('stores the empty blob', async () => {
        const digest = await put(store, new Uint8Array());
        assert.equal(await store.stat(digest), 0);
        assert.equal((await readAll(await store.open(digest))).length, 0);
      });

      it('removes many blobs at once and answers for each: removed, missing when already gone, failed when not a digest', async () => {
        const blobs = await Promise.all(Array.from({ length: 40 }, (_, i) => put(store, text(`batched removal ${i} ${randomUUID()}`))));
        const gone = sha(randomBytes(8));
        const malformed = 'sha256:not-hex' as Digest;
        const out = await store.removeMany([...blobs, gone, malformed, blobs[0]!]);
        assert.equal(out.size, 42, 'one answer per distinct digest');
        for (const d of blobs) assert.equal(out.get(d), 'removed');
        assert.equal(out.get(gone), 'missing');
        assert.equal(out.get(malformed), 'failed');
        for (const d of blobs) assert.equal(await store.stat(d), null, 'the bytes are gone');
        const again = await store.removeMany(blobs.slice(0, 3));
        assert.deepEqual([...again.values()], ['missing', 'missing', 'missing'], 'a second removal finds nothing');
        assert.equal((await store.removeMany([])).size, 0);
      });

      it('starts no removal once the signal is aborted: every digest failed, every blob still there', async () => {
        const blobs = await Promise.all([1, 2, 3].map((i) => put(store, text(`kept by an aborted removal ${i} ${randomUUID()}`))));
        const out = await store.removeMany(blobs, AbortSignal.abort());
        assert.deepEqual(
          blobs.map((d) => out.get(d)),
          ['failed', 'failed', 'failed'],
        );
        for (const d of blobs) assert.ok((await store.stat(d)) !== null, 'the bytes stay');
        assert.deepEqual([...(await store.removeMany(blobs)).values()], ['removed', 'removed', 'removed']);
      });

      it('lists committed blobs and removes them', async () => {
        const a = await put(store, randomBytes(10));
        const b = await put(store, randomBytes(11));
        const listed = await collect(store.list());
        assert.ok(listed.includes(a) && listed.includes(b));
        assert.equal(new Set(listed).size, listed.length, 'each digest listed once');
        assert.equal(await store.remove(a), true);
        assert.equal(await store.remove(a), false);
        assert.equal(await store.stat(a), null);
        assert.equal(await store.open(a), null);
        const after = await collect(store.list());
        assert.ok(!after.includes(a));
        assert.ok(after.includes(b));
      });

      it('does not list upload areas as blobs', async () => {
        const id = randomUUID();
        await store.createUpload(id);
        await store.appendUpload(id, 0, chunksOf(text('not yet a blob')));
        assert.ok(!(await collect(store.list())).includes(sha(text('not yet a blob'))));
        await store.removeUpload(id);
      });
    });

    describe('uploads', () => {
      it('appends in several requests; bytes of a request whose offset update lost are never read or committed', async () => {
        const area = await Area.create(store);
        assert.equal(await area.append(0, chunksOf(text('hello '), text('wor'))), 9);
        // A request wrote "XXXX" at 9 but its offset update lost (a crash, or another replica won): not a part.
        assert.equal(await area.append(9, chunksOf(text('XXXX')), false), 13);
        assert.equal(await area.append(9, chunksOf(text('ld'))), 11);
        assert.equal((await readAll(area.read())).toString(), 'hello world');
        await area.commit(sha(text('hello world')));
        assert.equal((await readAll(await store.open(sha(text('hello world'))))).toString(), 'hello world');
      });

      it('a lost append that lands after the accepted one does not change the accepted bytes', {
        skip: !traits.concurrentWriters && 'single-writer store',
      }, async () => {
        const area = await Area.create(store);
        await area.append(0, chunksOf(text('head-')));
        // Two requests at offset 5: the first is accepted, the second (a stale replica) writes later and loses.
        await area.append(5, chunksOf(text('good')));
        await area.append(5, chunksOf(text('evil')), false);
        assert.equal((await readAll(area.read())).toString(), 'head-good');
        await area.commit(sha(text('head-good')));
        assert.equal((await readAll(await store.open(sha(text('head-good'))))).toString(), 'head-good');
      });

      it('appends many chunks of uneven sizes, including empty ones, in order', async () => {
        const area = await Area.create(store);
        const parts = [1, 0, 7, 65536, 3, 0, 200_000, 1, 1 * MiB + 5].map((n) => randomBytes(n));
        const all = Buffer.concat(parts);
        const mid = parts.slice(0, 4).reduce((n, p) => n + p.length, 0);
        assert.equal(await area.append(0, chunksOf(...parts.slice(0, 4))), mid);
        assert.equal(await area.append(mid, chunksOf(...parts.slice(4))), all.length);
        sameBytes(await readAll(area.read()), all);
        await area.commit(sha(all));
        sameBytes(await readAll(await store.open(sha(all))), all);
      });

      it('accepts an append with no bytes at all', async () => {
        const area = await Area.create(store);
        assert.equal(await area.append(0, chunksOf()), 0);
        assert.equal(await area.append(0, chunksOf(text('ab'))), 2);
        assert.equal(await area.append(2, chunksOf(new Uint8Array())), 2);
        assert.equal((await readAll(area.read())).toString(), 'ab');
        await store.removeUpload(area.id);
      });

      it('keeps the bytes before the offset when the source fails mid-append', async () => {
        const area = await Area.create(store);
        await area.append(0, chunksOf(text('keep')));
        async function* broken(): AsyncIterable<Uint8Array> {
          yield text('junk');
          throw new Error('client went away');
        }
        await assert.rejects(area.append(4, broken()), /client went away/);
        // The session offset never moved past 4, so the next request resumes there.
        assert.equal(await area.append(4, chunksOf(text('!'))), 5);
        assert.equal((await readAll(area.read())).toString(), 'keep!');
        await store.removeUpload(area.id);
      });

      it('rejects appending to an upload that does not exist with BLOB_UPLOAD_UNKNOWN', async () => {
        await assert.rejects(store.appendUpload(randomUUID(), 0, chunksOf(text('x'))), hasCode('BLOB_UPLOAD_UNKNOWN'));
        const gone = randomUUID();
        await store.createUpload(gone);
        await store.removeUpload(gone);
        await assert.rejects(store.appendUpload(gone, 0, chunksOf(text('x'))), hasCode('BLOB_UPLOAD_UNKNOWN'));
      });

      it('reads back only the first `length` bytes of an upload', async () => {
        const area = await Area.create(store);
        await area.append(0, chunksOf(text('abc')));
        await area.append(3, chunksOf(text('def')));
        assert.equal((await readAll(area.read(4))).toString(), 'abcd');
        assert.equal((await readAll(area.read(2))).toString(), 'ab');
        assert.equal((await readAll(area.read(0))).length, 0);
        await store.removeUpload(area.id);
      });

      it('rejects reading an upload that does not exist, or past its end', async () => {
        await assert.rejects(readAll(store.readUpload(randomUUID(), 1, [])), hasCode('BLOB_UPLOAD_UNKNOWN'));
        const area = await Area.create(store);
        await area.append(0, chunksOf(text('abc')));
        // Fewer bytes than the session recorded would rebuild a wrong hash: that must be loud, not a short stream.
        await assert.rejects(readAll(area.read(4)));
        await store.removeUpload(area.id);
      });

      it('streams a large upload back for re-hashing without buffering it', async () => {
        const written = createHash('sha256');
        const area = await Area.create(store);
        assert.equal(await area.append(0, generated(8, MiB, written)), 8 * MiB);
        const reread = createHash('sha256');
        let largest = 0;
        let total = 0;
        for await (const c of area.read()) {
          reread.update(c);
          total += c.byteLength;
          largest = Math.max(largest, c.byteLength);
        }
        assert.equal(total, 8 * MiB);
        assert.ok(largest < 8 * MiB, 'bytes arrive in chunks');
        assert.equal(reread.digest('hex'), written.digest('hex'));
        await store.removeUpload(area.id);
      });

      it('removes uploads idempotently and lists the ones present', async () => {
        const a = randomUUID();
        const b = new Area(store);
        await store.createUpload(a);
        await store.createUpload(b.id);
        await b.append(0, chunksOf(text('bytes')));
        const listed = await collect(store.listUploads());
        assert.ok(listed.includes(a) && listed.includes(b.id));
        await store.removeUpload(a);
        await store.removeUpload(a);
        await store.removeUpload(randomUUID()); // never existed
        const left = await collect(store.listUploads());
        assert.ok(!left.includes(a));
        assert.ok(left.includes(b.id));
        await store.removeUpload(b.id);
        assert.ok(!(await collect(store.listUploads())).includes(b.id));
      });
    });

    describe('commit', () => {
      it('leaves nothing in uploads after a commit', async () => {
        const before = new Set(await collect(store.listUploads()));
        const digest = await put(store, randomBytes(3000));
        const after = await collect(store.listUploads());
        assert.deepEqual(
          after.filter((id) => !before.has(id)),
          [],
        );
        assert.equal(await store.stat(digest), 3000);
      });

      it('commits the recorded parts, not bytes a lost request left after them', async () => {
        const area = await Area.create(store);
        await area.append(0, chunksOf(text('abc')));
        await area.append(3, chunksOf(text('def')), false);
        await area.commit(sha(text('abc')));
        assert.equal(await store.stat(sha(text('abc'))), 3);
        assert.equal((await readAll(await store.open(sha(text('abc'))))).toString(), 'abc');
        assert.ok(!(await collect(store.listUploads())).includes(area.id));
      });

      it('refuses to commit more bytes than the upload holds', async () => {
        const area = await Area.create(store);
        await area.append(0, chunksOf(text('abc')));
        const digest = sha(text('abcd'));
        await assert.rejects(area.commit(digest, 4));
        assert.equal(await store.stat(digest), null);
        await store.removeUpload(area.id);
      });

      it('refuses to commit an upload that does not exist', async () => {
        const digest = sha(randomBytes(16));
        await assert.rejects(store.commitUpload(randomUUID(), 16, digest, [{ offset: 0, size: 16, ref: 'none' }]), hasCode('BLOB_UPLOAD_UNKNOWN'));
        assert.equal(await store.stat(digest), null);
      });

      it('is idempotent: a second upload of a held digest, and a retried commit, both succeed', async () => {
        const bytes = randomBytes(5000);
        const digest = await put(store, bytes);
        const area = await Area.create(store);
        await area.append(0, chunksOf(bytes));
        await area.commit(digest);
        assert.ok(!(await collect(store.listUploads())).includes(area.id), 'the duplicate upload area is removed');
        // The same commit again (a client retry after its first attempt got through) finds the blob in place.
        await area.commit(digest);
        sameBytes(await readAll(await store.open(digest)), bytes);
        assert.equal((await collect(store.list())).filter((d) => d === digest).length, 1);
      });

      it('commits the same digest concurrently from several uploads without harm', async () => {
        const bytes = randomBytes(256 * 1024);
        const digest = sha(bytes);
        const areas: Area[] = [];
        for (let i = 0; i < 6; i++) {
          const area = await Area.create(store);
          await area.append(0, chunksOf(bytes.subarray(0, 1000)));
          await area.append(1000, chunksOf(bytes.subarray(1000)));
          areas.push(area);
        }
        // Readers during the race see either no blob or the whole blob, never a part of it.
        const reads = Array.from({ length: 6 }, async () => {
          const s = await store.open(digest);
          if (s) sameBytes(await readAll(s), bytes);
        });
        await Promise.all([...areas.map((a) => a.commit(digest)), ...reads]);
        assert.equal(await store.stat(digest), bytes.length);
        sameBytes(await readAll(await store.open(digest)), bytes);
        const left = await collect(store.listUploads());
        for (const a of areas) assert.ok(!left.includes(a.id));
      });

      it('streams a 64 MiB blob in and out, verified by sha256 without buffering it', async () => {
        const total = 64 * MiB;
        const written = createHash('sha256');
        const area = await Area.create(store);
        // Two requests, so the second append continues at an offset.
        assert.equal(await area.append(0, generated(24, MiB, written)), 24 * MiB);
        assert.equal(await area.append(24 * MiB, generated(40, MiB, written)), total);
        const digest: Digest = `sha256:${written.digest('hex')}`;
        await area.commit(digest);
        assert.equal(await store.stat(digest), total);
        const check = createHash('sha256');
        let read = 0;
        for await (const c of (await store.open(digest))!) {
          check.update(c as Uint8Array);
          read += (c as Uint8Array).byteLength;
        }
        assert.equal(read, total);
        assert.equal(`sha256:${check.digest('hex')}`, digest);
        // A range deep inside the big blob.
        const tail = await readAll(await store.open(digest, { start: total - 10, end: total - 1 }));
        assert.equal(tail.length, 10);
        assert.equal(await store.remove(digest), true);
      });
    });
  });
}
