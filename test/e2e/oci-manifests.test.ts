// OCI Distribution: manifest push and pull, byte-exact storage, the manifest kinds clients send (OCI, Docker,
// indexes; artifacts, Helm and oras in oci-artifacts.test.ts), validation of references, and what a refused push must
// leave behind.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ACCEPT_MANIFESTS,
  assertError,
  assertStatus,
  type Client,
  type Descriptor,
  followPages,
  MT,
  mediaTypeOf,
  pushBlob,
  pushImage,
  pushIndex,
  putManifest,
  random,
  randomHex,
  repoName,
  sha256,
  useTarget,
} from './oci-helpers.ts';

describe('OCI manifests', () => {
  let c: Client;

  useTarget((t) => (c = t.client));

  const accept = { accept: ACCEPT_MANIFESTS };

  async function layerAndConfig(repo: string): Promise<{ config: Descriptor; layer: Descriptor }> {
    const config = await pushBlob(c, repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: randomHex() })), MT.ociConfig);
    const layer = await pushBlob(c, repo, random(256), MT.ociLayer);
    return { config, layer };
  }

  it('PUT of an OCI manifest by tag is 201 with Location and Docker-Content-Digest = sha256 of the exact bytes', async () => {
    const repo = repoName('manifests');
    const { config, layer } = await layerAndConfig(repo);
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] });
    const pushed = await putManifest(c, repo, 'v1', text, MT.ociManifest);
    assertStatus(pushed.res, 201);
    assert.ok(pushed.res.header('location'), '201 needs a Location');
    assert.equal(pushed.res.header('docker-content-digest'), sha256(Buffer.from(text)));
    const viaLocation = await c.get(pushed.res.header('location')!, { headers: accept });
    assertStatus(viaLocation, 200);
    assert.ok(viaLocation.body.equals(Buffer.from(text)), 'the Location is a pullable manifest URL');
  });

  it('GET by tag and by digest returns the exact bytes with Content-Type and Docker-Content-Digest', async () => {
    const repo = repoName('manifests');
    const image = await pushImage(c, repo, 'stable');
    for (const ref of ['stable', image.digest]) {
      const res = await c.get(`/v2/${repo}/manifests/${ref}`, { headers: accept });
      assertStatus(res, 200);
      assert.ok(res.body.equals(image.bytes), `GET ${ref}: bytes differ`);
      assert.equal(mediaTypeOf(res), MT.ociManifest);
      assert.equal(res.header('docker-content-digest'), image.digest);
      assert.equal(res.header('content-length'), String(image.bytes.length));
    }
  });

  it('HEAD by tag and by digest is 200 with Content-Length, Content-Type, Docker-Content-Digest and no body', async () => {
    const repo = repoName('manifests');
    const image = await pushImage(c, repo, 'v1');
    for (const ref of ['v1', image.digest]) {
      const res = await c.head(`/v2/${repo}/manifests/${ref}`, { headers: accept });
      assertStatus(res, 200);
      assert.equal(res.header('content-length'), String(image.bytes.length));
      assert.equal(res.header('docker-content-digest'), image.digest);
      assert.equal(mediaTypeOf(res), MT.ociManifest);
      assert.equal(res.body.length, 0);
    }
  });

  it('an unknown tag is 404 MANIFEST_UNKNOWN, an unknown digest too, and HEAD is 404 without a body', async () => {
    const repo = repoName('manifests');
    await pushImage(c, repo, 'v1');
    assertError(await c.get(`/v2/${repo}/manifests/nope`, { headers: accept }), 404, 'MANIFEST_UNKNOWN');
    assertError(await c.get(`/v2/${repo}/manifests/${sha256(random(8))}`, { headers: accept }), 404, 'MANIFEST_UNKNOWN');
    assertError(await c.head(`/v2/${repo}/manifests/nope`, { headers: accept }), 404);
  });

  it('a manifest in an unknown repository is 404', async () => {
    const res = await c.get(`/v2/${repoName('manifests', '-none')}/manifests/latest`, { headers: accept });
    assertError(res, 404, ['NAME_UNKNOWN', 'MANIFEST_UNKNOWN']);
  });

  it('a manifest pushed to one repository cannot be read through another', async () => {
    const a = repoName('manifests');
    const b = repoName('manifests');
    const image = await pushImage(c, a, 'v1');
    await pushImage(c, b, 'v1');
    assertError(await c.get(`/v2/${b}/manifests/${image.digest}`, { headers: accept }), 404, 'MANIFEST_UNKNOWN');
  });

  it('a manifest naming blobs that exist only in another repository is refused, or else pullable in full here', async () => {
    const a = repoName('manifests');
    const b = repoName('manifests');
    const { config, layer } = await layerAndConfig(a);
    await pushImage(c, b, 'other');
    const pushed = await putManifest(c, b, 'borrowed', { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] });
    if (pushed.res.status === 201) {
      for (const d of [config, layer]) {
        const blob = await c.get(`/v2/${b}/blobs/${d.digest}`);
        assert.equal(blob.status, 200, `accepted a manifest whose blob ${d.digest} cannot be pulled from ${b}: ${blob.describe()}`);
      }
    } else {
      assertError(pushed.res, 400, 'MANIFEST_BLOB_UNKNOWN');
    }
  });

  it('whitespace variants of the same JSON keep their own digests and bytes', async () => {
    const repo = repoName('manifests');
    const { config, layer } = await layerAndConfig(repo);
    const obj = { schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] };
    const variants = [JSON.stringify(obj), JSON.stringify(obj, null, 2), `${JSON.stringify(obj, null, '\t')}\n`, ` ${JSON.stringify(obj)} `];
    const digests = new Set<string>();
    for (const [i, text] of variants.entries()) {
      const pushed = await putManifest(c, repo, `ws${i}`, text, MT.ociManifest);
      assertStatus(pushed.res, 201);
      assert.equal(pushed.res.header('docker-content-digest'), sha256(Buffer.from(text)));
      digests.add(pushed.digest);
    }
    assert.equal(digests.size, variants.length);
    for (const [i, text] of variants.entries()) {
      const res = await c.get(`/v2/${repo}/manifests/ws${i}`, { headers: accept });
      assert.ok(res.body.equals(Buffer.from(text)), `variant ${i} was not stored byte for byte`);
      const byDigest = await c.get(`/v2/${repo}/manifests/${sha256(Buffer.from(text))}`, { headers: accept });
      assert.ok(byDigest.body.equals(Buffer.from(text)));
    }
  });

  it('a Docker v2 schema 2 manifest is stored and served with its media type', async () => {
    const repo = repoName('manifests');
    const config = await pushBlob(c, repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: randomHex() })), MT.dockerConfig);
    const layer = await pushBlob(c, repo, random(300), MT.dockerLayer);
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MT.dockerManifest, config, layers: [layer] }, null, 3);
    const pushed = await putManifest(c, repo, 'docker', text, MT.dockerManifest);
    assertStatus(pushed.res, 201);
    assert.equal(pushed.res.header('docker-content-digest'), pushed.digest);
    const res = await c.get(`/v2/${repo}/manifests/docker`, { headers: { accept: `${MT.dockerManifest}, ${MT.dockerList}` } });
    assertStatus(res, 200);
    assert.equal(mediaTypeOf(res), MT.dockerManifest);
    assert.ok(res.body.equals(Buffer.from(text)));
  });

  it('a Docker manifest list over pushed children is stored and served with its media type', async () => {
    const repo = repoName('manifests');
    const children: Descriptor[] = [];
    for (const arch of ['amd64', 'arm64']) {
      const config = await pushBlob(c, repo, Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', n: randomHex() })), MT.dockerConfig);
      const layer = await pushBlob(c, repo, random(100), MT.dockerLayer);
      const child = await putManifest(
        c,
        repo,
        sha256(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.dockerManifest, config, layers: [layer] }))),
        { schemaVersion: 2, mediaType: MT.dockerManifest, config, layers: [layer] },
      );
      assertStatus(child.res, 201);
      children.push({ ...child.descriptor, platform: { architecture: arch, os: 'linux' } });
    }
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MT.dockerList, manifests: children });
    const pushed = await putManifest(c, repo, 'multi', text, MT.dockerList);
    assertStatus(pushed.res, 201);
    const res = await c.get(`/v2/${repo}/manifests/multi`, { headers: accept });
    assertStatus(res, 200);
    assert.equal(mediaTypeOf(res), MT.dockerList);
    assert.ok(res.body.equals(Buffer.from(text)));
    assert.equal(res.header('docker-content-digest'), pushed.digest);
  });

  it('an OCI index whose children exist is 201 and served as an index', async () => {
    const repo = repoName('manifests');
    const a = await pushImage(c, repo);
    const b = await pushImage(c, repo);
    const index = await pushIndex(c, repo, 'idx', [
      { ...a.descriptor, platform: { architecture: 'amd64', os: 'linux' } },
      { ...b.descriptor, platform: { architecture: 'arm64', os: 'linux' } },
    ]);
    const res = await c.get(`/v2/${repo}/manifests/idx`, { headers: accept });
    assertStatus(res, 200);
    assert.equal(mediaTypeOf(res), MT.ociIndex);
    assert.ok(res.body.equals(index.bytes));
  });

  it('an index with a missing child is 400 MANIFEST_BLOB_UNKNOWN and nothing is stored', async () => {
    const repo = repoName('manifests');
    const a = await pushImage(c, repo);
    const missing = { mediaType: MT.ociManifest, digest: sha256(random(32)), size: 500 };
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [a.descriptor, missing] });
    const pushed = await putManifest(c, repo, 'broken', text, MT.ociIndex);
    assertError(pushed.res, 400, 'MANIFEST_BLOB_UNKNOWN');
    assertError(await c.get(`/v2/${repo}/manifests/broken`, { headers: accept }), 404);
    assertError(await c.get(`/v2/${repo}/manifests/${pushed.digest}`, { headers: accept }), 404);
  });

  for (const missingPart of ['layer', 'config'] as const) {
    it(`a manifest with a missing ${missingPart} is 400 MANIFEST_BLOB_UNKNOWN and nothing is stored`, async () => {
      const repo = repoName('manifests');
      const { config, layer } = await layerAndConfig(repo);
      const ghost = { mediaType: missingPart === 'layer' ? MT.ociLayer : MT.ociConfig, digest: sha256(random(16)), size: 16 };
      const text = JSON.stringify({
        schemaVersion: 2,
        mediaType: MT.ociManifest,
        config: missingPart === 'config' ? ghost : config,
        layers: missingPart === 'layer' ? [layer, ghost] : [layer],
      });
      const pushed = await putManifest(c, repo, 'ghost', text, MT.ociManifest);
      assertError(pushed.res, 400, 'MANIFEST_BLOB_UNKNOWN');
      assertError(await c.get(`/v2/${repo}/manifests/ghost`, { headers: accept }), 404, 'MANIFEST_UNKNOWN');
      assertError(await c.get(`/v2/${repo}/manifests/${pushed.digest}`, { headers: accept }), 404, 'MANIFEST_UNKNOWN');
    });
  }

  it('invalid JSON is 400 MANIFEST_INVALID and nothing is stored', async () => {
    const repo = repoName('manifests');
    await pushImage(c, repo, 'ok');
    const pushed = await putManifest(c, repo, 'bad', '{"schemaVersion": 2, "mediaType": ', MT.ociManifest);
    assertError(pushed.res, 400, 'MANIFEST_INVALID');
    assertError(await c.get(`/v2/${repo}/manifests/bad`, { headers: accept }), 404);
  });

  it('PUT by a digest that does not match the bytes is 400 DIGEST_INVALID and nothing is stored', async () => {
    const repo = repoName('manifests');
    const { config, layer } = await layerAndConfig(repo);
    const text = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] });
    const wrong = sha256(Buffer.from(`${text} `));
    const pushed = await putManifest(c, repo, wrong, text, MT.ociManifest);
    assertError(pushed.res, 400, 'DIGEST_INVALID');
    assertError(await c.get(`/v2/${repo}/manifests/${wrong}`, { headers: accept }), 404);
    assertError(await c.get(`/v2/${repo}/manifests/${sha256(Buffer.from(text))}`, { headers: accept }), 404);
  });

  it('PUT by the right digest is 201 and creates no tag', async () => {
    const repo = repoName('manifests');
    await pushImage(c, repo, 'only');
    const image = await pushImage(c, repo);
    assert.equal(image.res.header('docker-content-digest'), image.digest);
    assertStatus(await c.get(`/v2/${repo}/manifests/${image.digest}`, { headers: accept }), 200);
    const tags = await c.get(`/v2/${repo}/tags/list`);
    assertStatus(tags, 200);
    assert.deepEqual(tags.json<{ tags: string[] }>().tags, ['only']);
  });

  it('pushing another manifest to an existing tag moves the tag; the old manifest stays reachable by digest', async () => {
    const repo = repoName('manifests');
    const first = await pushImage(c, repo, 'latest');
    const second = await pushImage(c, repo, 'latest');
    const res = await c.get(`/v2/${repo}/manifests/latest`, { headers: accept });
    assert.equal(res.header('docker-content-digest'), second.digest);
    assertStatus(await c.get(`/v2/${repo}/manifests/${first.digest}`, { headers: accept }), 200);
  });

  it('a manifest of almost 4 MiB is accepted (the spec asks registries to take at least 4 MB)', async () => {
    const repo = repoName('manifests');
    const { config, layer } = await layerAndConfig(repo);
    const base = JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer], annotations: { pad: '' } });
    const text = base.replace('"pad":""', `"pad":"${'x'.repeat(4 * 1000 * 1000 - base.length - 100)}"`);
    const pushed = await putManifest(c, repo, 'big', text, MT.ociManifest);
    assertStatus(pushed.res, 201);
    const res = await c.get(`/v2/${repo}/manifests/big`, { headers: accept });
    assert.ok(res.body.equals(Buffer.from(text)));
  });

  it('a manifest over 4 MiB is refused (413, or 400 MANIFEST_INVALID) and nothing is stored', async () => {
    const repo = repoName('manifests');
    const { config, layer } = await layerAndConfig(repo);
    const text = JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config,
      layers: [layer],
      annotations: { pad: 'x'.repeat(4 * 1024 * 1024 + 10) },
    });
    const pushed = await putManifest(c, repo, 'huge', text, MT.ociManifest);
    assert.ok(pushed.res.status === 413 || pushed.res.status === 400, pushed.res.describe());
    if (pushed.res.status === 400) assertError(pushed.res, 400, 'MANIFEST_INVALID');
    else if (pushed.res.body.length > 0) assertError(pushed.res, 413, ['MANIFEST_INVALID', 'SIZE_INVALID']);
    assertError(await c.get(`/v2/${repo}/manifests/huge`, { headers: accept }), 404);
    assertError(await c.get(`/v2/${repo}/manifests/${pushed.digest}`, { headers: accept }), 404);
  });

  it('valid tags are accepted: one character, mixed case, dots, dashes, underscores, 128 characters', async () => {
    const repo = repoName('manifests');
    const image = await pushImage(c, repo, 'first');
    for (const tag of ['a', '0', '_x', 'V1.2.3-rc.1_build', 'A'.repeat(128)]) {
      const res = await putManifest(c, repo, tag, image.bytes, MT.ociManifest);
      assertStatus(res.res, 201);
      assert.equal((await c.head(`/v2/${repo}/manifests/${tag}`, { headers: accept })).header('docker-content-digest'), image.digest);
    }
  });

  it('invalid tags are 400 TAG_INVALID: leading dot or dash, 129 characters, characters outside [A-Za-z0-9._-]', async () => {
    const repo = repoName('manifests');
    const image = await pushImage(c, repo, 'first');
    for (const tag of ['.hidden', '-dash', 'a'.repeat(129), 'a+b', 'a~b', 'tag!', 'a%20b']) {
      const res = await putManifest(c, repo, tag, image.bytes, MT.ociManifest);
      assertError(res.res, 400, 'TAG_INVALID');
    }
    const tags = await c.get(`/v2/${repo}/tags/list`);
    assert.deepEqual(tags.json<{ tags: string[] }>().tags, ['first']);
  });

  it('pushing to a new repository name creates it and it shows in /v2/_catalog', async () => {
    const repo = repoName('manifests', '/fresh');
    await pushImage(c, repo, 'v1');
    const pages = await followPages(c, '/v2/_catalog?n=1000', 1000);
    const all = pages.flatMap((p) => p.res.json<{ repositories: string[] }>().repositories);
    assert.ok(all.includes(repo), `${repo} missing from the catalog`);
  });
});
