// OCI Distribution: the artifact pushes clients other than docker make (an artifact manifest with an empty config,
// Helm's chart push and pull, oras), each accepted and pulled back byte for byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  ACCEPT_MANIFESTS,
  assertError,
  assertStatus,
  type Client,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON,
  MT,
  mediaTypeOf,
  pushBlob,
  putManifest,
  random,
  randomHex,
  repoName,
  sha256,
  useTarget,
} from './oci-helpers.ts';

describe('OCI artifacts', () => {
  let c: Client;

  useTarget((t) => (c = t.client));

  const accept = { accept: ACCEPT_MANIFESTS };

  async function _layerAndConfig(repo: string): Promise<{ config: Descriptor; layer: Descriptor }> {
    const config = await pushBlob(c, repo, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', n: randomHex() })), MT.ociConfig);
    const layer = await pushBlob(c, repo, random(256), MT.ociLayer);
    return { config, layer };
  }

  it('an artifact manifest (artifactType, empty config descriptor, "{}" blob) is accepted and served', async () => {
    const repo = repoName('manifests');
    assert.equal(sha256(EMPTY_JSON), EMPTY_DESCRIPTOR.digest);
    const empty = await pushBlob(c, repo, EMPTY_JSON, MT.empty);
    assert.equal(empty.digest, EMPTY_DESCRIPTOR.digest);
    const layer = await pushBlob(c, repo, Buffer.from('artifact payload'), 'application/vnd.example.payload');
    const text = JSON.stringify({
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/vnd.example.artifact.v1',
      config: EMPTY_DESCRIPTOR,
      layers: [layer],
    });
    const pushed = await putManifest(c, repo, 'artifact', text, MT.ociManifest);
    assertStatus(pushed.res, 201);
    const res = await c.get(`/v2/${repo}/manifests/artifact`, { headers: accept });
    assertStatus(res, 200);
    assert.ok(res.body.equals(Buffer.from(text)));
    const blob = await c.get(`/v2/${repo}/blobs/${EMPTY_DESCRIPTOR.digest}`);
    assert.equal(blob.text, '{}');
  });

  it("a Helm chart push in helm's request sequence, then a pull as helm does it", async () => {
    const repo = repoName('manifests', '/charts/mychart');
    const configBytes = Buffer.from(
      JSON.stringify({ name: 'mychart', version: '0.1.0', description: 'A Helm chart', apiVersion: 'v2', appVersion: '1.16.0', type: 'application' }),
    );
    const chartBytes = gzipSync(Buffer.concat([Buffer.from('mychart/Chart.yaml\n'), random(2000)]));
    const blobs: Array<[Buffer, string]> = [
      [configBytes, 'application/vnd.cncf.helm.config.v1+json'],
      [chartBytes, 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'],
    ];
    const descriptors: Descriptor[] = [];
    for (const [bytes, mediaType] of blobs) {
      const digest = sha256(bytes);
      assertError(await c.head(`/v2/${repo}/blobs/${digest}`), 404);
      const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
      assertStatus(post, 202);
      const location = post.header('location')!;
      const put = await c.req('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`, {
        body: bytes,
        headers: { 'content-type': 'application/octet-stream' },
      });
      assertStatus(put, 201);
      descriptors.push({ mediaType, digest, size: bytes.length });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      config: descriptors[0],
      layers: [descriptors[1]],
      annotations: {
        'org.opencontainers.image.created': '2024-01-01T00:00:00Z',
        'org.opencontainers.image.description': 'A Helm chart',
        'org.opencontainers.image.title': 'mychart',
        'org.opencontainers.image.version': '0.1.0',
      },
    };
    const pushed = await putManifest(c, repo, '0.1.0', JSON.stringify(manifest), MT.ociManifest);
    assertStatus(pushed.res, 201);

    const head = await c.head(`/v2/${repo}/manifests/0.1.0`, { headers: { accept: MT.ociManifest } });
    assertStatus(head, 200);
    assert.equal(head.header('docker-content-digest'), pushed.digest);
    const got = await c.get(`/v2/${repo}/manifests/${pushed.digest}`, { headers: { accept: MT.ociManifest } });
    assertStatus(got, 200);
    assert.equal(mediaTypeOf(got), MT.ociManifest);
    const pulled = got.json<{ config: Descriptor; layers: Descriptor[] }>();
    assert.equal(pulled.config.mediaType, 'application/vnd.cncf.helm.config.v1+json');
    const cfg = await c.get(`/v2/${repo}/blobs/${pulled.config.digest}`);
    assert.ok(cfg.body.equals(configBytes));
    const chart = await c.get(`/v2/${repo}/blobs/${pulled.layers[0]!.digest}`);
    assert.ok(chart.body.equals(chartBytes));
    const tags = await c.get(`/v2/${repo}/tags/list`);
    assert.deepEqual(tags.json<{ tags: string[] }>().tags, ['0.1.0']);
  });

  it('an oras-style push (artifactType, empty config, titled layer) is accepted and pulled back', async () => {
    const repo = repoName('manifests');
    await pushBlob(c, repo, EMPTY_JSON, MT.empty);
    const file = Buffer.from('hello from oras\n');
    const layer = await pushBlob(c, repo, file, MT.ociLayerTar);
    const manifest = {
      schemaVersion: 2,
      mediaType: MT.ociManifest,
      artifactType: 'application/vnd.example+type',
      config: EMPTY_DESCRIPTOR,
      layers: [{ ...layer, annotations: { 'org.opencontainers.image.title': 'hello.txt' } }],
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z' },
    };
    const pushed = await putManifest(c, repo, 'v1', JSON.stringify(manifest), MT.ociManifest);
    assertStatus(pushed.res, 201);
    const got = await c.get(`/v2/${repo}/manifests/v1`, { headers: { accept: MT.ociManifest } });
    assertStatus(got, 200);
    const back = got.json<typeof manifest>();
    assert.equal(back.artifactType, 'application/vnd.example+type');
    assert.equal(back.layers[0]!.annotations['org.opencontainers.image.title'], 'hello.txt');
    assert.ok((await c.get(`/v2/${repo}/blobs/${layer.digest}`)).body.equals(file));
  });
});
