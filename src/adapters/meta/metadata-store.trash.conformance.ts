// The trash part of the MetadataStore conformance suite: deletes hide tags and manifests from every read but keep
// them restorable, byte-identical and with what was deleted together, until GC purges them after the window.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { MetadataStore, NewManifest } from '../../core/index.ts';
import { actor, at, DROP_UNTAGGED, HOUR, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import { type ConformanceSuite, digestsOf } from './metadata-store.kit.conformance.ts';

export function trashCases(suite: ConformanceSuite): void {
  const { kit, inspected, isolated } = suite;
  const { repo, link, put, byDigest, queued } = kit;
  const s = (): MetadataStore => kit.store();
  /** Everything a pull or a listing could see of these manifests. */
  const visible = async (r: string, ms: NewManifest[]): Promise<unknown> => ({
    bodies: await Promise.all(
      ms.map(async (m) => {
        const got = await byDigest(r, m);
        return got && { ...got, body: Buffer.from(got.body) };
      }),
    ),
    tags: await s().listTags(r, { limit: 100 }),
    referrers: await Promise.all(ms.map(async (m) => digestsOf(await s().listReferrers(r, m.digest)))),
  });

  it('lists deleted tags newest first within `since`, and restores a tag deleted alone', async () => {
    const r = repo();
    const m = manifest(r, 't-alone', { tag: 'a' });
    await put(m, { ...m, tag: 'b' }, { ...m, tag: 'c' });
    await s().deleteTag(r, 'a', actor, later(10), TAG_ONLY);
    await s().deleteTag(r, 'b', actor, later(20), TAG_ONLY);
    await s().deleteTag(r, 'c', actor, later(30), TAG_ONLY);
    const listed = await s().listDeletedTags(r, later(20), 10);
    assert.deepEqual(listed, [
      { repository: r, tag: 'c', digest: m.digest, deletedAt: later(30) },
      { repository: r, tag: 'b', digest: m.digest, deletedAt: later(20) },
    ]);
    assert.deepEqual(
      (await s().listDeletedTags(r, at, 1)).map((t) => t.tag),
      ['c'],
    );
    assert.deepEqual(await s().listDeletedTags(r, at, 0), []);
    assert.deepEqual(await s().listDeletedTags('conf/nowhere', at, 10), []);
    assert.deepEqual(await s().restore(r, { tag: 'a' }, later(11), actor, later(40)), { kind: 'unknown' }, 'deleted before `since`');
    assert.deepEqual(await s().restore(r, { tag: 'b' }, later(20), { principal: 'erin', dialect: 'cli' }, later(40)), {
      kind: 'restored',
      digest: m.digest,
      tags: ['b'],
      manifests: [],
    });
    assert.deepEqual(await s().listTags(r, { limit: 10 }), ['b']);
    assert.deepEqual(
      (await s().listDeletedTags(r, at, 10)).map((t) => t.tag),
      ['c', 'a'],
      'a restored tag leaves the trash',
    );
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual(
      [event!.action, event!.principal, event!.target, event!.detail],
      ['tag.restore', 'erin', 'b', { digest: m.digest, tags: ['b'], manifests: [] }],
    );
    assert.deepEqual(await s().restore(r, { tag: 'b' }, at, actor, later(41)), { kind: 'unknown' }, 'restored once');
    assert.deepEqual(await s().restore(r, { tag: 'never' }, at, actor, later(41)), { kind: 'unknown' });
    assert.deepEqual(await s().restore('conf/nowhere', { tag: 'b' }, at, actor, later(41)), { kind: 'unknown' });
  });

  it('hides a deleted manifest from every read; restore by digest brings it back byte-identical with its tags and referrers', async () => {
    const r = repo();
    const b = await link(r, 't2-layer');
    const m = manifest(r, 't2-image', { blobs: [b], tag: 'v1', annotations: { k: 'v' } });
    const sig = manifest(r, 't2-sig', { subject: m.digest, artifactType: 'application/x.sig' });
    const sbom = manifest(r, 't2-sbom', { subject: m.digest, tag: 'sbom' });
    const keep = manifest(r, 't2-keep', { tag: 'keep' });
    await put(m, { ...m, tag: 'v1.0' }, sig, sbom, keep);
    await s().recordPulls([{ repository: r, digest: m.digest, at: later(5) }]);
    const all = [m, sig, sbom, keep];
    const before = await visible(r, all);
    await s().deleteManifest(r, m.digest, actor, later(10), RESPECT_PINS);
    for (const x of [m, sig, sbom]) assert.equal(await byDigest(r, x), null, 'invisible by digest');
    for (const tag of ['v1', 'v1.0', 'sbom']) assert.equal(await s().getManifest(r, { tag }), null, 'invisible by tag');
    assert.deepEqual(await s().listTags(r, { limit: 10 }), ['keep']);
    assert.deepEqual(await s().listReferrers(r, m.digest), []);
    assert.ok(await s().findBlob(r, b), 'its blob stays linked');
    assert.deepEqual(await s().restore(r, { digest: m.digest }, later(11), actor, later(20)), { kind: 'unknown' }, 'deleted before `since`');
    assert.deepEqual(await s().restore(r, { digest: keep.digest }, at, actor, later(20)), { kind: 'unknown' }, 'a live manifest is not in the trash');
    const restored = await s().restore(r, { digest: m.digest }, later(10), { principal: 'erin', dialect: 'api' }, later(20));
    assert.equal(restored.kind, 'restored');
    if (restored.kind !== 'restored') return;
    assert.deepEqual(
      [restored.digest, [...restored.tags].sort(), new Set(restored.manifests)],
      [m.digest, ['sbom', 'v1', 'v1.0'], new Set([m.digest, sig.digest, sbom.digest])],
    );
    assert.deepEqual(await visible(r, all), before, 'bytes, facts, tags and referrers are back');
    const [event] = await s().listAudit({ limit: 1 });
    assert.deepEqual([event!.action, event!.principal, event!.target], ['manifest.restore', 'erin', m.digest]);
    assert.deepEqual(await s().listDeletedTags(r, at, 10), [], 'its deleted tags left the trash');
    assert.deepEqual(await s().restore(r, { digest: m.digest }, at, actor, later(21)), { kind: 'unknown' }, 'restored once');
  });

  it('restoring a tag deleted with its manifest (ECR untag) revives the manifest and its referrers', async () => {
    const r = repo();
    const m = manifest(r, 't3-image', { tag: 'only' });
    const sig = manifest(r, 't3-sig', { subject: m.digest });
    await put(m, sig);
    assert.equal((await s().deleteTag(r, 'only', actor, later(1), DROP_UNTAGGED)).kind, 'deleted');
    assert.equal(await byDigest(r, m), null);
    const restored = await s().restore(r, { tag: 'only' }, at, actor, later(2));
    assert.equal(restored.kind, 'restored');
    assert.deepEqual(restored.kind === 'restored' && [restored.digest, restored.tags, new Set(restored.manifests)], [
      m.digest,
      ['only'],
      new Set([m.digest, sig.digest]),
    ]);
    assert.equal((await s().getManifest(r, { tag: 'only' }))!.digest, m.digest);
    assert.deepEqual(digestsOf(await s().listReferrers(r, m.digest)), [sig.digest]);
  });

  it('a re-push of a trashed manifest revives it (keeping its first push time); a trashed child counts as missing for an index', async () => {
    const r = repo();
    const m = manifest(r, 't4', { tag: 'v1' });
    await put(m);
    await s().deleteManifest(r, m.digest, actor, later(1), RESPECT_PINS);
    const index = manifest(r, 't4-index', { mediaType: INDEX, children: [m.digest] });
    assert.deepEqual(await s().putManifest(index), { kind: 'missing', blobs: [], manifests: [m.digest] });
    await put({ ...m, tag: null, at: later(2) });
    const back = await byDigest(r, m);
    assert.deepEqual(back?.pushedAt, at);
    assert.deepEqual(await s().listTags(r, { limit: 10 }), [], 'a push by digest brings back no tag');
    await put(index);
    assert.deepEqual(await s().restore(r, { digest: m.digest }, at, actor, later(3)), { kind: 'unknown' }, 'no longer in the trash');
  });

  it('restoring a tag moves it back in a mutable repository', async () => {
    const r = repo();
    const [one, two] = [manifest(r, 't5-1', { tag: 'latest' }), manifest(r, 't5-2')];
    await put(one, two);
    await s().deleteTag(r, 'latest', actor, later(1), TAG_ONLY);
    await put({ ...two, tag: 'latest', at: later(2) });
    assert.equal((await s().restore(r, { tag: 'latest' }, at, actor, later(3))).kind, 'restored');
    assert.equal((await s().getManifest(r, { tag: 'latest' }))!.digest, one.digest);
  });

  inspected('refuses to restore a tag of an immutable repository that now points elsewhere, changing nothing', async () => {
    const r = repo();
    const [one, two] = [manifest(r, 't6-1', { tag: 'v1' }), manifest(r, 't6-2')];
    await put(one, two);
    await s().deleteManifest(r, one.digest, actor, later(1), RESPECT_PINS);
    await put({ ...two, tag: 'v1', at: later(2) });
    await kit.inspector()!.setTagMutability(r, 'IMMUTABLE');
    assert.deepEqual(await s().restore(r, { digest: one.digest }, at, actor, later(3)), { kind: 'tag-immutable', tag: 'v1', current: two.digest });
    assert.deepEqual(await s().restore(r, { tag: 'v1' }, at, actor, later(3)), { kind: 'tag-immutable', tag: 'v1', current: two.digest });
    assert.equal(await byDigest(r, one), null, 'still in the trash');
    assert.equal((await s().getManifest(r, { tag: 'v1' }))!.digest, two.digest);
  });

  it('restoring a tag follows the exclusion filters: an excluded tag of IMMUTABLE_WITH_EXCLUSION moves back, one of MUTABLE_WITH_EXCLUSION does not', async () => {
    const r = repo();
    const [one, two] = [manifest(r, 't6x-1', { tag: 'dev-1' }), manifest(r, 't6x-2')];
    await put(one, two);
    await s().deleteTag(r, 'dev-1', actor, later(1), TAG_ONLY);
    await put({ ...two, tag: 'dev-1', at: later(2) });
    const mode = (tagMutability: 'IMMUTABLE_WITH_EXCLUSION' | 'MUTABLE_WITH_EXCLUSION') =>
      s().updateRepository(r, { tagMutability, tagMutabilityExclusions: ['dev-*'] }, actor, later(2));
    await mode('MUTABLE_WITH_EXCLUSION');
    assert.deepEqual(await s().restore(r, { tag: 'dev-1' }, at, actor, later(3)), { kind: 'tag-immutable', tag: 'dev-1', current: two.digest });
    await mode('IMMUTABLE_WITH_EXCLUSION');
    assert.equal((await s().restore(r, { tag: 'dev-1' }, at, actor, later(3))).kind, 'restored');
    assert.equal((await s().getManifest(r, { tag: 'dev-1' }))!.digest, one.digest);
  });

  inspected('a restored manifest nothing holds is reviewed from the restore; its restored referrers are not', async () => {
    const r = repo();
    const m = manifest(r, 't7', { tag: 'x' });
    const sig = manifest(r, 't7-sig', { subject: m.digest });
    await put(m, sig);
    await s().deleteTag(r, 'x', actor, later(1), TAG_ONLY);
    await s().deleteManifest(r, m.digest, actor, later(2), RESPECT_PINS);
    assert.equal((await s().restore(r, { digest: m.digest }, at, actor, later(3))).kind, 'restored');
    assert.deepEqual(await queued(m.digest, r), later(3));
    assert.equal(await queued(sig.digest, r), undefined, 'a referrer goes with its subject, never on its own');
  });

  isolated('an index whose child was purged meanwhile restores as incomplete; trashed children come back with it', async (k) => {
    const st = k.store();
    const r = k.repo();
    const [purged, trashed] = [manifest(r, 't8-purged'), manifest(r, 't8-trashed')];
    const index = manifest(r, 't8-index', { mediaType: INDEX, children: [purged.digest], tag: 'multi' });
    const index2 = manifest(r, 't8-index2', { mediaType: INDEX, children: [trashed.digest], tag: 'multi2' });
    await k.put(purged, trashed, index, index2);
    await st.deleteManifest(r, purged.digest, actor, later(1), RESPECT_PINS);
    await st.deleteManifest(r, trashed.digest, actor, later(3), RESPECT_PINS);
    await st.deleteManifest(r, index.digest, actor, later(HOUR), RESPECT_PINS);
    await st.deleteManifest(r, index2.digest, actor, later(HOUR), RESPECT_PINS);
    assert.equal((await st.purgeTrash(later(2), 10, later(HOUR + 1))).manifests, 1, 'only the child deleted before the window');
    assert.deepEqual(await st.restore(r, { digest: purged.digest }, at, actor, later(HOUR + 2)), { kind: 'unknown' }, 'purged for good');
    assert.deepEqual(await st.restore(r, { digest: index.digest }, at, actor, later(HOUR + 3)), { kind: 'incomplete', missing: [purged.digest] });
    assert.equal(await k.byDigest(r, index), null, 'an incomplete restore changes nothing');
    assert.deepEqual(await st.restore(r, { tag: 'multi' }, at, actor, later(HOUR + 3)), { kind: 'incomplete', missing: [purged.digest] });
    const back = await st.restore(r, { digest: index2.digest }, at, actor, later(HOUR + 3));
    assert.deepEqual(back.kind === 'restored' && new Set(back.manifests), new Set([index2.digest, trashed.digest]));
    assert.ok(await k.byDigest(r, trashed), 'its trashed child is live again');
    assert.equal((await st.getManifest(r, { tag: 'multi2' }))!.digest, index2.digest);
  });
}
