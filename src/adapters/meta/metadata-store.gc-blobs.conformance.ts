// The GC blob steps and the read-only inspection of the MetadataStore conformance suite, each on a store of its
// own: the compare-and-delete purge with its marker, the upload claim it races against, orphan purges for fsck,
// statistics, integrity checks and the listings fsck pages through.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Digest, GcClock, MetadataStore } from '../../core/index.ts';
import { actor, at, d, HOUR, INDEX, later, manifest, RESPECT_PINS, TAG_ONLY } from './metadata-store.fixtures.ts';
import type { ConformanceKit, ConformanceSuite } from './metadata-store.kit.conformance.ts';

/** No marker counts as abandoned: a claim must wait for any purge. */
const NEVER_STALE = new Date(0);

async function upload(s: MetadataStore, repository: string): Promise<string> {
  const id = randomUUID();
  await s.createUpload({ id, repository, offset: 0, startedAt: at, updatedAt: at });
  return id;
}

export function gcBlobCases(suite: ConformanceSuite): void {
  const { isolated } = suite;

  isolated('a claim records the closing chunk in its own transaction, and a link can end the session it finishes', async (k: ConformanceKit) => {
    const s = k.store();
    const r = k.repo();
    const id = await upload(s, r);
    const digest = d('claim-advance');
    assert.equal(await s.claimUploadDigest(id, digest, later(1), NEVER_STALE, { from: 5, to: 9, ref: 'stale' }), 'moved', 'the offset is not 5');
    assert.equal((await s.getUpload(id))?.claimed ?? null, null, 'a failed advance claims nothing');
    assert.equal(await s.claimUploadDigest(id, digest, later(2), NEVER_STALE, { from: 0, to: 9, ref: 'last' }), 'claimed');
    const session = await s.getUpload(id);
    assert.deepEqual([session?.offset, session?.claimed, session?.parts], [9, digest, [{ offset: 0, size: 9, ref: 'last' }]]);
    assert.equal(await s.claimUploadDigest(randomUUID(), digest, later(3), NEVER_STALE, { from: 0, to: 1, ref: 'x' }), 'moved', 'unknown session');
    await s.linkBlob(r, { digest, size: 9 }, actor, later(4), id);
    assert.deepEqual(await s.findBlob(r, digest), { digest, size: 9 });
    assert.equal(await s.getUpload(id), null, 'the session ended with the link');
    assert.equal(await s.blobState(digest), 'known');
  });

  isolated(
    'beginBlobPurge removes only blobs still queued past the grace period, used by no manifest (trashed ones too) and claimed by no upload',
    async (k: ConformanceKit) => {
      const s = k.store();
      const r = k.repo();
      const [due, young, live, trashed, claimed] = [
        await k.link(r, 'bp-due'),
        await k.link(r, 'bp-young', later(2 * HOUR)),
        await k.link(r, 'bp-live'),
        await k.link(r, 'bp-trashed'),
        await k.link(r, 'bp-claimed'),
      ];
      const elsewhere = k.repo();
      await k.link(elsewhere, 'bp-due');
      const gone = manifest(r, 'bp-user', { blobs: [trashed], tag: 'x' });
      await k.put(manifest(r, 'bp-live-user', { blobs: [live] }), gone);
      await s.deleteManifest(r, gone.digest, actor, later(1), RESPECT_PINS);
      const session = await upload(s, r);
      assert.equal(await s.claimUploadDigest(session, claimed, later(2), NEVER_STALE), 'claimed');
      assert.equal((await s.getUpload(session))?.claimed, claimed);
      const listed = (await s.dueBlobs(later(HOUR), 100)).map((b) => b.digest);
      assert.ok(listed.includes(due) && !listed.includes(young) && !listed.includes(live) && !listed.includes(trashed), 'dueBlobs: past grace and unused');
      const everything = [due, young, live, trashed, claimed, d('bp-never-linked')];
      assert.deepEqual(await s.beginBlobPurge(everything, later(HOUR), later(HOUR + 1), 'gc-test'), [{ digest: due, size: 6 }]);
      assert.equal(await s.findBlob(r, due), null, 'its rows are gone, in every repository');
      assert.equal(await s.findBlob(elsewhere, due), null);
      for (const x of [young, live, trashed, claimed]) assert.ok(await s.findBlob(r, x), 'the others stay');
      assert.equal(await s.blobState(due), 'purging');
      assert.deepEqual(await s.beginBlobPurge([due], later(HOUR), later(HOUR + 2), 'gc-test'), [], 'a second sweeper gets nothing');
      assert.equal(await s.claimUploadDigest(await upload(s, r), due, later(HOUR + 3), NEVER_STALE), 'purging', 'no upload may commit it while its bytes go');
      assert.equal((await s.gcStats({ at: later(HOUR + 3), releasedBefore: later(HOUR), trashedBefore: at })).purging, 1);
      await s.endBlobPurge([due], 'gc-test');
      assert.equal(await s.blobState(due), 'unknown');
      assert.equal(await s.claimUploadDigest(await upload(s, r), due, later(HOUR + 4), NEVER_STALE), 'claimed', 'claims go through once the purge ended');
      assert.equal(await s.blobState(due), 'claimed');
      await s.deleteUpload(session);
      assert.deepEqual(
        await s.beginBlobPurge([claimed], later(HOUR), later(HOUR + 5), 'gc-test'),
        [{ digest: claimed, size: 10 }],
        'the claim went with its session',
      );
      assert.deepEqual(
        await s.beginBlobPurge([young], later(3 * HOUR), later(3 * HOUR), 'gc-test'),
        [{ digest: young, size: 8 }],
        'due once its grace has passed',
      );
      await s.endBlobPurge([claimed, young], 'gc-test');
    },
  );

  isolated('a new link or use between listing and purge wins: the purge re-checks in its own transaction', async (k) => {
    const s = k.store();
    const [r, r2] = [k.repo(), k.repo()];
    const [relinked, used, mounted] = [await k.link(r, 'br-relinked'), await k.link(r, 'br-used'), await k.link(r, 'br-mounted')];
    const listed = (await s.dueBlobs(later(HOUR), 10)).map((b) => b.digest);
    assert.equal(listed.length, 3);
    await k.link(r, 'br-relinked', later(HOUR - 1));
    await k.put(manifest(r, 'br-user', { blobs: [used], at: later(HOUR - 1) }));
    await s.mountBlob(r, r2, mounted, actor, later(HOUR - 1));
    assert.deepEqual(await s.beginBlobPurge(listed, later(HOUR - 2), later(HOUR), 'gc-test'), []);
    for (const x of [relinked, used, mounted]) assert.equal(await s.blobState(x), 'known');
    assert.deepEqual(
      (await s.dueBlobs(later(2 * HOUR), 10)).map((b) => b.digest).sort(),
      [relinked, mounted].sort(),
      'relinked ones are due one grace period later',
    );
  });

  isolated('a blob used only by trashed manifests is released when they are purged, as of the end of their window', async (k) => {
    const s = k.store();
    const r = k.repo();
    const b = await k.link(r, 'bt-layer');
    const m = manifest(r, 'bt-image', { blobs: [b], tag: 'v' });
    await k.put(m);
    await s.deleteManifest(r, m.digest, actor, later(1), RESPECT_PINS);
    assert.deepEqual(await s.dueBlobs(later(10 * HOUR), 10), [], 'held by the trash');
    // Purged at 5 h with trash older than 2 ms due (a window of 5 h - 2 ms): deleted at 1 ms, its window ended at 5 h - 1 ms.
    assert.equal((await s.purgeTrash(later(2), 10, later(5 * HOUR))).manifests, 1);
    assert.deepEqual(await s.dueBlobs(later(5 * HOUR - 2), 10), [], 'released as of the end of the window, not before');
    assert.deepEqual(await s.dueBlobs(later(5 * HOUR - 1), 10), [{ digest: b, size: 8 }]);
  });

  isolated('forecastBlobs counts what the pass frees by purging the trash, under the grace rules the pass applies', async (k) => {
    const s = k.store();
    const r = k.repo();
    const [b, shared] = [await k.link(r, 'fc-layer'), await k.link(r, 'fc-shared')];
    const m = manifest(r, 'fc-image', { blobs: [b, shared], tag: 'v' });
    await k.put(m, manifest(r, 'fc-keep', { blobs: [shared], tag: 'k' }));
    await s.deleteManifest(r, m.digest, actor, later(1), RESPECT_PINS);
    const clock = (now: Date, graceMs: number, windowMs: number): GcClock => ({
      at: now,
      releasedBefore: new Date(now.getTime() - graceMs),
      trashedBefore: new Date(now.getTime() - windowMs),
    });
    assert.deepEqual(await s.forecastBlobs(clock(later(HOUR), 0, 2 * HOUR), [], 10), { blobs: 0, bytes: 0, listed: [] }, 'inside the window');
    assert.deepEqual(await s.forecastBlobs(clock(later(3 * HOUR), 0, HOUR), [], 10), { blobs: 1, bytes: 8, listed: [{ digest: b, size: 8 }] });
    assert.equal((await s.forecastBlobs(clock(later(2 * HOUR), HOUR, HOUR), [], 10)).blobs, 0, 'less than a grace past the window: a later pass');
    assert.equal((await s.forecastBlobs(clock(later(3 * HOUR), HOUR, HOUR), [], 10)).blobs, 1, 'a grace past the window: this pass');
  });

  isolated(
    'purge markers have owners and a lease: takeOverPurges moves stale ones to a new owner once; beginOrphanPurge marks only unknown digests',
    async (k) => {
      const s = k.store();
      const r = k.repo();
      const [known, purged] = [await k.link(r, 'bs-known'), await k.link(r, 'bs-purged')];
      await k.put(manifest(r, 'bs-user', { blobs: [known] }));
      assert.equal((await s.beginBlobPurge([purged], later(HOUR), later(HOUR), 'first')).length, 1);
      assert.deepEqual(await s.ownsPurges([purged], 'first', later(HOUR)), [purged]);
      assert.deepEqual(await s.ownsPurges([purged], 'other', later(HOUR)), []);
      assert.deepEqual(await s.takeOverPurges(later(HOUR), 'second', later(HOUR + 5), 10), [], 'strictly before the bound');
      assert.deepEqual(await s.takeOverPurges(later(HOUR + 1), 'second', later(HOUR + 5), 10), [purged]);
      assert.deepEqual(await s.ownsPurges([purged], 'first', later(HOUR + 6)), [], 'the slow first owner must now leave the bytes alone');
      assert.deepEqual(await s.takeOverPurges(later(HOUR + 5), 'third', later(HOUR + 6), 10), [], 'a taken-over marker is fresh again');
      assert.deepEqual(await s.ownsPurges([purged], 'second', later(HOUR + 50)), [purged], 'the owner checks and renews its lease');
      assert.deepEqual(await s.takeOverPurges(later(HOUR + 50), 'third', later(HOUR + 51), 10), [], 'a renewed lease is not stale');
      await s.endBlobPurge([purged], 'first');
      assert.equal(await s.blobState(purged), 'purging', 'only the owner ends a purge');
      const [orphan, claimed] = [d('bs-orphan'), d('bs-claimed')];
      assert.equal(await s.claimUploadDigest(await upload(s, r), claimed, later(2), NEVER_STALE), 'claimed');
      assert.equal(await s.blobState(claimed), 'claimed');
      assert.equal(await s.blobState(orphan), 'unknown');
      assert.deepEqual(await s.beginOrphanPurge([known, claimed, orphan], later(2 * HOUR), 'fsck'), [orphan]);
      assert.equal(await s.blobState(orphan), 'purging');
      assert.equal(await s.claimUploadDigest(await upload(s, r), orphan, later(2 * HOUR), later(2 * HOUR - 1)), 'purging', 'a fresh marker blocks a claim');
      assert.deepEqual(await s.takeOverPurges(later(3 * HOUR), 'sweeper', later(3 * HOUR), 1), [purged], 'oldest first, bounded');
      await s.endBlobPurge([purged], 'sweeper');
      const late = await upload(s, r);
      assert.equal(await s.claimUploadDigest(late, orphan, later(3 * HOUR), later(3 * HOUR)), 'claimed', 'a marker past its lease is dropped by a claim');
      assert.deepEqual(await s.ownsPurges([orphan], 'fsck', later(3 * HOUR)), []);
      assert.equal((await s.getUpload(late))?.claimed, orphan);
      assert.deepEqual(await s.takeOverPurges(later(4 * HOUR), 'x', later(4 * HOUR), 10), []);
      assert.equal(await s.blobState(known), 'known');
    },
  );

  isolated('the purge steps take whole batches and judge each digest on its own: owner, lease, order given, repeats', async (k) => {
    const s = k.store();
    const r = k.repo();
    const [a, b, c, kept] = [await k.link(r, 'bb-a'), await k.link(r, 'bb-b'), await k.link(r, 'bb-c'), await k.link(r, 'bb-kept')];
    await k.put(manifest(r, 'bb-user', { blobs: [kept] }));
    const [orphan, unknown] = [d('bb-orphan'), d('bb-unknown')];
    const begun = await s.beginBlobPurge([c, a, kept, b, a, unknown], later(HOUR), later(HOUR), 'one');
    assert.deepEqual(
      begun.map((x) => x.digest),
      [a, b, c].sort(),
      'each approved once, in digest order; the used and the unknown ones are not',
    );
    assert.equal(await s.blobState(kept), 'known');
    assert.deepEqual(await s.beginOrphanPurge([orphan, kept, orphan], later(HOUR), 'two'), [orphan], 'a known blob is no orphan');
    assert.deepEqual(await s.ownsPurges([c, a, orphan, unknown, b, c], 'one', later(HOUR + 5)), [c, a, b], 'only markers still held, in the order given');
    assert.deepEqual(
      await s.takeOverPurges(later(HOUR + 1), 'three', later(HOUR + 6), 10),
      [orphan],
      'the renewed markers are not stale; the one nobody renewed is',
    );
    await s.endBlobPurge([a, b, orphan], 'one');
    assert.deepEqual(
      [await s.blobState(a), await s.blobState(b), await s.blobState(c), await s.blobState(orphan)],
      ['unknown', 'unknown', 'purging', 'purging'],
      'only the owner ends a purge, each marker on its own',
    );
    await s.endBlobPurge([c], 'one');
    await s.endBlobPurge([orphan], 'three');
    assert.equal((await s.gcStats({ at: later(2 * HOUR), releasedBefore: later(HOUR), trashedBefore: at })).purging, 0);
    assert.deepEqual(await s.ownsPurges([], 'one', later(2 * HOUR)), []);
    assert.deepEqual(await s.beginBlobPurge([], later(HOUR), later(2 * HOUR), 'one'), []);
  });

  isolated('gcStats counts the queue, the trash, tombstones and purges as of the clock it is given', async (k) => {
    const s = k.store();
    const [r, gone] = [k.repo(), k.repo()];
    await k.link(r, 'gs-unused-a');
    await k.link(r, 'gs-unused-b', later(2 * HOUR));
    const used = await k.link(r, 'gs-used');
    const [m1, m2, m3] = [manifest(r, 'gs-1', { blobs: [used], tag: 'one' }), manifest(r, 'gs-2', { tag: 'two' }), manifest(r, 'gs-3', { tag: 'three' })];
    await k.put(m1, m2, m3, manifest(gone, 'gs-gone'));
    await s.deleteTag(r, 'two', actor, later(1), TAG_ONLY);
    await s.deleteManifest(r, m3.digest, actor, later(2), RESPECT_PINS);
    await s.deleteRepository(gone, true, actor, later(3), RESPECT_PINS);
    const clock: GcClock = { at: later(HOUR), releasedBefore: later(10), trashedBefore: later(3) };
    assert.deepEqual(await s.gcStats(clock), {
      blobsQueued: 2,
      blobsDue: 1,
      bytesDue: 11,
      manifestsQueued: 1,
      manifestsDue: 1,
      trashedManifests: 1,
      trashDue: 1,
      deletedRepositories: 1,
      purging: 0,
    });
    assert.deepEqual(await s.gcStats({ at, releasedBefore: at, trashedBefore: later(2) }), {
      blobsQueued: 2,
      blobsDue: 1,
      bytesDue: 11,
      manifestsQueued: 1,
      manifestsDue: 0,
      trashedManifests: 1,
      trashDue: 0,
      deletedRepositories: 1,
      purging: 0,
    });
    await s.beginBlobPurge([d('gs-unused-a')], clock.releasedBefore, clock.at, 'gc-test');
    const after = await s.gcStats(clock);
    assert.deepEqual([after.blobsQueued, after.blobsDue, after.bytesDue, after.purging], [1, 0, 0, 1]);
  });

  isolated('integrityIssues is empty on a healthy store full of indexes, referrers, trash, pins and tombstones', async (k) => {
    const s = k.store();
    const [r, gone] = [k.repo(), k.repo()];
    const [l1, l2] = [await k.link(r, 'gi-1'), await k.link(r, 'gi-2')];
    const child = manifest(r, 'gi-child', { blobs: [l1] });
    const index = manifest(r, 'gi-index', { mediaType: INDEX, children: [child.digest], tag: 'multi' });
    const sig = manifest(r, 'gi-sig', { subject: index.digest, blobs: [l2] });
    const old = manifest(r, 'gi-old', { blobs: [l2], tag: 'old' });
    await k.put(child, index, sig, old, manifest(gone, 'gi-gone', { blobs: [await k.link(gone, 'gi-3')], tag: 'x' }));
    await s.createPin({ repository: r, digest: index.digest, reason: 'r', owner: 'o', expiresAt: null, at, actor });
    await s.deleteManifest(r, old.digest, actor, later(1), RESPECT_PINS);
    await s.deleteRepository(gone, true, actor, later(2), RESPECT_PINS);
    await s.beginBlobPurge([d('gi-never')], later(1), later(1), 'gc-test');
    assert.deepEqual(await s.integrityIssues(100), []);
    assert.deepEqual(await s.integrityIssues(0), []);
  });

  isolated('listManifestBodies pages every stored body, live and trashed, exactly once; listBlobRecords pages by digest', async (k) => {
    const s = k.store();
    const [r1, r2] = [k.repo(), k.repo()];
    const ms = [...['a', 'b', 'c'].map((x) => manifest(r1, `lb-${x}`)), ...['d', 'e'].map((x) => manifest(r2, `lb-${x}`, { tag: x }))];
    await k.put(...ms);
    await s.deleteManifest(r2, ms[4]!.digest, actor, later(1), RESPECT_PINS);
    const seen = new Map<string, Buffer>();
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await s.listManifestBodies(after, 2);
      assert.ok(page.items.length <= 2);
      for (const item of page.items) {
        const key = `${item.repository}@${item.digest}`;
        assert.ok(!seen.has(key), `${key} listed twice`);
        seen.set(key, Buffer.from(item.body));
      }
      after = page.next;
      assert.ok(++pages <= 4, 'paging ends');
    } while (after !== undefined);
    assert.deepEqual(seen, new Map(ms.map((m) => [`${m.repository}@${m.digest}`, Buffer.from(m.body)] as [string, Buffer])));
    const blobs = await Promise.all(['lr-1', 'lr-22', 'lr-333'].map((x) => k.link(r1, x)));
    const sorted = [...blobs].sort();
    assert.deepEqual(
      await s.listBlobRecords(undefined, 2),
      sorted.slice(0, 2).map((digest) => ({ digest, size: sizeOf(blobs, digest) })),
    );
    assert.deepEqual(
      (await s.listBlobRecords(sorted[1] as Digest, 2)).map((b) => b.digest),
      [sorted[2]],
    );
    assert.deepEqual(await s.listBlobRecords(sorted[2] as Digest, 2), []);
  });
}

const sizeOf = (blobs: Digest[], digest: Digest): number => ['lr-1', 'lr-22', 'lr-333'][blobs.indexOf(digest)]!.length;
