// The GC review-queue part of the MetadataStore conformance suite: what enters the queue, with the time it lost its
// last reference, and what takes it off again. Deletes only trash, so what a deleted manifest held is not queued
// until the trash is purged (see the GC manifest steps).
import assert from 'node:assert/strict';
import type { MetadataStore } from '../../core/index.ts';
import { actor, at, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

export function queueCases(suite: ConformanceSuite): void {
  const { kit, inspected } = suite;
  const { repo, link, put, queued } = kit;
  const s = (): MetadataStore => kit.store();

  inspected('queues a blob from its link while no manifest uses it; a new link restarts its clock; a manifest use takes it off', async () => {
    const [r, r2] = [repo(), repo()];
    const b = await link(r, 'q-linked', later(1));
    assert.deepEqual(await queued(b), later(1), 'an uploaded layer nothing uses yet is queued from its link');
    await link(r, 'q-linked', later(5));
    assert.deepEqual(await queued(b), later(5), 'a second upload of it restarts the grace period');
    await s().mountBlob(r, r2, b, actor, later(6));
    assert.deepEqual(await queued(b), later(6), 'so does a mount');
    await put(manifest(r, 'q-linked-user', { blobs: [b], at: later(7) }));
    assert.equal(await queued(b), undefined, 'a manifest uses it');
    await link(r2, 'q-linked', later(8));
    await s().mountBlob(r, repo(), b, actor, later(9));
    assert.equal(await queued(b), undefined, 'links of a used blob do not queue it');
  });

  inspected('a trashed manifest keeps its blobs off the queue; they are queued when its last user goes for good', async () => {
    const [r, r2] = [repo(), repo()];
    const [shared, own] = [await link(r, 'q-shared'), await link(r, 'q-own')];
    await link(r2, 'q-shared');
    const [m, m2] = [manifest(r, 'q-m', { blobs: [shared, own] }), manifest(r2, 'q-m2', { blobs: [shared] })];
    await put(m, m2);
    assert.equal(await queued(shared), undefined);
    assert.equal((await s().deleteManifest(r, m.digest, actor, later(10), RESPECT_PINS)).kind, 'deleted');
    assert.equal(await queued(own), undefined, 'the trashed manifest still holds it (it may be restored)');
    assert.equal(await queued(shared), undefined);
    assert.deepEqual(await s().unlinkBlob(r, own, actor, later(15)), { kind: 'unlinked' });
    assert.deepEqual(await queued(own), later(15), 'its only user was purged with the unlink: released now');
    assert.equal(await queued(shared), undefined, 'still used in another repository');
    assert.deepEqual(await s().unlinkBlob(r, shared, actor, later(16)), { kind: 'unlinked' });
    assert.equal(await queued(shared), undefined, 'unlinked here, still used there');
    assert.equal((await s().deleteManifest(r2, m2.digest, actor, later(20), RESPECT_PINS)).kind, 'deleted');
    assert.equal(await queued(shared), undefined);
    assert.deepEqual(await s().unlinkBlob(r2, shared, actor, later(40)), { kind: 'unlinked' });
    assert.deepEqual(await queued(shared), later(40));
    const r3 = repo();
    assert.equal(await s().mountBlob(r2, r3, shared, actor, later(45)), null);
    assert.deepEqual(await queued(shared), later(40), 'a mount from a repository that lacks it changes nothing');
    await link(r3, 'q-shared', later(50));
    assert.deepEqual(await queued(shared), later(50), 'a new link restarts the clock');
    await put(manifest(r3, 'q-m3', { blobs: [shared], at: later(60) }));
    assert.equal(await queued(shared), undefined, 'a new manifest use takes it off the queue');
  });

  inspected('queues a manifest when its last tag goes or moves, at that time; not while another tag or an index holds it', async () => {
    const r = repo();
    const [one, two] = [manifest(r, 'qt-1', { tag: 'a' }), manifest(r, 'qt-2', { tag: 'latest' })];
    await put(one, { ...one, tag: 'b' }, two);
    assert.equal(await queued(one.digest, r), undefined, 'a push by tag queues nothing');
    await s().deleteTag(r, 'a', actor, later(1), TAG_ONLY);
    assert.equal(await queued(one.digest, r), undefined, 'tag b still holds it');
    await s().deleteTag(r, 'b', actor, later(2), TAG_ONLY);
    assert.deepEqual(await queued(one.digest, r), later(2));
    await put({ ...one, tag: 'again', at: later(3) });
    assert.equal(await queued(one.digest, r), undefined, 're-tagging takes it off the queue');
    await put({ ...one, tag: 'latest', at: later(4) });
    assert.deepEqual(await queued(two.digest, r), later(4), 'the tag moved away from it');
    await put({ ...two, at: later(5) });
    assert.equal(await queued(two.digest, r), undefined, 'a re-push (even untagged) takes it off');
    await put(manifest(r, 'qt-index', { children: [two.digest] }), { ...two, tag: 'held', at: later(6) });
    await s().deleteTag(r, 'held', actor, later(7), TAG_ONLY);
    assert.equal(await queued(two.digest, r), undefined, 'an index still holds it');
    await s().deleteTag(r, 'again', actor, later(8), TAG_ONLY);
    assert.deepEqual(await queued(one.digest, r), later(8));
    await s().deleteManifest(r, one.digest, actor, later(9), RESPECT_PINS);
    assert.equal(await queued(one.digest, r), undefined, 'a deleted manifest leaves the queue (the trash is its record)');
    await s().restore(r, { digest: one.digest }, at, actor, later(10));
    assert.deepEqual(await queued(one.digest, r), later(10), 'restored without a tag: reviewed again from the restore');
  });

  inspected('a trashed index keeps its children off the queue; a push of a new parent takes a queued child off', async () => {
    const r = repo();
    const [free, tagged, shared] = [manifest(r, 'qc-free'), manifest(r, 'qc-tagged', { tag: 'x' }), manifest(r, 'qc-shared')];
    const index = manifest(r, 'qc-index', { mediaType: INDEX, children: [free.digest, tagged.digest, shared.digest], tag: 'multi' });
    await put(free, tagged, shared, index, manifest(r, 'qc-other-index', { mediaType: INDEX, children: [shared.digest] }));
    await s().deleteManifest(r, index.digest, actor, later(10), RESPECT_PINS);
    assert.equal(await queued(free.digest, r), undefined, 'the trashed index still holds it');
    await s().deleteTag(r, 'x', actor, later(11), TAG_ONLY);
    assert.equal(await queued(tagged.digest, r), undefined, 'untagged, but the trashed index still holds it');
    const other = manifest(r, 'qc-loose', { tag: 'loose' });
    await put(other);
    await s().deleteTag(r, 'loose', actor, later(12), TAG_ONLY);
    assert.deepEqual(await queued(other.digest, r), later(12));
    await put(manifest(r, 'qc-new-index', { mediaType: INDEX, children: [other.digest] }));
    assert.equal(await queued(other.digest, r), undefined, 'a new parent takes it off');
  });

  inspected('never queues a referrer whose subject is live: it goes with its subject, not on its own', async () => {
    const r = repo();
    const subject = manifest(r, 'qs-subject', { tag: 'v1' });
    const sig = manifest(r, 'qs-sig', { subject: subject.digest, tag: 'sha256-legacy.sig' });
    await put(subject, sig);
    await s().deleteTag(r, 'sha256-legacy.sig', actor, later(1), TAG_ONLY);
    assert.equal(await queued(sig.digest, r), undefined, 'its subject is live');
    await s().deleteTag(r, 'v1', actor, later(2), TAG_ONLY);
    assert.deepEqual(await queued(subject.digest, r), later(2), 'the subject is queued; collecting it takes the referrer along');
  });

  inspected('a repository delete writes no queue rows (the tombstone is the record)', async () => {
    const r = repo();
    await put(manifest(r, 'qr', { blobs: [await link(r, 'qr-blob')], tag: 'v' }));
    const before = await kit.reviewQueueLength();
    await s().deleteRepository(r, true, actor, at, RESPECT_PINS);
    assert.equal(await kit.reviewQueueLength(), before);
  });
}
