// Deletes through the berth API against a real berth with a short restore window and GC grace: the preview names what
// goes and the bytes, the deletes go to the trash (listed, restorable), and GC then reclaims exactly the previewed
// bytes; a pin refuses with its pins named, and only an admin may break it (audited).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError, createPin, okJson, previewDelete } from './berth-api-helpers.ts';
import { until } from './harness.ts';
import { AuthClient, createKey, type KeyedBerth, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { assertStatus, MT, pushBlob, pushImage, random, repoName } from './oci-helpers.ts';

const WINDOW_MS = 3000;
const GRACE_MS = 2000;
const ENV = { BERTH_DELETION_RESTORE_WINDOW: `${WINDOW_MS / 1000}s`, BERTH_GC_GRACE: `${GRACE_MS / 1000}s`, BERTH_GC_INTERVAL: '0' };

interface Preview {
  repository: string;
  target: { kind: string; tag?: string; digest?: string };
  tags: Array<{ tag: string; digest: string }>;
  manifests: Array<{ digest: string; mediaType: string; artifactType: string | null; size: number; why: string }>;
  collectable: Array<{ digest: string; why: string }>;
  pins: Array<{ id: string }>;
  blocked: boolean;
  canBreakPins: boolean;
  bytes: { reclaimable: number; from: string };
  restorableUntil: string | null;
}
interface Deleted {
  deleted: { tags: Preview['tags']; manifests: Preview['manifests'] };
  brokenPins: Array<{ id: string }>;
  restorableUntil: string | null;
}
interface Trash {
  manifests: Array<{ digest: string; tags: string[]; size: number; deletedAt: string; restorableUntil: string }>;
  next: string | null;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('berth API deletes and their preview', () => {
  let k: KeyedBerth;
  before(async () => {
    k = await startKeyedBerth('deletes', { env: ENV });
  });
  after(async () => k.dispose());

  const preview = (repo: string, body: object): Promise<Preview> => previewDelete<Preview>(k.oci, repo, body);

  it('previews, deletes, lists and restores the trash; GC then reclaims exactly the previewed bytes', async () => {
    const repo = repoName('del');
    const other = repoName('del');
    const base = random(700);
    const sharedHere = await pushBlob(k.oci, repo, base, MT.ociLayer);
    const sharedThere = await pushBlob(k.oci, other, base, MT.ociLayer);
    const a = await pushImage(k.oci, repo, 'a', { useLayers: [sharedHere], layers: 1 });
    const b = await pushImage(k.oci, repo, 'b', { useLayers: [sharedHere], layers: 1 });
    const c = await pushImage(k.oci, repo, 'c', { useLayers: [sharedHere], layers: 1 });
    await pushImage(k.oci, other, 'x', { useLayers: [sharedThere] });
    const own = (img: typeof a): number => img.config.size + img.layers[1]!.size;

    const started = Date.now();
    const pa = await preview(repo, { digest: a.digest });
    assert.deepEqual(pa.target, { kind: 'manifest', digest: a.digest });
    assert.deepEqual(
      pa.manifests.map((m) => [m.digest, m.why, m.size]),
      [[a.digest, 'target', a.bytes.length]],
    );
    assert.deepEqual(pa.tags, [{ tag: 'a', digest: a.digest }]);
    assert.deepEqual([pa.blocked, pa.canBreakPins, pa.pins], [false, true, []]);
    assert.equal(pa.bytes.reclaimable, own(a), 'the layer the other repository uses is not counted');
    const from = Date.parse(pa.bytes.from);
    assert.ok(from >= started + WINDOW_MS + GRACE_MS && from <= Date.now() + WINDOW_MS + GRACE_MS, pa.bytes.from);

    const gone = okJson<Deleted>(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${a.digest}`));
    assert.deepEqual(gone.deleted.manifests, pa.manifests);
    assert.deepEqual(gone.deleted.tags, pa.tags);
    assert.ok(gone.restorableUntil);
    assertStatus(await k.oci.req('GET', `/v2/${repo}/manifests/a`), 404);

    const byTag = await preview(repo, { tag: 'b' });
    assert.deepEqual(
      byTag.manifests.map((m) => [m.digest, m.why]),
      [[b.digest, 'untagged-by-tag-delete']],
      'its only tag: GC collects the image after the tag goes',
    );
    const pb = await preview(repo, { digest: b.digest });
    assert.equal(pb.bytes.reclaimable, own(b));
    okJson<Deleted>(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${b.digest}`));

    const trash = okJson<Trash>(await api(k.oci, 'GET', `/berth/v1/repositories/${repo}/deleted-manifests`));
    assert.deepEqual(
      trash.manifests.map((m) => [m.digest, m.tags]),
      [
        [b.digest, ['b']],
        [a.digest, ['a']],
      ],
      'newest first, with the tags deleted with each',
    );
    assert.equal(trash.next, null);
    const firstPage = okJson<Trash>(await api(k.oci, 'GET', `/berth/v1/repositories/${repo}/deleted-manifests?limit=1`));
    assert.deepEqual([firstPage.manifests.length, typeof firstPage.next], [1, 'string']);
    const second = okJson<Trash>(
      await api(k.oci, 'GET', `/berth/v1/repositories/${repo}/deleted-manifests?limit=1&after=${encodeURIComponent(firstPage.next!)}`),
    );
    assert.deepEqual(
      second.manifests.map((m) => m.digest),
      [a.digest],
    );

    okJson(await api(k.oci, 'POST', '/berth/v1/restore', { repository: repo, digest: a.digest }));
    assertStatus(await k.oci.req('GET', `/v2/${repo}/manifests/a`), 200);
    const pc = await preview(repo, { tag: 'c' });
    okJson<Deleted>(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/tags/c`));
    const pcDigest = await preview(repo, { digest: c.digest });
    assert.equal(pc.bytes.reclaimable, pcDigest.bytes.reclaimable, 'the tag went; the image goes by GC with the same bytes');
    okJson<Deleted>(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${c.digest}`));

    // Wait out the window and the grace period, then GC: the trash is purged by one pass and its blobs swept by one a
    // grace period later, so run passes until both have happened and add up what they reclaimed.
    const last = Date.parse(pcDigest.bytes.from);
    await until('the restore window and grace are over', () => Date.now() > last + 100, { timeoutMs: 30_000, everyMs: 100 });
    let reclaimed = 0;
    for (let pass = 0; pass < 3; pass++) {
      reclaimed += okJson<{ bytesReclaimed: number }>(await api(k.oci, 'POST', '/berth/v1/gc', {})).bytesReclaimed;
      if (pass < 2) await sleep(GRACE_MS + 200);
    }
    assert.equal(reclaimed, pb.bytes.reclaimable + pcDigest.bytes.reclaimable, 'GC frees exactly what the previews said (a was restored)');
    assertStatus(await k.oci.req('GET', `/v2/${other}/blobs/${sharedThere.digest}`), 200);
    assertStatus(await k.oci.req('GET', `/v2/${repo}/manifests/a`), 200);
  });

  it('a pin refuses with 409 IMAGE_IN_USE naming it; breakPins needs admin (403 otherwise) and is audited; the preview needs delete', async () => {
    const repo = repoName('del');
    const image = await pushImage(k.oci, repo, 'v1');
    const pin = await createPin(k.oci, repo, 'v1');
    const p = await preview(repo, { digest: image.digest });
    assert.deepEqual([p.blocked, p.pins.map((x) => x.id)], [true, [pin.id]]);
    const refused = assertApiError(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${image.digest}`), 409, 'IMAGE_IN_USE');
    assert.deepEqual(
      (refused.error.detail as { pins: Array<{ id: string }> }).pins.map((x) => x.id),
      [pin.id],
    );
    assertApiError(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}`), 409, 'IMAGE_IN_USE');

    const deleter = await createKey(k.berth, '--name', 'deleter', '--grant', 'oci-del/*:pull,push,delete');
    const plain = new AuthClient(k.berth.url, keyBasic(deleter));
    const seen = okJson<Preview>(await api(plain, 'POST', `/berth/v1/repositories/${repo}/delete-preview`, { digest: image.digest }));
    assert.equal(seen.canBreakPins, false);
    assertApiError(await api(plain, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${image.digest}?breakPins=true`), 403, 'DENIED');
    assertApiError(await api(plain, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${image.digest}`), 409, 'IMAGE_IN_USE');
    // The preview tells whether other repositories still use a layer: only for those who may delete.
    const reader = new AuthClient(k.berth.url, keyBasic(await createKey(k.berth, '--name', 'reader', '--grant', 'oci-del/*:pull')));
    assertApiError(await api(reader, 'POST', `/berth/v1/repositories/${repo}/delete-preview`, { digest: image.digest }), 403, 'DENIED');

    const broke = okJson<Deleted>(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/manifests/${image.digest}?breakPins=true`));
    assert.deepEqual(
      broke.brokenPins.map((x) => x.id),
      [pin.id],
    );
    const { events } = okJson<{ events: Array<{ dialect: string; detail: { brokenPins?: Array<{ id: string }> } }> }>(
      await api(k.oci, 'GET', `/berth/v1/audit?repository=${repo}&action=manifest.delete`),
    );
    assert.deepEqual(
      events.map((e) => [e.dialect, e.detail.brokenPins?.map((x) => x.id)]),
      [['api', [pin.id]]],
    );
  });

  it('a repository delete: the preview lists everything, the delete frees the name; unknown targets are 404', async () => {
    const repo = repoName('del');
    const image = await pushImage(k.oci, repo, 'v1');
    const p = await preview(repo, {});
    assert.deepEqual(p.target, { kind: 'repository' });
    assert.deepEqual([p.manifests.map((m) => m.digest), p.tags.map((t) => t.tag), p.restorableUntil], [[image.digest], ['v1'], null]);
    assertApiError(await api(k.oci, 'POST', `/berth/v1/repositories/${repo}/delete-preview`, { tag: 'nope' }), 404, 'MANIFEST_UNKNOWN');
    assertApiError(await api(k.oci, 'POST', `/berth/v1/repositories/${repo}/delete-preview`, { tag: 'v1', digest: image.digest }), 400, 'INVALID_REQUEST');
    assertApiError(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}/tags/nope`), 404, 'MANIFEST_UNKNOWN');
    const gone = okJson<Deleted>(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}`));
    assert.deepEqual(
      gone.deleted.manifests.map((m) => m.digest),
      [image.digest],
    );
    assertStatus(await k.oci.req('GET', `/v2/${repo}/tags/list`), 404);
    assertApiError(await api(k.oci, 'DELETE', `/berth/v1/repositories/${repo}`), 404, 'NAME_UNKNOWN');
  });
});
