// The repository-lifecycle part of the MetadataStore conformance suite: the live-name listing, the O(1) repository
// delete (not-empty unless forced, a fresh id after, nothing of the old one visible or restorable) and what counts as
// an image for that not-empty check.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { actor, at, BREAK_PINS, DROP_UNTAGGED, HOUR, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceSuite } from './metadata-store.kit.conformance.ts';

export function repositoryCases(suite: ConformanceSuite): void {
  const { kit } = suite;
  const { repo, link, put, byDigest, lastAuditId } = kit;

  it('pages live repository names lexically with after/limit', async () => {
    const s = kit.store();
    for (const x of ['page/b', 'page/a', 'page/c', 'page/gone']) await link(x, `page-blob-${x}`);
    assert.equal((await s.deleteRepository('page/gone', false, actor, at, RESPECT_PINS)).kind, 'deleted');
    const names = await s.listRepositories({ limit: 10_000 });
    assert.deepEqual(names, [...new Set(names)].sort());
    assert.ok(!names.includes('page/gone'), 'deleted repositories are not listed');
    assert.deepEqual(await s.listRepositories({ after: 'page/', limit: 2 }), ['page/a', 'page/b']);
    assert.deepEqual(await s.listRepositories({ after: 'page/b', limit: 1 }), ['page/c']);
    assert.deepEqual(await s.listRepositories({ after: 'page/a0', limit: 1 }), ['page/b']);
    assert.deepEqual(await s.listRepositories({ after: names.at(-1), limit: 5 }), []);
    assert.deepEqual(await s.listRepositories({ limit: 0 }), []);
    assert.deepEqual(await s.listRepositories({ limit: 1 }), names.slice(0, 1));
  });

  it('a multi-arch image goes with its last tag: its untagged children no longer keep the repository non-empty', async () => {
    const s = kit.store();
    const r = repo();
    const [arm, amd] = [manifest(r, 'mc-arm'), manifest(r, 'mc-amd', { tag: 'amd-only' })];
    await put(arm, amd);
    const index = manifest(r, 'mc-index', { mediaType: INDEX, children: [arm.digest, amd.digest], tag: 'latest' });
    await put(index);
    assert.equal((await s.deleteTag(r, 'latest', actor, at, DROP_UNTAGGED)).kind, 'deleted');
    assert.equal(await byDigest(r, index), null, 'the index went with its last tag');
    assert.deepEqual(await s.deleteRepository(r, false, actor, at, RESPECT_PINS), { kind: 'not-empty' }, 'a tagged child is an image of its own');
    const dropped = await s.deleteTag(r, 'amd-only', actor, at, DROP_UNTAGGED);
    assert.deepEqual(dropped.kind === 'deleted' && dropped.manifests, [amd.digest], 'a deleted index no longer holds its child');
    assert.ok(await byDigest(r, arm), 'the untagged child stays while its index can be restored');
    assert.equal((await s.deleteRepository(r, false, actor, at, RESPECT_PINS)).kind, 'deleted', 'only the deleted image is left');
    const keep = repo();
    const [child, parent] = [manifest(keep, 'mc-live-child'), manifest(keep, 'mc-live-parent', { mediaType: INDEX, tag: 'v1' })];
    await put(child, { ...parent, children: [child.digest] });
    assert.deepEqual(await s.deleteRepository(keep, false, actor, at, RESPECT_PINS), { kind: 'not-empty' }, 'a live index still counts');
  });

  it('deletes a repository in O(1): not-empty unless forced; the name restarts empty with a new id', async () => {
    const s = kit.store();
    const r = repo();
    const b = await link(r, 'repo-blob');
    const m = manifest(r, 'r1', { blobs: [b], tag: 't' });
    await put(m);
    assert.deepEqual(await s.deleteRepository(r, false, actor, at, RESPECT_PINS), { kind: 'not-empty' });
    await put(manifest(r, 'r1-sig', { subject: m.digest }));
    const old = await s.findRepository(r);
    const audited = await lastAuditId();
    assert.deepEqual(await s.deleteRepository(r, false, actor, at, RESPECT_PINS), { kind: 'not-empty' });
    assert.ok(await s.getManifest(r, { tag: 't' }), 'a refused delete changes nothing');
    assert.equal(await lastAuditId(), audited, 'and audits nothing');
    assert.deepEqual(await s.deleteRepository(r, true, { principal: 'carol', dialect: 'swr' }, later(9), RESPECT_PINS), {
      kind: 'deleted',
      repository: old,
      brokenPins: [],
    });
    const [event] = await s.listAudit({ limit: 1 });
    assert.deepEqual(
      [event!.action, event!.principal, event!.repository, event!.target, event!.at, event!.detail],
      ['repository.delete', 'carol', r, old!.id, later(9), { force: true }],
    );
    assert.equal(await s.findRepository(r), null);
    assert.equal(await s.listTags(r, { limit: 10 }), null);
    assert.equal(await s.findBlob(r, b), null);
    assert.equal(await byDigest(r, m), null);
    assert.deepEqual(await s.listReferrers(r, m.digest), []);
    assert.equal(await s.mountBlob(r, repo(), b, actor, at), null);
    assert.deepEqual(await s.unlinkBlob(r, b, actor, at), { kind: 'unknown' });
    assert.deepEqual(await s.deleteTag(r, 't', actor, at, TAG_ONLY), { kind: 'unknown' });
    assert.deepEqual(await s.deleteManifest(r, m.digest, actor, at, RESPECT_PINS), { kind: 'unknown' });
    assert.deepEqual(await s.deleteRepository(r, true, actor, at, BREAK_PINS), { kind: 'unknown' });
    assert.deepEqual(await s.restore(r, { tag: 't' }, at, actor, later(10)), { kind: 'unknown' }, 'nothing of it can be restored');
    await link(r, 'new-blob', later(HOUR));
    const again = await s.findRepository(r);
    assert.notEqual(again!.id, old!.id);
    assert.deepEqual(again!.createdAt, later(HOUR));
    assert.deepEqual(await s.deleteRepository(r, true, actor, at, RESPECT_PINS, old!.id), { kind: 'unknown' }, 'by the old id: the new repository stays');
    await put(manifest(r, 'r2', { tag: 'again' }));
    assert.deepEqual(await s.deleteTag(r, 'again', actor, at, { ...TAG_ONLY, onlyId: old!.id }), { kind: 'unknown' }, 'a tag of the new repository neither');
    assert.ok(await s.getManifest(r, { tag: 'again' }));
    assert.equal((await s.deleteTag(r, 'again', actor, at, { ...TAG_ONLY, onlyId: again!.id })).kind, 'deleted');
    assert.ok(await s.findRepository(r));
    assert.deepEqual(await s.listTags(r, { limit: 10 }), []);
    assert.equal(await s.getManifest(r, { tag: 't' }), null);
    assert.equal(await s.findBlob(r, b), null, 'old links do not come back');
    assert.equal((await s.putManifest(m)).kind, 'missing', 'nor do old blobs');
    const empty = repo();
    await link(empty, 'x');
    assert.equal((await s.deleteRepository(empty, false, actor, at, RESPECT_PINS)).kind, 'deleted', 'an empty repository needs no force');
    const trashedOnly = repo();
    const gone = manifest(trashedOnly, 'only-trash', { tag: 'x' });
    await put(gone);
    await s.deleteManifest(trashedOnly, gone.digest, actor, at, RESPECT_PINS);
    assert.equal((await s.deleteRepository(trashedOnly, false, actor, at, RESPECT_PINS)).kind, 'deleted', 'trashed manifests do not count');
  });
}
