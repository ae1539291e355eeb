// The stray-finding part of the BlobStore contract, for every adapter: what the port itself wrote (blobs, upload areas
// and whatever lies inside an area) is never a stray, and what only a crash or a foreign hand leaves (planted by each
// adapter's test below the port) is listed once and removed, and a removal never takes a blob or an area along.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { BlobStore, Digest, Stray } from '../../core/index.ts';
import type { OpenedBlobStore } from './blob-store.kit.conformance.ts';
import { Area, chunksOf, collect, put, storePerSuite, text } from './blob-store.kit.conformance.ts';

/** What each adapter writes behind the port's back. */
export interface StrayPlanter {
  /** Leaves things no port call makes; resolves with the key listStrays must report for each, and its kind. */
  plantStrays(store: BlobStore): Promise<Array<Pick<Stray, 'kind' | 'key'>>>;
  /** Leaves a leftover inside the upload area `id` (a foreign name, an unfinished append): it belongs to the area. */
  plantInArea(store: BlobStore, id: string): Promise<void>;
  /** The keys, in this store's layout, of the blob `digest` and of what the upload area `id` holds. */
  ownKeys(digest: Digest, id: string): string[];
}

const byKey = (a: Pick<Stray, 'key'>, b: Pick<Stray, 'key'>): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

export function runStrayConformance(name: string, open: () => Promise<OpenedBlobStore>, planter: StrayPlanter): void {
  describe(`BlobStore strays: ${name}`, () => {
    let store: BlobStore;
    storePerSuite(open, (s) => (store = s));

    it('lists nothing the port wrote: blobs, empty and written upload areas, leftovers inside an area', async () => {
      await put(store, randomBytes(100));
      await put(store, new Uint8Array());
      const empty = await Area.create(store);
      const written = await Area.create(store);
      await written.append(0, chunksOf(text('in flight')));
      await planter.plantInArea(store, written.id);
      assert.deepEqual(await collect(store.listStrays()), []);
      // The area takes its leftovers along when it goes.
      await store.removeUpload(written.id);
      await store.removeUpload(empty.id);
      assert.deepEqual(await collect(store.listStrays()), []);
      assert.ok(!(await collect(store.listUploads())).includes(written.id));
    });

    it('lists each planted stray once with its kind and age, and removes it', async () => {
      const kept = await put(store, randomBytes(200));
      const area = await Area.create(store);
      const before = Date.now();
      const planted = await planter.plantStrays(store);
      const listed = await collect(store.listStrays());
      assert.deepEqual(listed.map((s) => ({ kind: s.kind, key: s.key })).sort(byKey), [...planted].sort(byKey));
      for (const s of listed) {
        // The store's clock, not ours: allow a few minutes of skew.
        assert.ok(Math.abs(s.modifiedAt.getTime() - before) < 300_000, `${s.key} written ${s.modifiedAt.toISOString()}`);
      }
      for (const s of listed) assert.equal(await store.removeStray(s), true, s.key);
      for (const s of listed) assert.equal(await store.removeStray(s), false, `${s.key} is gone already`);
      assert.deepEqual(await collect(store.listStrays()), []);
      assert.ok((await store.stat(kept)) !== null, 'the blob stays');
      assert.ok((await collect(store.listUploads())).includes(area.id), 'the area stays');
      await store.removeUpload(area.id);
    });

    it('never removes a blob or an upload area, whatever stray it is handed', async () => {
      const blob = await put(store, randomBytes(300));
      const area = await Area.create(store);
      await area.append(0, chunksOf(text('keep me')));
      const forged: Stray[] = [];
      for (const kind of ['file', 'object', 'multipart'] as const) {
        for (const key of [...planter.ownKeys(blob, area.id), blob, area.id, `../${randomUUID()}`]) {
          forged.push({ kind, key, modifiedAt: new Date(), uploadId: 'x' });
        }
      }
      for (const s of forged) assert.equal(await store.removeStray(s), false, `${s.kind} ${s.key}`);
      assert.ok((await store.stat(blob)) !== null);
      assert.ok((await collect(store.listUploads())).includes(area.id));
      await store.removeUpload(area.id);
    });
  });
}
