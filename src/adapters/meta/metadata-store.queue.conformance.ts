// The GC review-queue part of the MetadataStore conformance suite: what enters the queue when it loses its last
// reference, and what takes it off again.
import assert from 'node:assert/strict';
import type { Digest, MetadataStore, NewManifest } from '../../core/index.ts';
import { actor, at, HOUR, INDEX, later, manifest } from './metadata-store.fixtures.ts';

/** The helpers the main suite shares with this part. */
export interface ConformanceKit {
  store(): MetadataStore;
  repo(): string;
  link(repository: string, label: string, when?: Date): Promise<Digest>;
  put(...manifests: NewManifest[]): Promise<void>;
  queued(digest: string, repository?: string): Promise<Date | undefined>;
  inspected(title: string, fn: () => Promise<void>): void;
  /** The queue as the adapter's test hook reports it (only inside `inspected` cases). */
  reviewQueueLength(): Promise<number>;
}

export function queueCases(kit: ConformanceKit): void {
  const { repo, link, put, queued, inspected } = kit;
  const s = (): MetadataStore => kit.store();
    inspected('queues blobs no manifest uses any more, postpones on a second loss, and drops them on a new link or use', async () => {
      const [r, r2] = [repo(), repo()];
      const [shared, own] = [await link(r, 'q-shared'), await link(r, 'q-own')];
      await link(r2, 'q-shared');
      const [m, m2] = [manifest(r, 'q-m', { blobs: [shared, own] }), manifest(r2, 'q-m2', { blobs: [shared] })];
      await put(m, m2);
      assert.equal(await queued(shared), undefined);
      await s().deleteManifest(r, m.digest, actor, later(10));
      assert.deepEqual(await queued(own), later(10 + HOUR), 'its last user is gone: review in an hour');
      assert.equal(await queued(shared), undefined, 'still used in another repository');
      await s().deleteManifest(r2, m2.digest, actor, later(20));
      assert.deepEqual(await queued(shared), later(20 + HOUR));
      await put(manifest(r, 'q-m3', { blobs: [own], at: later(30) }));
      assert.equal(await queued(own), undefined, 'a new manifest use takes it off the queue');
      assert.deepEqual(await s().unlinkBlob(r2, shared, actor, later(40)), { kind: 'unlinked' });
      assert.deepEqual(await queued(shared), later(40 + HOUR), 'a second loss postpones the review');
      await link(r2, 'q-shared', later(50));
      assert.equal(await queued(shared), undefined, 'a new link rescues it');
      await s().unlinkBlob(r2, shared, actor, later(60));
      const r3 = repo();
      assert.equal(await s().mountBlob(r2, r3, shared, actor, later(70)), null);
      assert.ok(await queued(shared), 'a mount from a repository that lacks it changes nothing');
      await s().mountBlob(r, r3, shared, actor, later(80));
      assert.equal(await queued(shared), undefined, 'a mount rescues it');
    });

    inspected('queues a manifest when its last tag goes or moves, not while another tag or an index holds it', async () => {
      const r = repo();
      const [one, two] = [manifest(r, 'qt-1', { tag: 'a' }), manifest(r, 'qt-2', { tag: 'latest' })];
      await put(one, { ...one, tag: 'b' }, two);
      await s().deleteTag(r, 'a', actor, later(1));
      assert.equal(await queued(one.digest, r), undefined, 'tag b still holds it');
      await s().deleteTag(r, 'b', actor, later(2));
      assert.deepEqual(await queued(one.digest, r), later(2 + HOUR));
      await put({ ...one, tag: 'again', at: later(3) });
      assert.equal(await queued(one.digest, r), undefined, 're-tagging takes it off the queue');
      await put({ ...one, tag: 'latest', at: later(4) });
      assert.deepEqual(await queued(two.digest, r), later(4 + HOUR), 'the tag moved away from it');
      await put({ ...two, at: later(5) });
      assert.equal(await queued(two.digest, r), undefined, 'a re-push (even untagged) takes it off');
      await put(manifest(r, 'qt-index', { children: [two.digest] }), { ...two, tag: 'held', at: later(6) });
      await s().deleteTag(r, 'held', actor, later(7));
      assert.equal(await queued(two.digest, r), undefined, 'an index still holds it');
      await s().deleteTag(r, 'again', actor, later(8));
      await s().deleteManifest(r, one.digest, actor, later(9));
      assert.equal(await queued(one.digest, r), undefined, 'a deleted manifest leaves the queue');
    });

    inspected('queues the children an index delete releases; a push of a new parent takes them off', async () => {
      const r = repo();
      const [free, tagged, shared] = [manifest(r, 'qc-free'), manifest(r, 'qc-tagged', { tag: 'x' }), manifest(r, 'qc-shared')];
      const index = manifest(r, 'qc-index', { mediaType: INDEX, children: [free.digest, tagged.digest, shared.digest] });
      await put(free, tagged, shared, index, manifest(r, 'qc-other-index', { mediaType: INDEX, children: [shared.digest] }));
      await s().deleteManifest(r, index.digest, actor, later(10));
      assert.deepEqual(await queued(free.digest, r), later(10 + HOUR));
      assert.equal(await queued(tagged.digest, r), undefined, 'tagged');
      assert.equal(await queued(shared.digest, r), undefined, 'held by another index');
      await put(manifest(r, 'qc-new-index', { mediaType: INDEX, children: [free.digest] }));
      assert.equal(await queued(free.digest, r), undefined);
    });

    inspected('a repository delete writes no queue rows (the tombstone is the record)', async () => {
      const r = repo();
      await put(manifest(r, 'qr', { blobs: [await link(r, 'qr-blob')], tag: 'v' }));
      const before = await kit.reviewQueueLength();
      await s().deleteRepository(r, true, actor, at);
      assert.equal(await kit.reviewQueueLength(), before);
    });
}
