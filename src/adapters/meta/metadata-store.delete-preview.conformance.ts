// The delete preview and the manifest trash listing of the MetadataStore conformance suite: the same answers on
// SQLite and PostgreSQL for what a delete takes (cascade, collectable children, pins, freed blobs) and what the trash holds.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { DeleteTarget, MetadataStore } from '../../core/index.ts';
import { actor, at, INDEX, later, manifest, RESPECT_PINS } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

let counter = 0;
/** Labels no other case uses (the suite's store, and blob digests, are shared). */
const unique = (label: string): string => `dp${++counter}-${process.pid}-${label}`;

export function deletePreviewCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { link, put } = kit;
  const s = (): MetadataStore => kit.store();
  const facts = (r: string, target: DeleteTarget) =>
    s().deletePreviewFacts(r, target, { policy: RESPECT_PINS, at: later(10), restorableSince: at, limit: 100, detail: true, bytes: true });

  it('deletePreviewFacts: the referrer cascade, collectable children, pins, and only the blobs no other repository uses', async () => {
    const [r, other] = [kit.repo(), kit.repo()];
    const [ownLabel, sharedLabel, sigLabel] = [unique('own'), unique('shared'), unique('sig')];
    const [own, shared, sig] = [await link(r, ownLabel), await link(r, sharedLabel), await link(r, sigLabel)];
    await link(other, sharedLabel);
    const image = manifest(r, unique('image'), { blobs: [own, shared], tag: 'v1' });
    const referrer = manifest(r, unique('sig-m'), { blobs: [sig], subject: image.digest });
    const elsewhere = manifest(other, unique('other'), { blobs: [shared], tag: 'v1' });
    await put(image, referrer, elsewhere);
    const f = await facts(r, { digest: image.digest });
    assert.deepEqual(
      f?.manifests.map((m) => [m.digest, m.why]),
      [
        [image.digest, 'target'],
        [referrer.digest, 'referrer'],
      ],
    );
    assert.deepEqual(f?.tags, [{ tag: 'v1', digest: image.digest }]);
    assert.deepEqual(f?.blobs, { count: 2, bytes: ownLabel.length + sigLabel.length }, 'the shared layer is not counted');
    assert.deepEqual(await facts(r, { tag: 'nope' }), null);
    assert.equal(await facts('conf/nowhere', { repository: true }), null);

    const child = manifest(r, unique('child'));
    const tagged = manifest(r, unique('tagged-child'), { tag: 'alone' });
    await put(child, tagged);
    const index = manifest(r, unique('index'), { mediaType: INDEX, children: [child.digest, tagged.digest], tag: 'multi' });
    await put(index);
    assert.deepEqual((await facts(r, { digest: index.digest }))?.collectable, [{ digest: child.digest, why: 'child' }]);

    const pinned = await s().createPin({ repository: r, digest: image.digest, reason: 'prod', owner: 'team', expiresAt: null, at, actor });
    assert.equal(pinned.kind, 'created');
    assert.equal((await facts(r, { digest: image.digest }))?.pins.length, 1);
    assert.equal((await facts(r, { repository: true }))?.pins.length, 1);
    const byTag = await facts(r, { tag: 'v1' });
    assert.deepEqual([byTag?.manifests, byTag?.pins, byTag?.blobs.bytes], [[], [], 0], 'a pinned image stays when its tag goes');
  });

  it('listDeletedManifests: the trash newest first with the tags deleted with each, keyset-paged', async () => {
    const r = kit.repo();
    const [a, b] = [manifest(r, unique('a'), { tag: 'a' }), manifest(r, unique('b'), { tag: 'b' })];
    await put(a, b);
    await s().deleteManifest(r, a.digest, actor, later(1), RESPECT_PINS);
    await s().deleteManifest(r, b.digest, actor, later(2), RESPECT_PINS);
    const all = await s().listDeletedManifests(r, at, { limit: 10 });
    assert.deepEqual(
      all?.map((m) => [m.digest, m.tags, m.deletedAt.getTime()]),
      [
        [b.digest, ['b'], later(2).getTime()],
        [a.digest, ['a'], later(1).getTime()],
      ],
    );
    const next = await s().listDeletedManifests(r, at, { after: { deletedAt: later(2), digest: b.digest }, limit: 10 });
    assert.deepEqual(
      next?.map((m) => m.digest),
      [a.digest],
    );
    assert.deepEqual(
      await s()
        .listDeletedManifests(r, later(2), { limit: 10 })
        .then((x) => x?.length),
      1,
      'only those deleted since',
    );
    assert.equal(await s().listDeletedManifests('conf/nowhere', at, { limit: 10 }), null);
  });
}
