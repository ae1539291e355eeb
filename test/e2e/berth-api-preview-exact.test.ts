// The delete preview's bytes against what GC then frees, for the cases that are easy to get wrong: an image under two
// tags, a layer two repositories share, an image with referrers, and a multi-arch index (restore window and grace 0).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, okJson, previewDelete } from './berth-api-helpers.ts';
import { type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import { MT, pushBlob, pushImage, pushIndex, random, repoName } from './oci-helpers.ts';

const ENV = { BERTH_GC_GRACE: '0', BERTH_DELETION_RESTORE_WINDOW: '0', BERTH_GC_INTERVAL: '0' };

interface Preview {
  manifests: Array<{ digest: string; why: string }>;
  collectable: Array<{ digest: string; why: string }>;
  bytes: { reclaimable: number; blobs: number };
}

describe('berth API: the delete preview frees exactly what GC frees', () => {
  let k: KeyedBerth;
  before(async () => {
    k = await startKeyedBerth('preview-exact', { env: ENV });
  });
  after(async () => k.dispose());

  const preview = (repo: string, body: object): Promise<Preview> => previewDelete<Preview>(k.oci, repo, body);
  /** Runs passes until one frees nothing (a tag delete takes one pass to trash the manifest, one more for its blobs). */
  const collect = async (): Promise<{ bytes: number; blobs: number }> => {
    let bytes = 0;
    let blobs = 0;
    for (let pass = 0; pass < 5; pass++) {
      const r = okJson<{ bytesReclaimed: number; blobsRemoved: number; manifestsRemoved?: number }>(await api(k.oci, 'POST', '/berth/v1/gc', {}));
      bytes += r.bytesReclaimed;
      blobs += r.blobsRemoved;
      if (pass >= 2 && r.bytesReclaimed === 0) break;
    }
    return { bytes, blobs };
  };
  /** Previews `target`, deletes it through the API, and checks GC frees the previewed bytes and blobs. */
  const deleteAndCompare = async (repo: string, target: { tag: string } | { digest: string }): Promise<Preview> => {
    assert.deepEqual(await collect(), { bytes: 0, blobs: 0 }, 'no garbage before the case');
    const p = await preview(repo, target);
    const path = 'tag' in target ? `tags/${target.tag}` : `manifests/${target.digest}`;
    okJson(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/${path}`));
    assert.deepEqual(await collect(), { bytes: p.bytes.reclaimable, blobs: p.bytes.blobs }, JSON.stringify(p));
    return p;
  };

  it('an image under two tags: the first tag frees nothing, the second the whole image', async () => {
    const repo = repoName('exact');
    const img = await pushImage(k.oci, repo, 'a', { layers: 2 });
    const res = await k.oci.req('PUT', `/v2/${repo}/manifests/b`, { body: img.bytes, headers: { 'content-type': MT.ociManifest } });
    assert.equal(res.status, 201);
    const first = await deleteAndCompare(repo, { tag: 'a' });
    assert.deepEqual([first.manifests, first.bytes.reclaimable], [[], 0]);
    const second = await deleteAndCompare(repo, { tag: 'b' });
    assert.equal(second.bytes.reclaimable, img.config.size + img.layers.reduce((n, l) => n + l.size, 0), 'blobs only: manifests are rows, not blobs');
  });

  it('a layer shared with another repository stays; the rest goes', async () => {
    const repo = repoName('exact');
    const other = repoName('exact');
    const shared = random(900);
    const here = await pushBlob(k.oci, repo, shared);
    const there = await pushBlob(k.oci, other, shared);
    const img = await pushImage(k.oci, repo, 'v1', { useLayers: [here], layers: 1 });
    await pushImage(k.oci, other, 'v1', { useLayers: [there] });
    const p = await deleteAndCompare(repo, { digest: img.digest });
    assert.equal(p.bytes.reclaimable, img.config.size + img.layers[1]!.size);
  });

  it('an image with a referrer: both go, and both are counted', async () => {
    const repo = repoName('exact');
    const img = await pushImage(k.oci, repo, 'v1');
    const sig = await pushImage(k.oci, repo, undefined, { artifactType: 'application/vnd.example.sig', subject: img.descriptor, emptyConfig: true });
    const p = await deleteAndCompare(repo, { tag: 'v1' });
    assert.deepEqual(p.manifests.map((m) => m.digest).sort(), [img.digest, sig.digest].sort(), JSON.stringify(p));
  });

  it('a multi-arch index by tag: the index, its children and every blob', async () => {
    const repo = repoName('exact');
    const amd = await pushImage(k.oci, repo, undefined, { layers: 2 });
    const arm = await pushImage(k.oci, repo, undefined, { layers: 1, useLayers: [amd.layers[0]!] });
    const index = await pushIndex(k.oci, repo, 'v1', [
      { ...amd.descriptor, platform: { architecture: 'amd64', os: 'linux' } },
      { ...arm.descriptor, platform: { architecture: 'arm64', os: 'linux' } },
    ] as never);
    const p = await deleteAndCompare(repo, { tag: 'v1' });
    const blobs = new Map([...amd.layers, amd.config, ...arm.layers, arm.config].map((d) => [d.digest, d.size]));
    assert.deepEqual(new Set(p.collectable.map((c) => c.digest)), new Set([amd.digest, arm.digest]));
    assert.equal(
      p.bytes.reclaimable,
      [...blobs.values()].reduce((n, s) => n + s, 0),
      JSON.stringify(p),
    );
    assert.ok(index.digest);
  });
});
