// The GC manifest steps of the MetadataStore conformance suite, each on a store of its own: compare-and-trash of
// queued orphans under the pin rules (and a dry run that changes nothing), purging the trash after the restore
// window, and emptying deleted repositories in bounded batches.
import assert from 'node:assert/strict';
import type { GcClock } from '../../core/index.ts';
import { actor, at, HOUR, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceKit, ConformanceSuite } from './metadata-store.kit.conformance.ts';

const GC = { principal: 'gc', dialect: 'gc' } as const;
/** A pass at `now` with a one-hour grace period and a one-day restore window. */
const clockAt = (now: Date): GcClock => ({ at: now, releasedBefore: new Date(now.getTime() - HOUR), trashedBefore: new Date(now.getTime() - 24 * HOUR) });

export function gcManifestCases(suite: ConformanceSuite): void {
  const { isolated } = suite;

  isolated('dueManifests lists reviews past the grace period, oldest first, of live repositories only', async (k: ConformanceKit) => {
    const s = k.store();
    const [r, gone] = [k.repo(), k.repo()];
    const [a, b] = [manifest(r, 'g-a', { tag: 'a' }), manifest(r, 'g-b', { tag: 'b' })];
    await k.put(a, b, manifest(gone, 'g-gone', { tag: 'x' }));
    await s.deleteTag(r, 'b', actor, later(10), TAG_ONLY);
    await s.deleteTag(r, 'a', actor, later(20), TAG_ONLY);
    await s.deleteTag(gone, 'x', actor, later(5), TAG_ONLY);
    await s.deleteRepository(gone, true, actor, later(6), RESPECT_PINS);
    const repoId = (await s.findRepository(r))!.id;
    assert.deepEqual(await s.dueManifests(later(9), 10), []);
    assert.deepEqual(await s.dueManifests(later(10), 10), [{ repository: r, repoId, digest: b.digest, releasedAt: later(10) }]);
    assert.deepEqual(
      (await s.dueManifests(later(HOUR), 10)).map((x) => x.digest),
      [b.digest, a.digest],
    );
    assert.deepEqual(
      (await s.dueManifests(later(HOUR), 1)).map((x) => x.digest),
      [b.digest],
    );
  });

  isolated('collectManifest trashes a still-orphaned manifest with its referrers; a dry run answers the same and changes nothing', async (k) => {
    const s = k.store();
    const r = k.repo();
    const m = manifest(r, 'gc-m', { tag: 'v' });
    const sig = manifest(r, 'gc-sig', { subject: m.digest });
    await k.put(m, sig);
    await s.deleteTag(r, 'v', actor, later(1), TAG_ONLY);
    const clock = clockAt(later(HOUR + 1));
    const [review] = await s.dueManifests(clock.releasedBefore, 10);
    assert.equal(review?.digest, m.digest);
    const audited = await k.lastAuditId();
    assert.deepEqual(await s.collectManifest(review!, clock, RESPECT_PINS, GC, true), {
      kind: 'collected',
      manifests: [m.digest, sig.digest],
      size: m.body.byteLength + sig.body.byteLength,
    });
    assert.ok(await k.byDigest(r, m), 'a dry run trashes nothing');
    assert.equal(await k.lastAuditId(), audited, 'nor audits');
    assert.equal((await s.dueManifests(clock.releasedBefore, 10)).length, 1, 'nor leaves the queue');
    assert.deepEqual(await s.collectManifest(review!, clock, RESPECT_PINS, GC, false), {
      kind: 'collected',
      manifests: [m.digest, sig.digest],
      size: m.body.byteLength + sig.body.byteLength,
    });
    assert.equal(await k.byDigest(r, m), null);
    assert.equal(await k.byDigest(r, sig), null);
    assert.deepEqual(await s.dueManifests(clock.releasedBefore, 10), []);
    const [event] = await s.listAudit({ limit: 1 });
    assert.deepEqual([event!.action, event!.principal, event!.repository, event!.target], ['manifest.gc', 'gc', r, m.digest]);
    assert.deepEqual(await s.collectManifest(review!, clock, RESPECT_PINS, GC, false), { kind: 'referenced' }, 'already gone');
    const back = await s.restore(r, { digest: m.digest }, at, actor, later(HOUR + 2));
    assert.deepEqual(back.kind === 'restored' && new Set(back.manifests), new Set([m.digest, sig.digest]), 'collected manifests are restorable');
  });

  isolated('collectManifest re-checks at the moment it acts: a manifest tagged or held by an index again, or not due yet, is dropped', async (k) => {
    const s = k.store();
    const r = k.repo();
    const [tagged, held, young] = [manifest(r, 'gr-tagged', { tag: 't' }), manifest(r, 'gr-held', { tag: 'h' }), manifest(r, 'gr-young', { tag: 'y' })];
    await k.put(tagged, held, young);
    for (const t of ['t', 'h']) await s.deleteTag(r, t, actor, later(1), TAG_ONLY);
    const clock = clockAt(later(HOUR + 1));
    const due = await s.dueManifests(clock.releasedBefore, 10);
    assert.equal(due.length, 2);
    await k.put({ ...tagged, tag: 't2', at: later(HOUR) }, manifest(r, 'gr-index', { mediaType: INDEX, children: [held.digest], tag: 'i' }));
    for (const review of due) {
      assert.deepEqual(await s.collectManifest(review, clock, RESPECT_PINS, GC, true), { kind: 'referenced' });
      assert.deepEqual(await s.collectManifest(review, clock, RESPECT_PINS, GC, false), { kind: 'referenced' });
    }
    for (const m of [tagged, held]) assert.ok(await k.byDigest(r, m));
    assert.deepEqual(await s.dueManifests(clock.releasedBefore, 10), []);
    await s.deleteTag(r, 'y', actor, later(HOUR), TAG_ONLY);
    const repoId = (await s.findRepository(r))!.id;
    const early = { repository: r, repoId, digest: young.digest, releasedAt: later(HOUR) };
    assert.deepEqual(await s.collectManifest(early, clock, RESPECT_PINS, GC, false), { kind: 'referenced' }, 'released after the grace bound: not due');
    assert.ok(await k.byDigest(r, young));
    assert.deepEqual(
      (await s.dueManifests(later(HOUR), 10)).map((x) => x.digest),
      [young.digest],
      'a loss newer than the pass keeps its review',
    );
  });

  isolated('collectManifest keeps pinned manifests: an explicit pin (also on a referrer, also in a dry run) or a recent pull', async (k) => {
    const s = k.store();
    const r = k.repo();
    const [pinned, subject, pulled] = [manifest(r, 'gp-pinned', { tag: 'p' }), manifest(r, 'gp-subject', { tag: 's' }), manifest(r, 'gp-pulled', { tag: 'u' })];
    const sig = manifest(r, 'gp-sig', { subject: subject.digest });
    await k.put(pinned, subject, sig, pulled);
    for (const [digest, reason] of [
      [pinned.digest, 'prod'],
      [sig.digest, 'verified'],
    ] as const) {
      assert.equal((await s.createPin({ repository: r, digest, reason, owner: 'o', expiresAt: null, at, actor })).kind, 'created');
    }
    for (const t of ['p', 's', 'u']) await s.deleteTag(r, t, actor, later(1), TAG_ONLY);
    await s.recordPulls([{ repository: r, digest: pulled.digest, at: later(HOUR) }]);
    const clock = clockAt(later(HOUR + 1));
    const due = await s.dueManifests(clock.releasedBefore, 10);
    assert.equal(due.length, 3);
    const policy = { breakPins: false, pulledSince: later(1) };
    for (const review of due) assert.deepEqual(await s.collectManifest(review, clock, policy, GC, true), { kind: 'pinned' }, `dry run: ${review.digest}`);
    assert.equal((await s.dueManifests(clock.releasedBefore, 10)).length, 3, 'a dry run keeps them queued');
    for (const review of due)
      assert.deepEqual(
        await s.collectManifest(review, clock, { breakPins: true, pulledSince: later(1) }, GC, false),
        { kind: 'pinned' },
        'GC never breaks pins',
      );
    for (const m of [pinned, subject, sig, pulled]) assert.ok(await k.byDigest(r, m));
    assert.deepEqual(await s.dueManifests(clock.releasedBefore, 10), [], 'explicit pins: off the queue until they go; a pull: re-reviewed later');
    const again = await s.dueManifests(later(2 * HOUR + 1), 10);
    assert.deepEqual(
      again.map((x) => [x.digest, x.releasedAt]),
      [[pulled.digest, new Date(clock.at.getTime() + 1)]],
      'requeued just after the pass, so a zero-grace pass does not spin on it',
    );
    assert.deepEqual(
      await s.collectManifest(again[0]!, clockAt(later(3 * HOUR)), { breakPins: false, pulledSince: later(2 * HOUR) }, GC, false),
      { kind: 'collected', manifests: [pulled.digest], size: pulled.body.byteLength },
      'no pull since',
    );
  });

  isolated('a tag deleted alone still restores after GC trashed the manifest it left untagged', async (k) => {
    const s = k.store();
    const r = k.repo();
    const m = manifest(r, 'gx', { tag: 'v1' });
    const sig = manifest(r, 'gx-sig', { subject: m.digest });
    await k.put(m, sig);
    await s.deleteTag(r, 'v1', actor, later(1), TAG_ONLY);
    const clock = clockAt(later(HOUR + 1));
    const [review] = await s.dueManifests(clock.releasedBefore, 10);
    assert.equal((await s.collectManifest(review!, clock, RESPECT_PINS, GC, false)).kind, 'collected');
    const back = await s.restore(r, { tag: 'v1' }, at, actor, later(HOUR + 2));
    assert.deepEqual(back.kind === 'restored' && [back.digest, back.tags, new Set(back.manifests)], [m.digest, ['v1'], new Set([m.digest, sig.digest])]);
    assert.equal((await s.getManifest(r, { tag: 'v1' }))?.digest, m.digest);
    assert.deepEqual(
      (await s.listReferrers(r, m.digest)).map((x) => x.digest),
      [sig.digest],
    );
    assert.deepEqual(await s.dueManifests(later(10 * HOUR), 10), [], 'tagged again: nothing to review');
  });

  isolated('purgeTrash removes trash past the restore window for good, oldest first, bounded, and queues what it held', async (k) => {
    const s = k.store();
    const r = k.repo();
    const [own, shared] = [await k.link(r, 'gt-own'), await k.link(r, 'gt-shared')];
    const child = manifest(r, 'gt-child');
    const old = manifest(r, 'gt-old', { blobs: [own, shared], tag: 'old' });
    const index = manifest(r, 'gt-index', { mediaType: INDEX, children: [child.digest], tag: 'idx' });
    const recent = manifest(r, 'gt-recent', { blobs: [shared], tag: 'recent' });
    await k.put(old, child, index, recent);
    await s.deleteManifest(r, old.digest, actor, later(10), RESPECT_PINS);
    await s.deleteManifest(r, index.digest, actor, later(20), RESPECT_PINS);
    await s.deleteManifest(r, recent.digest, actor, later(30), RESPECT_PINS);
    assert.deepEqual(
      (await s.dueTrash(later(25), 10)).map((x) => [x.repository, x.digest, x.releasedAt]),
      [
        [r, old.digest, later(10)],
        [r, index.digest, later(20)],
      ],
    );
    assert.deepEqual(
      (await s.dueTrash(later(25), 1)).map((x) => x.digest),
      [old.digest],
    );
    assert.equal((await s.purgeTrash(later(25), 1, later(100))).manifests, 1, 'bounded by the limit, oldest first');
    assert.deepEqual(await s.restore(r, { digest: old.digest }, at, actor, later(101)), { kind: 'unknown' });
    assert.equal((await s.purgeTrash(later(25), 10, later(110))).manifests, 1);
    assert.equal((await s.purgeTrash(later(25), 10, later(120))).manifests, 0);
    assert.deepEqual(
      (await s.dueTrash(later(HOUR), 10)).map((x) => x.digest),
      [recent.digest],
    );
    if (k.inspector()) {
      // purged at 100 with a window of 75 (trashed before 25): its last user stopped holding it at 10 + 75
      assert.deepEqual(await k.queued(own), later(85), 'its blob: released as of the end of its last user window');
      assert.equal(await k.queued(shared), undefined, 'still held by a trashed manifest inside the window');
      assert.deepEqual(await k.queued(child.digest, r), later(110), 'the purged index released its child');
    }
    assert.deepEqual(
      (await s.listDeletedTags(r, at, 10)).map((t) => t.tag),
      ['recent'],
      'the tags deleted with them went too',
    );
    assert.ok(await s.findBlob(r, own), 'blob rows stay for the blob step');
    assert.equal((await s.restore(r, { digest: recent.digest }, at, actor, later(130))).kind, 'restored');
  });

  isolated('purgeDeletedRepositories empties a tombstoned repository in batches, then removes it; the live one of that name is untouched', async (k) => {
    const s = k.store();
    const [r, other] = [k.repo(), k.repo()];
    const [own, shared] = [await k.link(r, 'gd-own'), await k.link(r, 'gd-shared')];
    await k.link(other, 'gd-shared');
    const ms = [1, 2, 3].map((i) => manifest(r, `gd-${i}`, { blobs: [own, shared], tag: `v${i}` }));
    await k.put(...ms, manifest(other, 'gd-other', { blobs: [shared], tag: 'v' }));
    await s.createPin({ repository: r, digest: ms[0]!.digest, reason: 'x', owner: 'o', expiresAt: null, at, actor });
    await s.deleteManifest(r, ms[2]!.digest, actor, later(1), { breakPins: false, pulledSince: null });
    assert.equal((await s.deleteRepository(r, true, actor, later(2), { breakPins: true, pulledSince: null })).kind, 'deleted');
    const fresh = manifest(r, 'gd-fresh', { tag: 'new' });
    await k.put(fresh);
    const stats = await s.gcStats(clockAt(later(3)));
    assert.equal(stats.deletedRepositories, 1);
    assert.deepEqual(await s.purgeDeletedRepositories(2, later(3)), { manifests: 2, links: 0, repositories: 0 });
    assert.deepEqual(await s.purgeDeletedRepositories(2, later(4)), { manifests: 1, links: 0, repositories: 0 }, 'the trashed one too');
    assert.deepEqual(await s.purgeDeletedRepositories(1, later(5)), { manifests: 0, links: 1, repositories: 0 }, 'blob links in batches too');
    assert.deepEqual(await s.purgeDeletedRepositories(2, later(5)), { manifests: 0, links: 1, repositories: 1 });
    assert.deepEqual(await s.purgeDeletedRepositories(2, later(6)), { manifests: 0, links: 0, repositories: 0 });
    assert.equal((await s.gcStats(clockAt(later(7)))).deletedRepositories, 0);
    assert.equal((await s.gcStats(clockAt(later(7)))).trashedManifests, 0);
    assert.equal((await s.getManifest(r, { tag: 'new' }))?.digest, fresh.digest, 'the live repository of that name is untouched');
    assert.ok(await s.findBlob(other, shared));
    const dueBlobs = (await s.dueBlobs(later(HOUR), 10)).map((b) => b.digest);
    assert.deepEqual(dueBlobs, [own], 'its unused blob is due for the blob step; the shared one is still used');
    assert.deepEqual(await s.integrityIssues(10), []);
  });
}
