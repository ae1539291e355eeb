// The delete preview over the real embedded stores, checked against what the delete then does and what GC then
// frees: a layer another repository uses is not counted, referrers cascade, an index's children become collectable,
// a pin blocks, a tag another tag shares frees nothing, and GC reclaims exactly the previewed bytes, never before `from`.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { pushBlob, pushImage, registriesClosedAfter, sha256, TEST_ACTOR, type TestRegistry } from '../../adapters/test-helpers.ts';
import type { Digest } from '../model/digest.ts';
import { deleteManifest } from './delete-manifest.ts';
import { type DeletePreview, type PreviewTarget, previewDelete } from './delete-preview.ts';
import { deleteRepository } from './delete-repository.ts';
import type { RegistryDeps } from './deps.ts';
import { runGc } from './gc/index.ts';
import { planGc } from './gc/plan.ts';
import { createPin } from './pins.ts';
import { putManifest } from './put-manifest.ts';

const GRACE = 3_600_000;
const WINDOW = 6 * GRACE;

describe('previewDelete', () => {
  const open = registriesClosedAfter();
  let reg: TestRegistry;
  let deps: RegistryDeps;
  const preview = (repository: string, target: PreviewTarget): Promise<DeletePreview> => previewDelete(deps, repository, target, { canBreakPins: false });

  /** Runs GC every quarter grace period until well past `from`: what it reclaimed before `from`, and in all. */
  async function reclaimed(from: Date): Promise<{ early: number; total: number }> {
    let early = 0;
    let total = 0;
    const end = from.getTime() + 2 * (WINDOW + GRACE);
    while (deps.clock.now().getTime() < end) {
      reg.clock.advance(GRACE / 4);
      const r = await runGc(deps, { graceMs: GRACE, restoreWindowMs: WINDOW, dryRun: false });
      if (deps.clock.now() < from) early += r.bytesReclaimed;
      total += r.bytesReclaimed;
    }
    return { early, total };
  }

  async function pushIndex(repository: string, tag: string, children: Digest[]): Promise<Digest> {
    const body = new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: children.map((digest) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: 1 })),
      }),
    );
    await putManifest(deps, { repository, reference: tag, body, contentType: 'application/vnd.oci.image.index.v1+json', actor: TEST_ACTOR });
    return sha256(body);
  }

  beforeEach(async () => {
    reg = await open({ restoreWindowMs: WINDOW, gcGraceMs: GRACE });
    deps = reg.deps;
  });

  it('counts only the blobs no other repository uses, and GC frees exactly those, not before restore window + grace', async () => {
    const [shared, own, config] = await Promise.all(['shared layer', 'own layer!', '{"c":1}'].map((x) => pushBlob(deps, 'p/a', x)));
    const sharedB = await pushBlob(deps, 'p/b', 'shared layer');
    const configB = await pushBlob(deps, 'p/b', '{"c":"b"}');
    const image = await pushImage(deps, 'p/a', 'v1', config!, [shared!, own!]);
    await pushImage(deps, 'p/b', 'v1', configB, [sharedB]);
    const p = await preview('p/a', { kind: 'manifest', digest: image });
    assert.deepEqual(
      p.manifests.map((m) => [m.digest, m.why]),
      [[image, 'target']],
    );
    assert.deepEqual(p.tags, [{ tag: 'v1', digest: image }]);
    assert.deepEqual([p.bytes.reclaimable, p.bytes.blobs, p.blocked], [own!.size + config!.size, 2, false]);
    assert.equal(p.bytes.from.getTime(), deps.clock.now().getTime() + WINDOW + GRACE);
    assert.equal(p.restorableUntil?.getTime(), deps.clock.now().getTime() + WINDOW);
    const out = await deleteManifest(deps, 'p/a', image, TEST_ACTOR);
    assert.deepEqual(out.manifests, [image]);
    assert.deepEqual(await reclaimed(p.bytes.from), { early: 0, total: own!.size + config!.size });
    assert.equal(await deps.blobs.stat(shared!.digest), shared!.size, 'the layer p/b uses stays');
  });

  it('a referrer cascades with its subject, and its own blobs count', async () => {
    const [config, layer, sigConfig] = await Promise.all(['{"c":2}', 'layer two', '{"sig":1}'].map((x) => pushBlob(deps, 'p/ref', x)));
    const image = await pushImage(deps, 'p/ref', 'v1', config!, [layer!]);
    const sig = await pushImage(deps, 'p/ref', null, sigConfig!, [], {
      artifactType: 'application/vnd.example.sig',
      subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: image, size: 1 },
    });
    const p = await preview('p/ref', { kind: 'manifest', digest: image });
    assert.deepEqual(
      p.manifests.map((m) => [m.digest, m.why]),
      [
        [image, 'target'],
        [sig, 'referrer'],
      ],
    );
    assert.equal(p.manifests[1]!.artifactType, 'application/vnd.example.sig');
    assert.equal(p.bytes.reclaimable, config!.size + layer!.size + sigConfig!.size);
    const out = await deleteManifest(deps, 'p/ref', image, TEST_ACTOR);
    assert.deepEqual(new Set(out.manifests), new Set(p.manifests.map((m) => m.digest)));
    assert.deepEqual(await reclaimed(p.bytes.from), { early: 0, total: p.bytes.reclaimable });
  });

  it("an index's untagged children become collectable; a tagged child does not", async () => {
    const blobs = await Promise.all(['{"a":1}', 'layer a', '{"b":1}', 'layer b'].map((x) => pushBlob(deps, 'p/multi', x)));
    const a = await pushImage(deps, 'p/multi', null, blobs[0]!, [blobs[1]!]);
    const b = await pushImage(deps, 'p/multi', 'b-alone', blobs[2]!, [blobs[3]!]);
    const index = await pushIndex('p/multi', 'latest', [a, b]);
    const p = await preview('p/multi', { kind: 'manifest', digest: index });
    assert.deepEqual(p.collectable, [{ digest: a, why: 'child' }]);
    // The index holds no blob itself; GC collects the untagged child one round after the index, with its blobs.
    assert.equal(p.bytes.reclaimable, blobs[0]!.size + blobs[1]!.size, "the collectable child's blobs count");
    await deleteManifest(deps, 'p/multi', index, TEST_ACTOR);
    assert.deepEqual(await reclaimed(p.bytes.from), { early: 0, total: p.bytes.reclaimable });
  });

  it('an index deleted by its tag: its untagged children and their blobs are counted as GC then frees them', async () => {
    const blobs = await Promise.all(['{"c":1}', 'layer c', '{"d":1}', 'layer d'].map((x) => pushBlob(deps, 'p/multi-tag', x)));
    const c = await pushImage(deps, 'p/multi-tag', null, blobs[0]!, [blobs[1]!]);
    const d = await pushImage(deps, 'p/multi-tag', null, blobs[2]!, [blobs[3]!]);
    const index = await pushIndex('p/multi-tag', 'latest', [c, d]);
    const p = await preview('p/multi-tag', { kind: 'tag', tag: 'latest' });
    assert.deepEqual(
      p.manifests.map((m) => [m.digest, m.why]),
      [[index, 'untagged-by-tag-delete']],
    );
    assert.deepEqual(new Set(p.collectable.map((x) => x.digest)), new Set([c, d]));
    assert.equal(
      p.bytes.reclaimable,
      blobs.reduce((n, b) => n + b.size, 0),
    );
    await deleteManifest(deps, 'p/multi-tag', 'latest', TEST_ACTOR);
    assert.deepEqual(await reclaimed(p.bytes.from), { early: 0, total: p.bytes.reclaimable });
  });

  it('a pin blocks a manifest and a repository delete; a tag delete is never blocked', async () => {
    const config = await pushBlob(deps, 'p/pinned', '{"p":1}');
    const image = await pushImage(deps, 'p/pinned', 'v1', config, []);
    const pin = await createPin(deps, { repository: 'p/pinned', reference: image, reason: 'prod' }, TEST_ACTOR);
    for (const target of [{ kind: 'manifest', digest: image }, { kind: 'repository' }] as const) {
      const p = await preview('p/pinned', target);
      assert.deepEqual([p.blocked, p.pins.map((x) => x.id)], [true, [pin.id]], target.kind);
    }
    const tag = await preview('p/pinned', { kind: 'tag', tag: 'v1' });
    assert.deepEqual([tag.blocked, tag.manifests, tag.bytes.reclaimable], [false, [], 0], 'the pinned image stays: nothing goes but the tag');
    await assert.rejects(deleteManifest(deps, 'p/pinned', image, TEST_ACTOR), { code: 'IMAGE_IN_USE' });
  });

  it('a tag delete frees nothing while another tag points at the manifest; the last tag frees it, one grace period later', async () => {
    const [config, layer] = await Promise.all(['{"t":1}', 'tagged layer'].map((x) => pushBlob(deps, 'p/tags', x)));
    const image = await pushImage(deps, 'p/tags', 'v1', config!, [layer!]);
    await pushImage(deps, 'p/tags', 'stable', config!, [layer!]);
    const shared = await preview('p/tags', { kind: 'tag', tag: 'v1' });
    assert.deepEqual([shared.tags, shared.manifests, shared.bytes.reclaimable], [[{ tag: 'v1', digest: image }], [], 0]);
    await deleteManifest(deps, 'p/tags', 'v1', TEST_ACTOR);
    const last = await preview('p/tags', { kind: 'tag', tag: 'stable' });
    assert.deepEqual(
      last.manifests.map((m) => [m.digest, m.why]),
      [[image, 'untagged-by-tag-delete']],
    );
    assert.equal(last.bytes.reclaimable, config!.size + layer!.size);
    assert.equal(last.bytes.from.getTime(), deps.clock.now().getTime() + 2 * GRACE + WINDOW);
    await deleteManifest(deps, 'p/tags', 'stable', TEST_ACTOR);
    assert.deepEqual(await reclaimed(last.bytes.from), { early: 0, total: last.bytes.reclaimable });
  });

  it('a repository delete takes everything in it; GC frees what no other repository uses, one grace period later', async () => {
    const [config, layer, shared] = await Promise.all(['{"r":1}', 'repo layer', 'base layer'].map((x) => pushBlob(deps, 'p/repo', x)));
    const other = await pushBlob(deps, 'p/other', 'base layer');
    await pushImage(deps, 'p/repo', 'v1', config!, [layer!, shared!]);
    await pushImage(deps, 'p/other', 'v1', await pushBlob(deps, 'p/other', '{"o":1}'), [other]);
    const p = await preview('p/repo', { kind: 'repository' });
    assert.deepEqual([p.manifests.length, p.tags.length, p.bytes.reclaimable, p.restorableUntil], [1, 1, config!.size + layer!.size, null]);
    assert.equal(p.bytes.from.getTime(), deps.clock.now().getTime() + GRACE);
    await deleteRepository(deps, 'p/repo', true, TEST_ACTOR);
    assert.deepEqual(await reclaimed(p.bytes.from), { early: 0, total: p.bytes.reclaimable });
  });

  it('gc --dry-run counts a purged manifest with the same rule: the shared layer stays out', async () => {
    const [shared, own, config] = await Promise.all(['dry shared', 'dry own', '{"d":1}'].map((x) => pushBlob(deps, 'p/dry', x)));
    await pushImage(deps, 'p/dry2', 'v1', await pushBlob(deps, 'p/dry2', '{"d":2}'), [await pushBlob(deps, 'p/dry2', 'dry shared')]);
    const image = await pushImage(deps, 'p/dry', 'v1', config!, [shared!, own!]);
    const p = await preview('p/dry', { kind: 'manifest', digest: image });
    await deleteManifest(deps, 'p/dry', image, TEST_ACTOR);
    reg.clock.advance(WINDOW + 1);
    const plan = await planGc(deps, { graceMs: 0, restoreWindowMs: WINDOW, dryRun: true });
    assert.equal(plan.bytesReclaimed, p.bytes.reclaimable);
  });
});
