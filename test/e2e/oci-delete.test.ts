// OCI Distribution content management: deleting tags and manifests, and what must (and must not) go with them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACCEPT_MANIFESTS, assertError, assertStatus, type Client, MT, pushImage, putManifest, random, repoName, sha256, useTarget } from './oci-helpers.ts';

describe('OCI deletes', () => {
  let c: Client;

  useTarget((t) => (c = t.client));

  const accept = { accept: ACCEPT_MANIFESTS };
  const manifest = (repo: string, ref: string) => c.get(`/v2/${repo}/manifests/${ref}`, { headers: accept });
  const tagsOf = async (repo: string): Promise<string[]> => {
    const res = await c.get(`/v2/${repo}/tags/list`);
    assertStatus(res, 200);
    return res.json<{ tags: string[] | null }>().tags ?? [];
  };

  async function tagged(repo: string, ...tags: string[]) {
    const image = await pushImage(c, repo, tags[0]);
    for (const t of tags.slice(1)) assertStatus((await putManifest(c, repo, t, image.bytes, MT.ociManifest)).res, 201);
    return image;
  }

  it('DELETE by tag is 202 and only that tag goes: other tags and the digest still resolve', async () => {
    const repo = repoName('delete');
    const image = await tagged(repo, 'a', 'b', 'c');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/a`), 202);
    assertError(await manifest(repo, 'a'), 404, 'MANIFEST_UNKNOWN');
    for (const ref of ['b', 'c', image.digest]) {
      const res = await manifest(repo, ref);
      assertStatus(res, 200);
      assert.equal(res.header('docker-content-digest'), image.digest);
    }
    assert.deepEqual(await tagsOf(repo), ['b', 'c']);
  });

  it('DELETE by digest is 202; GET by digest and by every tag is 404 right away', async () => {
    const repo = repoName('delete');
    const keep = await tagged(repo, 'keep');
    const image = await tagged(repo, 'x', 'y', 'z');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    for (const ref of [image.digest, 'x', 'y', 'z']) assertError(await manifest(repo, ref), 404, 'MANIFEST_UNKNOWN');
    assert.deepEqual(await tagsOf(repo), ['keep']);
    assertStatus(await manifest(repo, keep.digest), 200);
  });

  it('HEAD right after a delete is 404 (by digest and by tag)', async () => {
    const repo = repoName('delete');
    const image = await tagged(repo, 't1', 't2');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/t1`), 202);
    assertError(await c.head(`/v2/${repo}/manifests/t1`, { headers: accept }), 404);
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    assertError(await c.head(`/v2/${repo}/manifests/${image.digest}`, { headers: accept }), 404);
    assertError(await c.head(`/v2/${repo}/manifests/t2`, { headers: accept }), 404);
  });

  it('DELETE of an unknown digest or tag in an existing repository is 404 MANIFEST_UNKNOWN', async () => {
    const repo = repoName('delete');
    await tagged(repo, 'v1');
    assertError(await c.req('DELETE', `/v2/${repo}/manifests/${sha256(random(10))}`), 404, 'MANIFEST_UNKNOWN');
    assertError(await c.req('DELETE', `/v2/${repo}/manifests/nope`), 404, 'MANIFEST_UNKNOWN');
  });

  it('DELETE of a digest already deleted is 404 MANIFEST_UNKNOWN', async () => {
    const repo = repoName('delete');
    await tagged(repo, 'keep');
    const image = await tagged(repo, 'v1');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    assertError(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 404, 'MANIFEST_UNKNOWN');
  });

  it('DELETE in an unknown repository is 404 NAME_UNKNOWN', async () => {
    const repo = repoName('delete', '-none');
    assertError(await c.req('DELETE', `/v2/${repo}/manifests/${sha256(random(10))}`), 404, 'NAME_UNKNOWN');
  });

  it('deleting one image leaves another that shares its layers intact', async () => {
    const repo = repoName('delete');
    const a = await pushImage(c, repo, 'a');
    const b = await pushImage(c, repo, 'b', { useLayers: a.layers });
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${a.digest}`), 202);
    assertStatus(await manifest(repo, 'b'), 200);
    for (const layer of b.layers) {
      const blob = await c.get(`/v2/${repo}/blobs/${layer.digest}`);
      assertStatus(blob, 200);
      assert.equal(sha256(blob.body), layer.digest);
    }
  });

  it('a deleted manifest can be pushed again and resolves again', async () => {
    const repo = repoName('delete');
    const image = await tagged(repo, 'v1');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    const again = await putManifest(c, repo, 'v1', image.bytes, MT.ociManifest);
    assertStatus(again.res, 201);
    assert.equal(again.res.header('docker-content-digest'), image.digest);
    assertStatus(await manifest(repo, 'v1'), 200);
  });

  it('once no manifest uses a blob any more, DELETE of that blob is 202', async () => {
    const repo = repoName('delete');
    const image = await tagged(repo, 'v1');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    const layer = image.layers[0]!.digest;
    assertStatus(await c.req('DELETE', `/v2/${repo}/blobs/${layer}`), 202);
    assertError(await c.get(`/v2/${repo}/blobs/${layer}`), 404, 'BLOB_UNKNOWN');
  });

  it('referrers of a deleted subject are removed with it', async () => {
    const repo = repoName('delete');
    const subject = await tagged(repo, 'app');
    const sbom = await pushImage(c, repo, undefined, {
      emptyConfig: true,
      artifactType: 'application/vnd.example.sbom.v1',
      subject: subject.descriptor,
    });
    const before = await c.get(`/v2/${repo}/referrers/${subject.digest}`);
    assertStatus(before, 200);
    assert.deepEqual(
      before.json<{ manifests: Array<{ digest: string }> }>().manifests.map((m) => m.digest),
      [sbom.digest],
    );

    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${subject.digest}`), 202);
    assertError(await manifest(repo, sbom.digest), 404, 'MANIFEST_UNKNOWN');
    const afterDelete = await c.get(`/v2/${repo}/referrers/${subject.digest}`);
    assertStatus(afterDelete, 200);
    assert.deepEqual(afterDelete.json<{ manifests: unknown[] }>().manifests, []);
  });
});
