// Online GC over the real embedded stores (SQLite + filesystem) with a clock the test moves: what a pass removes and
// when, what it must keep (shared layers, pinned images, the trash inside its window), that a dry run changes
// nothing, and that a pass racing an upload of the same digest never loses the bytes the upload committed.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { type openTestRegistry, pushBlob, pushImage, registriesClosedAfter, sha256, TEST_ACTOR, type TestRegistry } from '../../../adapters/test-helpers.ts';
import {
  createPin,
  deleteManifest,
  deletePin,
  deleteRepository,
  type GcClock,
  type MetadataStore,
  PURGE_LEASE_MS,
  putManifest,
  type RegistryDeps,
} from '../../index.ts';
import { type GcOptions, runGc } from './index.ts';
import { BLOB_BATCH } from './sweep.ts';

const GRACE = 3_600_000;
const WINDOW = 24 * GRACE;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('runGc over the real stores', () => {
  const openRegistry = registriesClosedAfter();
  let reg: TestRegistry;
  let deps: RegistryDeps;
  const open = (o: Parameters<typeof openTestRegistry>[0] = {}): Promise<TestRegistry> => openRegistry({ restoreWindowMs: WINDOW, ...o });
  const gc = (extra: Partial<GcOptions> = {}, on: RegistryDeps = deps) => runGc(on, { graceMs: GRACE, restoreWindowMs: WINDOW, dryRun: false, ...extra });
  const clockNow = (): GcClock => {
    const at = deps.clock.now();
    return { at, releasedBefore: new Date(at.getTime() - GRACE), trashedBefore: new Date(at.getTime() - WINDOW) };
  };
  const size = (digest: string) => deps.blobs.stat(digest as never);

  beforeEach(async () => {
    reg = await open();
    deps = reg.deps;
  });

  it('reclaims the bytes of a blob nothing uses only once the grace period has passed', async () => {
    const unused = await pushBlob(deps, 'gc/app', 'a layer whose manifest never came');
    const used = await pushBlob(deps, 'gc/app', 'a layer in use');
    const config = await pushBlob(deps, 'gc/app', '{"config":1}');
    await pushImage(deps, 'gc/app', 'v1', config, [used]);
    reg.clock.advance(GRACE - 1);
    const early = await gc();
    assert.deepEqual([early.blobsRemoved, early.bytesReclaimed, early.errors], [0, 0, 0]);
    assert.equal(await size(unused.digest), unused.size, 'inside the grace period the bytes stay');
    reg.clock.advance(1);
    const due = await gc();
    assert.deepEqual([due.blobsRemoved, due.bytesReclaimed, due.errors], [1, unused.size, 0]);
    assert.equal(await size(unused.digest), null, 'the file is gone');
    assert.equal(await deps.meta.findBlob('gc/app', unused.digest), null);
    assert.equal(await deps.meta.blobState(unused.digest), 'unknown', 'no marker left behind');
    for (const b of [used, config]) assert.equal(await size(b.digest), b.size, 'what a manifest uses stays');
    assert.equal((await gc()).blobsRemoved, 0, 'a second pass finds nothing');
  });

  it('sweeps more blobs than one batch holds, each batch in turn, and keeps the one a manifest uses among them', async () => {
    const unused = [];
    for (let i = 0; i < 2 * BLOB_BATCH + 3; i++) unused.push(await pushBlob(deps, 'gc/many', `an orphan layer ${i}`));
    const used = await pushBlob(deps, 'gc/many', 'a layer in use');
    const config = await pushBlob(deps, 'gc/many', '{"config":2}');
    await pushImage(deps, 'gc/many', 'v1', config, [used]);
    reg.clock.advance(GRACE);
    const pass = await gc();
    assert.deepEqual([pass.blobsRemoved, pass.bytesReclaimed, pass.errors], [unused.length, unused.reduce((sum, b) => sum + b.size, 0), 0]);
    for (const b of [unused[0]!, unused[BLOB_BATCH]!, unused.at(-1)!]) assert.equal(await size(b.digest), null);
    for (const b of [used, config]) assert.equal(await size(b.digest), b.size, 'what a manifest uses stays');
    assert.equal((await gc()).blobsRemoved, 0, 'a second pass finds nothing');
  });

  it('keeps a deleted image restorable for the window, then purges it and reclaims its own blobs in one pass, never a shared layer', async () => {
    const [shared, own, config1, config2] = await Promise.all(['shared layer', 'own layer', '{"c":1}', '{"c":2}'].map((x) => pushBlob(deps, 'gc/app', x)));
    const img1 = await pushImage(deps, 'gc/app', 'v1', config1!, [shared!, own!]);
    await pushImage(deps, 'gc/app', 'v2', config2!, [shared!]);
    await deleteManifest(deps, 'gc/app', img1, TEST_ACTOR);
    reg.clock.advance(2 * GRACE);
    const inWindow = await gc();
    assert.deepEqual([inWindow.manifestsPurged, inWindow.blobsRemoved], [0, 0], 'the trash still holds its blobs');
    assert.equal(await size(own!.digest), own!.size);
    reg.clock.advance(WINDOW);
    // The window ended 2 graces ago: its blobs have been unheld for longer than the grace, so this one pass frees them.
    const purge = await gc();
    assert.deepEqual([purge.manifestsPurged, purge.blobsRemoved, purge.bytesReclaimed], [1, 2, own!.size + config1!.size]);
    assert.equal((await deps.meta.restore('gc/app', { digest: img1 }, new Date(0), TEST_ACTOR, deps.clock.now())).kind, 'unknown');
    for (const b of [own!, config1!]) assert.equal(await size(b.digest), null);
    for (const b of [shared!, config2!]) assert.equal(await size(b.digest), b.size, 'v2 still pulls');
    assert.ok(await deps.meta.getManifest('gc/app', { tag: 'v2' }));
  });

  it('keeps a pinned image (and its layers) whose tag moved on; after the pin goes it is collected like any orphan', async () => {
    const [layer1, layer2, config] = await Promise.all(['layer one', 'layer two', '{"c":0}'].map((x) => pushBlob(deps, 'gc/app', x)));
    const old = await pushImage(deps, 'gc/app', 'latest', config!, [layer1!]);
    await pushImage(deps, 'gc/app', 'latest', config!, [layer2!]);
    const pin = await createPin(deps, { repository: 'gc/app', reference: old, reason: 'prod runs it' }, TEST_ACTOR);
    reg.clock.advance(GRACE);
    const kept = await gc();
    assert.deepEqual([kept.manifestsPinned, kept.manifestsCollected, kept.blobsRemoved], [1, 0, 0]);
    reg.clock.advance(WINDOW + GRACE);
    assert.deepEqual([(await gc()).manifestsCollected, (await gc()).blobsRemoved], [0, 0]);
    assert.ok(await deps.meta.getManifest('gc/app', { digest: old }), 'still pullable by digest');
    assert.equal(await size(layer1!.digest), layer1!.size);
    await deletePin(deps, pin.id, TEST_ACTOR);
    reg.clock.advance(GRACE);
    assert.equal((await gc()).manifestsCollected, 1);
    assert.equal(await deps.meta.getManifest('gc/app', { digest: old }), null, 'trashed');
    reg.clock.advance(WINDOW);
    assert.equal((await gc()).manifestsPurged, 0, 'restorable up to the end of the window');
    reg.clock.advance(1);
    assert.equal((await gc()).manifestsPurged, 1);
    reg.clock.advance(GRACE);
    const reclaim = await gc();
    assert.deepEqual([reclaim.blobsRemoved, reclaim.bytesReclaimed], [1, layer1!.size], 'its own layer; the shared config stays');
    assert.equal(await size(config!.digest), config!.size);
  });

  it('counts a recent pull as a pin when deletion.autoPinPulledWithin is set', async () => {
    reg = await open({ autoPinPulledWithinMs: 2 * GRACE });
    deps = reg.deps;
    const config = await pushBlob(deps, 'gc/app', '{"auto":1}');
    const layer = await pushBlob(deps, 'gc/app', 'auto layer');
    const old = await pushImage(deps, 'gc/app', 'latest', config, [layer]);
    await pushImage(deps, 'gc/app', 'latest', config, []);
    reg.clock.advance(GRACE);
    await deps.meta.recordPulls([{ repository: 'gc/app', digest: old, at: deps.clock.now() }]);
    assert.deepEqual([(await gc()).manifestsPinned, (await gc()).manifestsCollected], [1, 0]);
    reg.clock.advance(2 * GRACE + 1);
    assert.equal((await gc()).manifestsCollected, 1, 'the pull is older than the window now');
  });

  it('a dry run reports what would go and how many bytes, and changes nothing', async () => {
    const [a, b] = [await pushBlob(deps, 'gc/app', 'dry a'), await pushBlob(deps, 'gc/app', 'dry bb')];
    const config = await pushBlob(deps, 'gc/app', '{"dry":1}');
    const orphan = await pushImage(deps, 'gc/app', 'v1', config, []);
    await pushImage(deps, 'gc/app', 'v1', config, [], { annotations: { v: '2' } });
    const trashed = await pushImage(deps, 'gc/app', 'gone', config, [], { annotations: { v: '3' } });
    await deleteManifest(deps, 'gc/app', trashed, TEST_ACTOR);
    reg.clock.advance(WINDOW + GRACE);
    const snapshot = async () => ({
      stats: await deps.meta.gcStats(clockNow()),
      files: await Promise.all([a, b, config].map((x) => size(x.digest))),
      orphan: await deps.meta.getManifest('gc/app', { digest: orphan }),
      audit: (await deps.meta.listAudit({ limit: 1 }))[0]?.id,
    });
    const before = await snapshot();
    const plan = await gc({ dryRun: true });
    assert.equal(plan.dryRun, true);
    assert.deepEqual([plan.blobsRemoved, plan.bytesReclaimed, plan.manifestsCollected, plan.manifestsPurged], [2, a.size + b.size, 1, 1]);
    assert.deepEqual(plan.plan?.blobs.map((x) => x.digest).sort(), [a.digest, b.digest].sort());
    assert.deepEqual(
      plan.plan?.manifests.map((x) => x.digest),
      [orphan],
    );
    assert.deepEqual(
      plan.plan?.trash.map((x) => x.digest),
      [trashed],
    );
    assert.deepEqual(await snapshot(), before, 'nothing changed');
    const real = await gc();
    assert.deepEqual(
      [real.blobsRemoved, real.bytesReclaimed, real.manifestsCollected, real.manifestsPurged],
      [2, a.size + b.size, 1, 1],
      'the pass does what the plan said',
    );
  });

  it('purges a deleted repository in batches and then reclaims what only it used', async () => {
    const shared = await pushBlob(deps, 'gc/keep', 'shared between repositories');
    await deps.meta.mountBlob('gc/keep', 'gc/doomed', shared.digest, TEST_ACTOR, deps.clock.now());
    const config = await pushBlob(deps, 'gc/doomed', '{"doomed":1}');
    await pushImage(deps, 'gc/doomed', 'v1', config, [shared]);
    await pushImage(deps, 'gc/keep', 'v1', await pushBlob(deps, 'gc/keep', '{"keep":1}'), [shared]);
    await deleteRepository(deps, 'gc/doomed', true, TEST_ACTOR);
    const first = await gc();
    assert.deepEqual([first.repositoryManifestsPurged, first.repositoriesPurged], [1, 1]);
    reg.clock.advance(GRACE);
    const second = await gc();
    assert.deepEqual([second.blobsRemoved, second.bytesReclaimed], [1, config.size]);
    assert.equal(await size(shared.digest), shared.size);
    assert.equal((await deps.meta.gcStats(clockNow())).deletedRepositories, 0);
  });

  it('finishes purges a crashed sweeper left behind once their lease is over, but not one a live sweeper is working on', async () => {
    const b = await pushBlob(deps, 'gc/app', 'left half-purged');
    reg.clock.advance(GRACE);
    // A sweeper committed the purge of the rows, then died before removing the bytes.
    assert.equal((await deps.meta.beginBlobPurge([b.digest], clockNow().releasedBefore, deps.clock.now(), 'gc-test')).length, 1);
    reg.clock.advance(PURGE_LEASE_MS - 1);
    assert.equal((await gc()).stalePurgesFinished, 0, 'maybe still being worked on');
    assert.equal(await deps.meta.blobState(b.digest), 'purging');
    assert.equal(await size(b.digest), b.size);
    reg.clock.advance(2);
    const report = await gc();
    assert.deepEqual([report.stalePurgesFinished, report.errors], [1, 0]);
    assert.equal(await size(b.digest), null);
    assert.equal(await deps.meta.blobState(b.digest), 'unknown');
    const again = await pushBlob(deps, 'gc/app', 'left half-purged');
    assert.equal(await size(again.digest), b.size, 'the digest can be pushed again');
  });

  it('a failed byte removal is counted as an error, not as reclaimed space, and keeps its marker until a later pass finishes it', async () => {
    const [ok, stuck] = [await pushBlob(deps, 'gc/app', 'removable'), await pushBlob(deps, 'gc/app', 'stuck on a bad disk')];
    reg.clock.advance(GRACE);
    // The store answers for each digest: the stuck one fails, the rest of the same batch goes.
    const blobs = {
      ...deps.blobs,
      removeMany: async (...[digests, signal]: Parameters<typeof deps.blobs.removeMany>) => {
        const out = await deps.blobs.removeMany(
          digests.filter((d) => d !== stuck.digest),
          signal,
        );
        if (digests.includes(stuck.digest)) out.set(stuck.digest, 'failed');
        return out;
      },
    };
    const report = await gc({}, { ...deps, blobs });
    assert.deepEqual([report.blobsRemoved, report.bytesReclaimed, report.errors], [1, ok.size, 1]);
    assert.equal(await deps.meta.blobState(stuck.digest), 'purging', 'uploads of it keep waiting');
    assert.equal(await size(stuck.digest), stuck.size);
    reg.clock.advance(PURGE_LEASE_MS + 1);
    assert.equal((await gc()).stalePurgesFinished, 1);
    assert.equal(await size(stuck.digest), null);
    assert.equal(await deps.meta.blobState(stuck.digest), 'unknown');
  });

  it('an upload of a digest whose purge has begun waits for it to end, then commits the bytes afresh', async () => {
    const b = await pushBlob(deps, 'gc/old', 'raced layer');
    reg.clock.advance(GRACE);
    assert.equal((await deps.meta.beginBlobPurge([b.digest], clockNow().releasedBefore, deps.clock.now(), 'gc-test')).length, 1);
    let settled = false;
    let refusals = 0;
    const counting = {
      ...deps,
      meta: Object.assign(Object.create(deps.meta) as typeof deps.meta, {
        claimUploadDigest: async (...args: Parameters<typeof deps.meta.claimUploadDigest>) => {
          const outcome = await deps.meta.claimUploadDigest(...args);
          if (outcome === 'purging') refusals++;
          return outcome;
        },
      }),
    };
    const push = pushBlob(counting, 'gc/new', 'raced layer').finally(() => (settled = true));
    // Waits until the upload has been refused twice: it saw the purge and is waiting for it, not racing past it.
    for (const until = Date.now() + 10_000; refusals < 2; ) {
      assert.ok(Date.now() < until, 'the upload never asked to claim the digest');
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(settled, false, 'the upload waits while the purge is under way');
    await deps.blobs.remove(b.digest);
    await deps.meta.endBlobPurge([b.digest], 'gc-test');
    assert.deepEqual(await push, b);
    assert.equal(await size(b.digest), b.size, 'the bytes the upload committed are there');
    assert.deepEqual(await deps.meta.findBlob('gc/new', b.digest), b);
  });

  it('a purge never starts while an upload has claimed the digest (between committing the bytes and linking them)', async () => {
    const b = await pushBlob(deps, 'gc/old', 'claimed layer');
    reg.clock.advance(GRACE);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let committed!: () => void;
    const commit = new Promise<void>((resolve) => (committed = resolve));
    // The upload has claimed the digest and committed its bytes (the blob already existed, so they are the same file),
    // and is about to link them: the most dangerous moment for a sweep of that digest.
    const meta: MetadataStore = {
      ...deps.meta,
      linkBlob: async (...args) => {
        committed();
        await gate;
        return deps.meta.linkBlob(...args);
      },
    };
    const push = pushBlob({ ...deps, meta }, 'gc/new', 'claimed layer');
    await commit;
    assert.equal(await deps.meta.blobState(b.digest), 'known');
    assert.deepEqual(await deps.meta.beginBlobPurge([b.digest], clockNow().releasedBefore, deps.clock.now(), 'gc-test'), [], 'refused: claimed');
    const report = await gc();
    assert.deepEqual([report.blobsRemoved, report.errors], [0, 0]);
    release();
    assert.deepEqual(await push, b);
    assert.equal(await size(b.digest), b.size);
    assert.equal((await gc()).blobsRemoved, 0, 'linked again just now: a fresh grace period');
  });

  it('racing passes against uploads of the same digests never leave a linked blob without its bytes', async () => {
    for (let round = 0; round < 20; round++) {
      const content = `contended layer ${round}`;
      const b = await pushBlob(deps, 'gc/seed', content);
      reg.clock.advance(GRACE);
      const delay = (round * 7) % 13;
      const [report, pushed] = await Promise.all([gc(), sleep(delay).then(() => pushBlob(deps, 'gc/target', content))]);
      assert.equal(report.errors, 0);
      assert.deepEqual(pushed, b);
      assert.equal(await size(b.digest), b.size, `round ${round}: the pushed blob has its bytes (gc removed ${report.blobsRemoved})`);
      assert.ok(await deps.meta.findBlob('gc/target', b.digest));
      assert.equal(sha256(content), b.digest);
    }
  });

  it('never collects an untagged image while a referrer of it is still tagged; once that tag goes, both go together', async () => {
    const [config, layer, sigConfig] = await Promise.all(['{"c":"img"}', 'image layer', '{"c":"sig"}'].map((x) => pushBlob(deps, 'gc/ref', x)));
    const image = await pushImage(deps, 'gc/ref', 'v1', config!, [layer!]);
    const signature = await pushImage(deps, 'gc/ref', 'sig', sigConfig!, [], {
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image, size: 1 },
    });
    await deleteManifest(deps, 'gc/ref', 'v1', TEST_ACTOR);
    reg.clock.advance(GRACE);
    const kept = await gc({ restoreWindowMs: 0 });
    assert.equal(kept.manifestsCollected, 0, 'the tagged referrer holds its subject');
    assert.equal((await deps.meta.getManifest('gc/ref', { tag: 'sig' }))?.digest, signature);
    assert.ok(await deps.meta.getManifest('gc/ref', { digest: image }));
    await deleteManifest(deps, 'gc/ref', 'sig', TEST_ACTOR);
    reg.clock.advance(GRACE);
    const both = await gc({ restoreWindowMs: 0 });
    assert.equal(both.manifestsCollected, 2, 'the subject was queued again when its referrer lost its tag');
    assert.equal(await deps.meta.getManifest('gc/ref', { digest: image }), null);
    assert.equal(both.blobsRemoved, 0, 'their blobs start their own grace period now');
  });

  it('with grace 0 and restore window 0 one pass reclaims a deleted index, its children and every blob they held', async () => {
    const r = await open({ restoreWindowMs: 0 });
    const d2 = r.deps;
    const blobs = await Promise.all(['{"a":1}', 'layer a', '{"b":1}', 'layer b'].map((x) => pushBlob(d2, 'gc/multi', x)));
    const a = await pushImage(d2, 'gc/multi', null, blobs[0]!, [blobs[1]!]);
    const b = await pushImage(d2, 'gc/multi', null, blobs[2]!, [blobs[3]!]);
    const index = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [a, b].map((digest) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 })),
      }),
    );
    await putManifest(d2, {
      repository: 'gc/multi',
      reference: 'latest',
      body: index,
      contentType: 'application/vnd.oci.image.index.v1+json',
      actor: TEST_ACTOR,
    });
    await deleteManifest(d2, 'gc/multi', sha256(index), TEST_ACTOR);
    const report = await runGc(d2, { graceMs: 0, restoreWindowMs: 0, dryRun: false });
    assert.deepEqual([report.manifestsPurged, report.blobsRemoved], [3, 4], JSON.stringify(report));
    for (const x of blobs) assert.equal(await d2.blobs.stat(x!.digest), null);
  });

  it('an untagged image whose tagged referrer is deleted by digest is collected once the grace period passes', async () => {
    const [config, sigConfig] = await Promise.all(['{"c":"img2"}', '{"c":"sig2"}'].map((x) => pushBlob(deps, 'gc/ref2', x)));
    const image = await pushImage(deps, 'gc/ref2', 'v1', config!, []);
    const signature = await pushImage(deps, 'gc/ref2', 'sig', sigConfig!, [], {
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image, size: 1 },
    });
    await deleteManifest(deps, 'gc/ref2', 'v1', TEST_ACTOR);
    reg.clock.advance(GRACE);
    assert.equal((await gc()).manifestsCollected, 0, 'held by its tagged referrer');
    await deleteManifest(deps, 'gc/ref2', signature, TEST_ACTOR);
    reg.clock.advance(GRACE);
    assert.equal((await gc()).manifestsCollected, 1, 'the referrer going re-queued its subject');
    assert.equal(await deps.meta.getManifest('gc/ref2', { digest: image }), null);
  });

  it('with a zero grace period a manifest kept by a recent pull is reviewed once per pass, not in a loop', async () => {
    const r = await open({ autoPinPulledWithinMs: GRACE });
    const config = await pushBlob(r.deps, 'gc/pulled', '{"c":"pulled"}');
    const digest = await pushImage(r.deps, 'gc/pulled', 'v1', config, []);
    await r.deps.meta.recordPulls([{ repository: 'gc/pulled', digest, at: r.deps.clock.now() }]);
    await deleteManifest(r.deps, 'gc/pulled', 'v1', TEST_ACTOR);
    const report = await runGc(r.deps, { graceMs: 0, restoreWindowMs: WINDOW, dryRun: false });
    assert.equal(report.manifestsPinned, 1, JSON.stringify(report));
    assert.ok(await r.deps.meta.getManifest('gc/pulled', { digest }));
  });
});
