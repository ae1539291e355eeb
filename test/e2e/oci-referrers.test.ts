// OCI Distribution 1.1 referrers: pushing manifests with a subject, listing and filtering what refers to a digest.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  assertError,
  assertStatus,
  type Client,
  type Descriptor,
  EMPTY_DESCRIPTOR,
  EMPTY_JSON,
  MT,
  mediaTypeOf,
  type PushedImage,
  pushBlob,
  pushImage,
  pushIndex,
  putManifest,
  type Res,
  random,
  repoName,
  sha256,
  useTarget,
} from './oci-helpers.ts';

interface Index {
  schemaVersion: number;
  mediaType: string;
  manifests: Descriptor[];
}

const SBOM = 'application/vnd.example.sbom.v1';
const SIG = 'application/vnd.example.signature.v1';

function indexOf(res: Res): Index {
  assertStatus(res, 200);
  assert.equal(mediaTypeOf(res), MT.ociIndex, 'referrers answer an image index');
  const body = res.json<Index>();
  assert.equal(body.schemaVersion, 2);
  assert.equal(body.mediaType, MT.ociIndex);
  assert.ok(Array.isArray(body.manifests), 'manifests must be an array');
  return body;
}

describe('OCI referrers', () => {
  let c: Client;
  const repo = repoName('referrers');
  let subject: PushedImage;
  let sbom: PushedImage;
  let sig: PushedImage;

  useTarget((t) => (c = t.client));
  before(async () => {
    subject = await pushImage(c, repo, 'app');
    sbom = await pushImage(c, repo, undefined, {
      emptyConfig: true,
      artifactType: SBOM,
      subject: subject.descriptor,
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', 'org.example.sbom.format': 'json' },
    });
    sig = await pushImage(c, repo, undefined, {
      emptyConfig: true,
      artifactType: SIG,
      subject: subject.descriptor,
      annotations: { 'org.example.signature.fingerprint': 'abcd' },
    });
  });

  it('a manifest PUT with a subject answers OCI-Subject: <subject digest>', () => {
    assert.equal(sbom.res.header('oci-subject'), subject.digest, sbom.res.describe());
    assert.equal(sig.res.header('oci-subject'), subject.digest, sig.res.describe());
  });

  it('a manifest PUT without a subject has no OCI-Subject header', () => {
    assert.equal(subject.res.header('oci-subject'), undefined);
  });

  it('GET /v2/<name>/referrers/<digest> is an index listing both with mediaType, digest, size, artifactType, annotations', async () => {
    const index = indexOf(await c.get(`/v2/${repo}/referrers/${subject.digest}`));
    assert.equal(index.manifests.length, 2, JSON.stringify(index));
    const byDigest = new Map(index.manifests.map((m) => [m.digest, m]));
    assert.deepEqual(byDigest.get(sbom.digest), {
      mediaType: MT.ociManifest,
      digest: sbom.digest,
      size: sbom.bytes.length,
      artifactType: SBOM,
      annotations: { 'org.opencontainers.image.created': '2024-01-01T00:00:00Z', 'org.example.sbom.format': 'json' },
    });
    assert.deepEqual(byDigest.get(sig.digest), {
      mediaType: MT.ociManifest,
      digest: sig.digest,
      size: sig.bytes.length,
      artifactType: SIG,
      annotations: { 'org.example.signature.fingerprint': 'abcd' },
    });
  });

  it('?artifactType= returns only matching referrers and sets OCI-Filters-Applied: artifactType', async () => {
    const res = await c.get(`/v2/${repo}/referrers/${subject.digest}?artifactType=${encodeURIComponent(SBOM)}`);
    const index = indexOf(res);
    assert.deepEqual(
      index.manifests.map((m) => m.digest),
      [sbom.digest],
    );
    assert.equal(res.header('oci-filters-applied'), 'artifactType');
  });

  it('a filter that matches nothing is an empty index, still with OCI-Filters-Applied', async () => {
    const res = await c.get(`/v2/${repo}/referrers/${subject.digest}?artifactType=${encodeURIComponent('application/vnd.example.none')}`);
    assert.deepEqual(indexOf(res).manifests, []);
    assert.equal(res.header('oci-filters-applied'), 'artifactType');
  });

  it('referrers of an unknown digest are 200 with an empty index (never 404)', async () => {
    const index = indexOf(await c.get(`/v2/${repo}/referrers/${sha256(random(16))}`));
    assert.deepEqual(index.manifests, []);
  });

  it('referrers are per repository: the same subject digest in another repository has none', async () => {
    const other = repoName('referrers');
    await pushImage(c, other, 'x');
    assert.deepEqual(indexOf(await c.get(`/v2/${other}/referrers/${subject.digest}`)).manifests, []);
  });

  it('a referrer whose subject does not exist yet is accepted and listed; pushing the subject later keeps it', async () => {
    const r = repoName('referrers');
    await pushBlob(c, r, EMPTY_JSON, MT.empty);
    const layer = await pushBlob(c, r, random(64));
    // Build the future subject's bytes first, so its digest is known before it exists.
    const config = await pushBlob(c, r, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', later: true })), MT.ociConfig);
    const futureBytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.ociManifest, config, layers: [layer] }));
    const future: Descriptor = { mediaType: MT.ociManifest, digest: sha256(futureBytes), size: futureBytes.length };
    const early = await pushImage(c, r, undefined, { emptyConfig: true, artifactType: SBOM, subject: future });
    assert.equal(early.res.status, 201, early.res.describe());
    assert.equal(early.res.header('oci-subject'), future.digest);
    assert.deepEqual(
      indexOf(await c.get(`/v2/${r}/referrers/${future.digest}`)).manifests.map((m) => m.digest),
      [early.digest],
    );
    assertStatus((await putManifest(c, r, 'later', futureBytes, MT.ociManifest)).res, 201);
    assert.deepEqual(
      indexOf(await c.get(`/v2/${r}/referrers/${future.digest}`)).manifests.map((m) => m.digest),
      [early.digest],
    );
  });

  it('artifactType falls back to the config media type when the manifest has none', async () => {
    const r = repoName('referrers');
    const s = await pushImage(c, r, 'app');
    const configType = 'application/vnd.example.config.v1+json';
    const ref = await pushImage(c, r, undefined, { configMediaType: configType, subject: s.descriptor });
    const index = indexOf(await c.get(`/v2/${r}/referrers/${s.digest}`));
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0]!.digest, ref.digest);
    assert.equal(index.manifests[0]!.artifactType, configType);
  });

  it('an index referrer without artifactType is listed without artifactType, with its annotations', async () => {
    const r = repoName('referrers');
    const s = await pushImage(c, r, 'app');
    const child = await pushImage(c, r);
    const idx = await pushIndex(c, r, undefined, [child.descriptor], { subject: s.descriptor, annotations: { 'org.example.kind': 'bundle' } });
    assert.equal(idx.res.header('oci-subject'), s.digest);
    const index = indexOf(await c.get(`/v2/${r}/referrers/${s.digest}`));
    assert.equal(index.manifests.length, 1);
    const entry = index.manifests[0]!;
    assert.equal(entry.digest, idx.digest);
    assert.equal(entry.mediaType, MT.ociIndex);
    assert.equal(entry.size, idx.bytes.length);
    assert.ok(!('artifactType' in entry), `artifactType must be omitted: ${JSON.stringify(entry)}`);
    assert.deepEqual(entry.annotations, { 'org.example.kind': 'bundle' });
  });

  it('a referrer deleted by digest leaves the list', async () => {
    const r = repoName('referrers');
    const s = await pushImage(c, r, 'app');
    const a = await pushImage(c, r, undefined, { emptyConfig: true, artifactType: SBOM, subject: s.descriptor });
    const b = await pushImage(c, r, undefined, { emptyConfig: true, artifactType: SIG, subject: s.descriptor });
    assertStatus(await c.req('DELETE', `/v2/${r}/manifests/${a.digest}`), 202);
    assert.deepEqual(
      indexOf(await c.get(`/v2/${r}/referrers/${s.digest}`)).manifests.map((m) => m.digest),
      [b.digest],
    );
  });

  it('an artifact pushed with the empty config descriptor and a subject keeps the empty blob readable', async () => {
    const res = await c.get(`/v2/${repo}/blobs/${EMPTY_DESCRIPTOR.digest}`);
    assertStatus(res, 200);
    assert.equal(res.text, '{}');
  });

  it('a referrers request with a malformed digest is 400', async () => {
    assertError(await c.get(`/v2/${repo}/referrers/sha256:not-a-digest`), 400);
  });
});
