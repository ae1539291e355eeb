// The dry run is only worth having if users can trust it: over the real embedded stores, what it promises must be
// what the pass then removes (blobs and bytes), including what the same pass frees by purging the trash and deleted
// repositories, and the pass's reclaimed figure must be exactly what left the disk.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pushBlob, pushImage, registriesClosedAfter, TEST_ACTOR, type TestRegistry } from '../../../adapters/test-helpers.ts';
import { deleteManifest, deleteRepository, putManifest } from '../../index.ts';
import { type GcReport, runGc } from './index.ts';

const HOUR = 3_600_000;

/** Bytes of every committed blob file (the filesystem store lists and sizes its files): what the blob area holds. */
async function blobArea(reg: TestRegistry): Promise<number> {
  let total = 0;
  for await (const digest of reg.deps.blobs.list()) total += (await reg.deps.blobs.stat(digest)) ?? 0;
  return total;
}

/** A registry holding `images` deleted images (own layer and config each, one layer shared) and a deleted repository. */
async function deletedContent(reg: TestRegistry, images: number): Promise<void> {
  const { deps } = reg;
  const shared = await pushBlob(deps, 'plan/app', 'x'.repeat(50_000));
  await pushImage(deps, 'plan/app', 'keep', await pushBlob(deps, 'plan/app', '{"keep":1}'), [shared]);
  for (let i = 0; i < images; i++) {
    const own = await pushBlob(deps, 'plan/app', `${i}`.repeat(20_000 + i));
    const config = await pushBlob(deps, 'plan/app', `{"image":${i}}`);
    const digest = await pushImage(deps, 'plan/app', `v${i}`, config, [shared, own]);
    await deleteManifest(deps, 'plan/app', digest, TEST_ACTOR);
  }
  for (let i = 0; i < 3; i++) {
    const own = await pushBlob(deps, 'plan/gone', `gone ${i}`.repeat(10_000));
    const linked = await pushBlob(deps, 'plan/gone', 'x'.repeat(50_000));
    await pushImage(deps, 'plan/gone', `v${i}`, await pushBlob(deps, 'plan/gone', `{"gone":${i}}`), [linked, own]);
  }
  await deleteRepository(deps, 'plan/gone', true, TEST_ACTOR);
}

function assertPlanHeld(plan: GcReport, pass: GcReport): void {
  assert.equal(plan.dryRun, true);
  assert.equal(plan.blobsRemoved, pass.blobsRemoved, 'the dry run names as many blobs as the pass removes');
  assert.ok(Math.abs(plan.bytesReclaimed - pass.bytesReclaimed) <= pass.bytesReclaimed * 0.01, `${plan.bytesReclaimed} vs ${pass.bytesReclaimed}`);
  assert.equal(plan.plan!.blobs.length, plan.blobsRemoved);
}

