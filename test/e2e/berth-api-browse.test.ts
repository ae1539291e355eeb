// The console's browsing API end to end: images pushed over /v2 by a real berth, then read back through /berth/v1 with
// search and keyset paging, sizes computed from what the test pushed, platforms, referrers, pins and the 4xx answers.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError, createPin, okJson, type PinJson } from './berth-api-helpers.ts';
import { type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import {
  assertStatus,
  type Client,
  type Descriptor,
  MT,
  type PushedImage,
  pushBlob,
  pushImage,
  pushIndex,
  putManifest,
  random,
  randomHex,
  sha256,
} from './oci-helpers.ts';

interface RepoJson {
  name: string;
  namespace: string | null;
  tagCount: number;
  manifestCount: number;
  totalBytes: number;
  uniqueBytes: number;
  lastPushedAt: string | null;
  lastPulledAt: string | null;
}
interface PlatformJson {
  os: string;
  architecture: string;
  variant?: string;
}
interface TagJson {
  tag: string;
  digest: string;
  mediaType: string;
  size: number;
  platforms: PlatformJson[];
  pushedAt: string;
  pins: PinJson[];
}
interface ManifestJson {
  digest: string;
  size: number;
  tags: string[];
  platforms: PlatformJson[];
  pins: PinJson[];
  children?: Array<{ digest: string; size: number; platform: PlatformJson; stored: boolean }>;
  referrers?: Array<{ digest: string; artifactType: string | null; size: number }>;
}

const ns = (): string => `brw${randomHex(4)}`;
const sum = (...sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);

/** An image whose config names a platform, so listings have something real to report. */
async function pushPlatformImage(c: Client, repo: string, platform: PlatformJson, layers: Descriptor[] = []): Promise<PushedImage> {
  const configBytes = Buffer.from(JSON.stringify({ ...platform, rootfs: { type: 'layers', diff_ids: [] }, nonce: randomHex(8) }));
  const config = await pushBlob(c, repo, configBytes, MT.ociConfig);
  const own = await pushBlob(c, repo, random(300 + Math.floor(Math.random() * 200)));
  const manifest = { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [...layers, own] };
  const real = await putManifest(c, repo, sha256(Buffer.from(JSON.stringify(manifest))), manifest);
  assertStatus(real.res, 201);
  return { ...real, manifest, config, layers: [...layers, own] };
}

describe('berth API browsing: repositories, tags and manifests (auth required, admin key)', () => {
  let k: KeyedBerth;
  let c: Client;
  before(async () => {
    k = await startKeyedBerth('browse');
    c = k.oci;
  });
  after(async () => k?.dispose());

  const get = async <T>(path: string): Promise<T> => okJson<T>(await api(c, 'GET', path));

  it('pages repositories whole with a stable name cursor, filters by namespace and searches ignoring case', async () => {
    const space = ns();
    const names = Array.from({ length: 7 }, (_, i) => `${space}/app-${String(i).padStart(2, '0')}`);
    for (const name of [...names, `${space}/other`]) await pushImage(c, name, 'v1');
    const all = [...names, `${space}/other`].sort();

    const seen: string[] = [];
    let after: string | null = null;
    const pages: number[] = [];
    for (let i = 0; i < 10; i++) {
      const query: string = `/berth/v1/repositories?namespace=${space}&limit=3${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await get<{ repositories: RepoJson[]; next: string | null }>(query);
      pages.push(page.repositories.length);
      seen.push(...page.repositories.map((r) => r.name));
      if (i === 0) await pushImage(c, `${space}/aaa`, 'v1'); // sorts before the cursor: later pages must not shift
      after = page.next;
      if (after === null) break;
    }
    assert.deepEqual(seen, all, 'every repository once, in order, despite a push before the cursor');
    assert.deepEqual(pages, [3, 3, 2]);

    const found = await get<{ repositories: RepoJson[]; next: string | null }>(`/berth/v1/repositories?q=${encodeURIComponent('APP-0')}&namespace=${space}`);
    assert.deepEqual(
      found.repositories.map((r) => r.name),
      names,
    );
    assert.equal(found.next, null);
    const anywhere = await get<{ repositories: RepoJson[] }>(`/berth/v1/repositories?q=${space}/OTH`);
    assert.deepEqual(
      anywhere.repositories.map((r) => [r.name, r.namespace, r.tagCount, r.manifestCount]),
      [[`${space}/other`, space, 1, 1]],
    );

    const spaces = await get<{ namespaces: Array<{ name: string; repositoryCount: number; explicit: boolean; createdAt: string }>; next: string | null }>(
      `/berth/v1/namespaces?q=${space}`,
    );
    assert.deepEqual(spaces.namespaces, [{ name: space, repositoryCount: 9, explicit: false, createdAt: spaces.namespaces[0]!.createdAt }]);
  });

  it('total bytes count each blob once; unique bytes leave out blobs another repository references', async () => {
    const space = ns();
    const [one, two] = [`${space}/one`, `${space}/two`];
    const shared = random(4096);
    const sharedOne = await pushBlob(c, one, shared);
    await pushBlob(c, two, shared);
    const a = await pushImage(c, one, 'v1', { useLayers: [sharedOne], layers: 1, layerSize: 1000 });
    const a2 = await pushImage(c, one, 'v2', { useLayers: [a.layers[1]!] });
    const b = await pushImage(c, two, 'v1', { useLayers: [sharedOne], layers: 1, layerSize: 700 });

    const repos = (await get<{ repositories: RepoJson[] }>(`/berth/v1/repositories?namespace=${space}`)).repositories;
    const [r1, r2] = [repos.find((r) => r.name === one)!, repos.find((r) => r.name === two)!];
    const manifestsOne = a.bytes.length + a2.bytes.length;
    assert.equal(r1.totalBytes, sum(manifestsOne, a.config.size, a2.config.size, shared.length, a.layers[1]!.size));
    assert.equal(r1.uniqueBytes, sum(manifestsOne, a.config.size, a2.config.size, a.layers[1]!.size), 'the shared layer is not unique');
    assert.equal(r2.totalBytes, sum(b.bytes.length, b.config.size, shared.length, b.layers[1]!.size));
    assert.equal(r2.uniqueBytes, sum(b.bytes.length, b.config.size, b.layers[1]!.size));
    assert.deepEqual([r1.tagCount, r1.manifestCount, r2.tagCount, r2.manifestCount], [2, 2, 1, 1]);
    assert.ok(r1.lastPushedAt !== null && Date.now() - Date.parse(r1.lastPushedAt) < 120_000, `lastPushedAt ${r1.lastPushedAt}`);

    // Deleting the other repository's image makes the shared layer unique here (live manifests only count).
    assertStatus(await c.req('DELETE', `/v2/${two}/manifests/${b.digest}`), 202);
    const after = (await get<{ repositories: RepoJson[] }>(`/berth/v1/repositories?q=${one}`)).repositories[0]!;
    assert.equal(after.uniqueBytes, r1.totalBytes);

    const tags = (await get<{ tags: TagJson[] }>(`/berth/v1/repositories/${one}/tags`)).tags;
    assert.deepEqual(
      tags.map((t) => [t.tag, t.digest, t.size]),
      [
        ['v1', a.digest, sum(a.bytes.length, a.config.size, shared.length, a.layers[1]!.size)],
        ['v2', a2.digest, sum(a2.bytes.length, a2.config.size, a2.layers[0]!.size)],
      ],
    );
    assert.deepEqual(tags[0]!.platforms, [{ os: 'linux', architecture: 'amd64' }], 'from the image config');
  });

  it('a multi-arch index lists its platforms, children, referrers under it and the pins that protect each part', async () => {
    const space = ns();
    const repo = `${space}/multi`;
    const amd = await pushPlatformImage(c, repo, { os: 'linux', architecture: 'amd64' });
    const arm = await pushPlatformImage(c, repo, { os: 'linux', architecture: 'arm64', variant: 'v8' }, [amd.layers[0]!]);
    const index = await pushIndex(c, repo, 'latest', [
      { ...amd.descriptor, platform: { os: 'linux', architecture: 'amd64' } } as Descriptor,
      { ...arm.descriptor, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } } as Descriptor,
    ]);
    const sig = await pushImage(c, repo, undefined, { emptyConfig: true, artifactType: 'application/vnd.example.sig.v1', subject: index.descriptor });
    const sbom = await pushImage(c, repo, undefined, { emptyConfig: true, artifactType: 'application/spdx+json', subject: index.descriptor, layerSize: 2000 });

    const blobs = new Map<string, number>();
    for (const d of [amd.config, ...amd.layers, arm.config, ...arm.layers]) blobs.set(d.digest, d.size);
    const indexSize = sum(index.bytes.length, amd.bytes.length, arm.bytes.length, ...blobs.values());

    const tags = (await get<{ tags: TagJson[] }>(`/berth/v1/repositories/${repo}/tags?q=LATE`)).tags;
    assert.equal(tags.length, 1);
    assert.equal(tags[0]!.mediaType, MT.ociIndex);
    assert.equal(tags[0]!.size, indexSize);
    assert.deepEqual(tags[0]!.platforms, [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    assert.deepEqual(tags[0]!.pins, []);

    const indexPin = await createPin(c, repo, 'latest', 'web-prod runs it', { owner: 'team-web', expiresIn: '7d' });
    const sbomPin = await createPin(c, repo, sbom.digest, 'audit evidence', { owner: 'team-sec' });
    const synced = await c.req('PUT', '/berth/v1/pin-sets/edge', { body: `${k.berth.host}/${repo}@${arm.digest}\n` });
    assert.equal(synced.status, 200, synced.describe());

    const described = (await get<{ manifest: ManifestJson }>(`/berth/v1/repositories/${repo}/manifests/${index.digest}`)).manifest;
    assert.deepEqual(described.tags, ['latest']);
    assert.equal(described.size, indexSize);
    assert.deepEqual(
      described.children!.map((ch) => [ch.digest, ch.platform.architecture, ch.stored, ch.size]),
      [
        [amd.digest, 'amd64', true, sum(amd.bytes.length, amd.config.size, ...amd.layers.map((l) => l.size))],
        [arm.digest, 'arm64', true, sum(arm.bytes.length, arm.config.size, ...arm.layers.map((l) => l.size))],
      ],
    );
    const expectedReferrers = [
      [sig.digest, 'application/vnd.example.sig.v1', sum(sig.bytes.length, 2, sig.layers[0]!.size)],
      [sbom.digest, 'application/spdx+json', sum(sbom.bytes.length, 2, 2000)],
    ].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    assert.deepEqual(
      described.referrers!.map((r) => [r.digest, r.artifactType, r.size]),
      expectedReferrers,
    );
    // The index is protected by its own pin and by the pinned SBOM hanging from it (a delete would take the SBOM).
    assert.deepEqual(described.pins.map((p) => p.id).sort(), [indexPin.id, sbomPin.id].sort());
    const shown = described.pins.find((p) => p.id === indexPin.id)!;
    assert.deepEqual([shown.owner, shown.reason, shown.source, shown.digest], ['team-web', 'web-prod runs it', null, index.digest]);
    assert.ok(shown.expiresAt && Math.abs(Date.parse(shown.expiresAt) - Date.now() - 7 * 86_400_000) < 600_000, `expiresAt ${shown.expiresAt}`);

    // The arm64 child: the index pin above it and the pin-set pin on it; what the console says is what a delete refuses.
    const child = (await get<{ manifest: ManifestJson }>(`/berth/v1/repositories/${repo}/manifests/${arm.digest}`)).manifest;
    assert.deepEqual(child.platforms, [{ os: 'linux', architecture: 'arm64', variant: 'v8' }]);
    const fromSet = child.pins.find((p) => p.source === 'edge');
    assert.ok(fromSet, JSON.stringify(child.pins));
    assert.deepEqual(child.pins.map((p) => p.id).sort(), [indexPin.id, fromSet.id].sort());
    const refused = await c.req('DELETE', `/v2/${repo}/manifests/${arm.digest}`);
    assert.equal(refused.status, 409, refused.describe());
    const refusedIds = (refused.json<{ errors: Array<{ detail: { pins: Array<{ id: string }> } }> }>().errors[0]!.detail.pins ?? []).map((p) => p.id).sort();
    assert.deepEqual(refusedIds, child.pins.map((p) => p.id).sort());

    // Untagged manifests: the children and the referrers, never the tagged index; tagged=true is the index alone.
    const untagged = (await get<{ manifests: ManifestJson[] }>(`/berth/v1/repositories/${repo}/manifests?tagged=false`)).manifests;
    assert.deepEqual(untagged.map((m) => m.digest).sort(), [amd.digest, arm.digest, sig.digest, sbom.digest].sort());
    assert.ok(untagged.every((m) => m.tags.length === 0));
    const tagged = (await get<{ manifests: ManifestJson[] }>(`/berth/v1/repositories/${repo}/manifests?tagged=true`)).manifests;
    assert.deepEqual(
      tagged.map((m) => [m.digest, m.tags, m.pins.length]),
      [[index.digest, ['latest'], 2]],
    );
    // Paging manifests by digest: pages of one, whole and in order.
    const digests: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: { manifests: ManifestJson[]; next: string | null } = await get(
        `/berth/v1/repositories/${repo}/manifests?limit=2${cursor ? `&after=${cursor}` : ''}`,
      );
      digests.push(...page.manifests.map((m) => m.digest));
      cursor = page.next;
      if (cursor === null) break;
    }
    assert.deepEqual(digests, [amd.digest, arm.digest, index.digest, sig.digest, sbom.digest].sort());
  });

  it('pages tags whole by name', async () => {
    const repo = `${ns()}/tags`;
    const image = await pushImage(c, repo, 'base');
    const names = ['base', 'Beta', 'alpha', 'v1.0', 'v1.1', 'v2.0', 'z'];
    for (const t of names.slice(1)) assertStatus((await putManifest(c, repo, t, image.bytes, MT.ociManifest)).res, 201);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: { tags: TagJson[]; next: string | null } = await get(`/berth/v1/repositories/${repo}/tags?limit=3${cursor ? `&after=${cursor}` : ''}`);
      seen.push(...page.tags.map((t) => t.tag));
      cursor = page.next;
      if (cursor === null) break;
    }
    assert.deepEqual(seen, [...names].sort());
    const found = (await get<{ tags: TagJson[] }>(`/berth/v1/repositories/${repo}/tags?q=b`)).tags.map((t) => t.tag);
    assert.deepEqual(found, ['Beta', 'base'], 'case-blind, in byte order');
  });

  it('answers unknown names with 404 and bad query values with 400, in the berth error shape', async () => {
    const repo = `${ns()}/known`;
    await pushImage(c, repo, 'v1');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${repo}x/tags`), 404, 'NAME_UNKNOWN');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${repo}x/manifests`), 404, 'NAME_UNKNOWN');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${repo}x/manifests/sha256:${'a'.repeat(64)}`), 404, 'NAME_UNKNOWN');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${repo}/manifests/sha256:${'a'.repeat(64)}`), 404, 'MANIFEST_UNKNOWN');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${repo}/manifests/not-a-digest`), 400, 'DIGEST_INVALID');
    for (const q of ['limit=0', 'limit=1001', 'limit=ten', 'limit=-1']) {
      for (const path of [
        '/berth/v1/repositories',
        '/berth/v1/namespaces',
        `/berth/v1/repositories/${repo}/tags`,
        `/berth/v1/repositories/${repo}/manifests`,
      ]) {
        const body = assertApiError(await api(c, 'GET', `${path}?${q}`), 400, 'PAGINATION_INVALID');
        assert.match(body.error.message, /limit/);
      }
    }
    assertApiError(await api(c, 'GET', `/berth/v1/repositories/${repo}/manifests?tagged=maybe`), 400, 'INVALID_REQUEST');
    assertApiError(await api(c, 'GET', '/berth/v1/repositories?namespace=Bad'), 400, 'NAME_INVALID');
    assertApiError(await api(c, 'GET', `/berth/v1/repositories?q=${'x'.repeat(300)}`), 400, 'INVALID_REQUEST');
    assertApiError(await api(c, 'GET', '/berth/v1/repositories/UPPER/tags'), 400, 'NAME_INVALID');
    assertApiError(await api(c, 'POST', '/berth/v1/repositories'), 405, 'UNSUPPORTED');
    assertApiError(await api(k.raw, 'GET', '/berth/v1/repositories'), 401, 'UNAUTHORIZED');
    // Search text is data, never a pattern: LIKE wildcards match themselves only.
    assert.deepEqual((await get<{ repositories: RepoJson[] }>('/berth/v1/repositories?q=%25')).repositories, []);
    assert.deepEqual((await get<{ repositories: RepoJson[] }>(`/berth/v1/repositories?q=${encodeURIComponent(repo.replace('/', '_'))}`)).repositories, []);
  });
});