describe('planGc promises what runGc then does', () => {
  const openRegistry = registriesClosedAfter();
  const open = (restoreWindowMs: number): Promise<TestRegistry> => openRegistry({ restoreWindowMs });

  for (const [graceMs, restoreWindowMs] of [
    [0, 24 * HOUR],
    [0, 0],
  ] as const) {
    it(`counts what the trash and the deleted repository release in the same pass (grace ${graceMs}, window ${restoreWindowMs})`, async () => {
      const reg = await open(restoreWindowMs);
      await deletedContent(reg, 20);
      reg.clock.advance(restoreWindowMs + 1);
      const o = { graceMs, restoreWindowMs };
      const before = await blobArea(reg);
      const plan = await runGc(reg.deps, { ...o, dryRun: true });
      assert.equal(await blobArea(reg), before, 'a dry run changes nothing');
      assert.equal(plan.blobsRemoved, 20 * 2 + 3 * 2, 'every own layer and config of the deleted images and repository');
      const pass = await runGc(reg.deps, { ...o, dryRun: false });
      assertPlanHeld(plan, pass);
      assert.equal(before - (await blobArea(reg)), pass.bytesReclaimed, 'the reclaimed figure is what left the blob area');
      const nothing = await runGc(reg.deps, { ...o, dryRun: true });
      assert.deepEqual([nothing.blobsRemoved, nothing.bytesReclaimed], [0, 0]);
    });
  }

  it('with a grace period, trash purged less than a grace after its window frees its blobs at the next pass, and the dry run says so', async () => {
    const reg = await open(24 * HOUR);
    await deletedContent(reg, 5);
    reg.clock.advance(24 * HOUR + HOUR / 2);
    const o = { graceMs: HOUR, restoreWindowMs: 24 * HOUR };
    const plan = await runGc(reg.deps, { ...o, dryRun: true });
    const pass = await runGc(reg.deps, { ...o, dryRun: false });
    assertPlanHeld(plan, pass);
    // The deleted repository's own blobs (3 images x 2) were unheld from its delete, 24.5 h ago; the trash's only since
    // its window ended, half a grace ago.
    assert.equal(pass.blobsRemoved, 3 * 2);
    reg.clock.advance(HOUR / 2);
    const later = await runGc(reg.deps, { ...o, dryRun: true });
    const before = await blobArea(reg);
    const sweep = await runGc(reg.deps, { ...o, dryRun: false });
    assertPlanHeld(later, sweep);
    assert.equal(sweep.blobsRemoved, 5 * 2);
    assert.equal(before - (await blobArea(reg)), sweep.bytesReclaimed);
  });

  it('with a zero window, images this very pass collects are purged and their blobs counted too', async () => {
    const reg = await open(0);
    const { deps } = reg;
    const config = await pushBlob(deps, 'plan/moving', '{"m":1}');
    for (let i = 0; i < 4; i++) await pushImage(deps, 'plan/moving', 'latest', config, [await pushBlob(deps, 'plan/moving', `layer ${i}`.repeat(1_000))]);
    const o = { graceMs: 0, restoreWindowMs: 0 };
    const plan = await runGc(deps, { ...o, dryRun: true });
    assert.equal(plan.manifestsCollected, 3);
    const pass = await runGc(deps, { ...o, dryRun: false });
    assert.equal(pass.blobsRemoved, 3);
    assertPlanHeld(plan, pass);
  });

  it('with a zero grace and window, counts the children of a deleted index that the same pass collects and purges', async () => {
    const reg = await open(0);
    const { deps } = reg;
    const blobs = await Promise.all(['{"a":1}', 'layer a', '{"b":1}', 'layer b'].map((x) => pushBlob(deps, 'plan/multi', x)));
    const a = await pushImage(deps, 'plan/multi', null, blobs[0]!, [blobs[1]!]);
    const b = await pushImage(deps, 'plan/multi', null, blobs[2]!, [blobs[3]!]);
    const body = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [a, b].map((digest) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 })),
      }),
    );
    const index = await putManifest(deps, {
      repository: 'plan/multi',
      reference: 'latest',
      body,
      contentType: 'application/vnd.oci.image.index.v1+json',
      actor: TEST_ACTOR,
    });
    await deleteManifest(deps, 'plan/multi', index.digest, TEST_ACTOR);
    const o = { graceMs: 0, restoreWindowMs: 0 };
    const plan = await runGc(deps, { ...o, dryRun: true });
    const pass = await runGc(deps, { ...o, dryRun: false });
    assert.equal(pass.blobsRemoved, 4);
    assertPlanHeld(plan, pass);
  });

  it('counts as reclaimed only the bytes a removal really took off the disk', async () => {
    const reg = await open(0);
    const kept = await pushBlob(reg.deps, 'plan/app', 'a'.repeat(30_000));
    const lost = await pushBlob(reg.deps, 'plan/app', 'b'.repeat(40_000));
    await reg.damageBlob(lost.digest, null);
    const before = await blobArea(reg);
    const pass = await runGc(reg.deps, { graceMs: 0, restoreWindowMs: 0, dryRun: false });
    assert.equal(pass.blobsRemoved, 2, 'both records go');
    assert.equal(pass.bytesReclaimed, kept.size, 'but only one file was there to remove');
    assert.equal(before - (await blobArea(reg)), pass.bytesReclaimed);
  });
});
