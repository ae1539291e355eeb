// OCI Distribution: monolithic blob push, pull with ranges, delete, cross-repository mount, empty and sha512 blobs.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { assertError, assertStatus, type Client, pushBlob, pushImage, random, repoName, sha256, sha512, useTarget, withQuery } from './oci-helpers.ts';

describe('OCI blobs', () => {
  let c: Client;

  useTarget((t) => (c = t.client));

  const octet = { 'content-type': 'application/octet-stream' };

  it('POST then PUT ?digest= pushes a blob: 202 with Location, then 201 with Location and Docker-Content-Digest', async () => {
    const repo = repoName('blobs');
    const data = random(1000);
    const digest = sha256(data);
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const location = post.header('location');
    assert.ok(location, 'POST must answer a Location');
    const put = await c.req('PUT', withQuery(location, 'digest', digest), { body: data, headers: octet });
    assertStatus(put, 201);
    assert.equal(put.header('docker-content-digest'), digest);
    const blobLocation = put.header('location');
    assert.ok(blobLocation, 'PUT must answer the blob Location');
    const pulled = await c.get(blobLocation);
    assertStatus(pulled, 200);
    assert.ok(pulled.body.equals(data), 'the Location must serve the pushed bytes');
  });

  it('the digest parameter may be sent unencoded (sha256:<hex>) as the spec examples show', async () => {
    const repo = repoName('blobs');
    const data = random(64);
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const location = post.header('location')!;
    const put = await c.req('PUT', `${location}${location.includes('?') ? '&' : '?'}digest=${sha256(data)}`, { body: data, headers: octet });
    assertStatus(put, 201);
    assert.equal(put.header('docker-content-digest'), sha256(data));
  });

  it('a single POST ?digest= with the body pushes the blob: 201 with Location', async () => {
    const repo = repoName('blobs');
    const data = random(700);
    const digest = sha256(data);
    const res = await c.req('POST', withQuery(`/v2/${repo}/blobs/uploads/`, 'digest', digest), { body: data, headers: octet });
    assertStatus(res, 201);
    assert.ok(res.header('location'), 'a 201 must carry the blob Location');
    assert.equal(res.header('docker-content-digest'), digest);
    const pulled = await c.get(`/v2/${repo}/blobs/${digest}`);
    assertStatus(pulled, 200);
    assert.ok(pulled.body.equals(data));
  });

  it('PUT with a digest that does not match the bytes is 400 DIGEST_INVALID and nothing is stored', async () => {
    const repo = repoName('blobs');
    const data = random(300);
    const claimed = sha256(random(300));
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const put = await c.req('PUT', withQuery(post.header('location')!, 'digest', claimed), { body: data, headers: octet });
    assertError(put, 400, 'DIGEST_INVALID');
    assertError(await c.head(`/v2/${repo}/blobs/${claimed}`), 404);
    assertError(await c.head(`/v2/${repo}/blobs/${sha256(data)}`), 404);
  });

  it('a single POST with a wrong digest is 400 DIGEST_INVALID and nothing is stored', async () => {
    const repo = repoName('blobs');
    const data = random(300);
    const claimed = sha256(random(300));
    const res = await c.req('POST', withQuery(`/v2/${repo}/blobs/uploads/`, 'digest', claimed), { body: data, headers: octet });
    assertError(res, 400, 'DIGEST_INVALID');
    assertError(await c.head(`/v2/${repo}/blobs/${claimed}`), 404);
    assertError(await c.head(`/v2/${repo}/blobs/${sha256(data)}`), 404);
  });

  it('HEAD of a blob is 200 with Content-Length, Docker-Content-Digest and no body', async () => {
    const repo = repoName('blobs');
    const data = random(1234);
    const d = await pushBlob(c, repo, data);
    const res = await c.head(`/v2/${repo}/blobs/${d.digest}`);
    assertStatus(res, 200);
    assert.equal(res.header('content-length'), '1234');
    assert.equal(res.header('docker-content-digest'), d.digest);
    assert.equal(res.body.length, 0);
  });

  it('GET of a blob is 200 with the bytes, Content-Length, Docker-Content-Digest and an ETag', async () => {
    const repo = repoName('blobs');
    const data = random(2048);
    const d = await pushBlob(c, repo, data);
    const res = await c.get(`/v2/${repo}/blobs/${d.digest}`);
    assertStatus(res, 200);
    assert.ok(res.body.equals(data));
    assert.equal(res.header('content-length'), '2048');
    assert.equal(res.header('docker-content-digest'), d.digest);
    assert.ok(res.header('etag'), 'blobs should be cacheable: ETag expected');
  });

  it('GET of a blob advertises Accept-Ranges: bytes', async () => {
    const repo = repoName('blobs');
    const d = await pushBlob(c, repo, random(100));
    const res = await c.get(`/v2/${repo}/blobs/${d.digest}`);
    assertStatus(res, 200);
    assert.equal(res.header('accept-ranges'), 'bytes');
  });

  describe('ranges', () => {
    const data = random(1000);
    let url = '';

    before(async () => {
      const repo = repoName('blobs');
      const d = await pushBlob(c, repo, data);
      url = `/v2/${repo}/blobs/${d.digest}`;
    });

    it('Range: bytes=0-9 is 206 with the first ten bytes and Content-Range bytes 0-9/1000', async () => {
      const res = await c.get(url, { headers: { range: 'bytes=0-9' } });
      assertStatus(res, 206);
      assert.equal(res.header('content-range'), 'bytes 0-9/1000');
      assert.equal(res.header('content-length'), '10');
      assert.ok(res.body.equals(data.subarray(0, 10)));
    });

    it('Range: bytes=10- is 206 with the rest and Content-Range bytes 10-999/1000', async () => {
      const res = await c.get(url, { headers: { range: 'bytes=10-' } });
      assertStatus(res, 206);
      assert.equal(res.header('content-range'), 'bytes 10-999/1000');
      assert.ok(res.body.equals(data.subarray(10)));
    });

    it('the last byte (bytes=999-999 and the suffix form bytes=-1) is 206 with one byte', async () => {
      for (const range of ['bytes=999-999', 'bytes=-1']) {
        const res = await c.get(url, { headers: { range } });
        assertStatus(res, 206);
        assert.equal(res.header('content-range'), 'bytes 999-999/1000', range);
        assert.equal(res.body.length, 1);
        assert.equal(res.body[0], data[999]);
      }
    });

    it('an end past the size is clamped: bytes=990-5000 is 206 bytes 990-999/1000', async () => {
      const res = await c.get(url, { headers: { range: 'bytes=990-5000' } });
      assertStatus(res, 206);
      assert.equal(res.header('content-range'), 'bytes 990-999/1000');
      assert.ok(res.body.equals(data.subarray(990)));
    });

    it('an unsatisfiable range (bytes=1000-) is 416 with Content-Range bytes */1000', async () => {
      const res = await c.get(url, { headers: { range: 'bytes=1000-' } });
      assertStatus(res, 416);
      assert.equal(res.header('content-range'), 'bytes */1000');
    });
  });

  it('an unknown blob is 404 BLOB_UNKNOWN (GET) and 404 without a body (HEAD)', async () => {
    const repo = repoName('blobs');
    await pushBlob(c, repo, random(10));
    const missing = sha256(random(10));
    assertError(await c.get(`/v2/${repo}/blobs/${missing}`), 404, 'BLOB_UNKNOWN');
    assertError(await c.head(`/v2/${repo}/blobs/${missing}`), 404);
  });

  it('a blob pushed to one repository cannot be read through another', async () => {
    const a = repoName('blobs');
    const b = repoName('blobs');
    const d = await pushBlob(c, a, random(100));
    await pushBlob(c, b, random(100));
    assertError(await c.get(`/v2/${b}/blobs/${d.digest}`), 404, 'BLOB_UNKNOWN');
  });

  it('DELETE of an unreferenced blob is 202, then HEAD and GET are 404', async () => {
    const repo = repoName('blobs');
    const d = await pushBlob(c, repo, random(100));
    const del = await c.req('DELETE', `/v2/${repo}/blobs/${d.digest}`);
    assertStatus(del, 202);
    assertError(await c.head(`/v2/${repo}/blobs/${d.digest}`), 404);
    assertError(await c.get(`/v2/${repo}/blobs/${d.digest}`), 404, 'BLOB_UNKNOWN');
  });

  it('DELETE of a blob in one repository leaves another repository that holds it intact', async () => {
    const a = repoName('blobs');
    const b = repoName('blobs');
    const data = random(200);
    const d = await pushBlob(c, a, data);
    await pushBlob(c, b, data);
    assertStatus(await c.req('DELETE', `/v2/${a}/blobs/${d.digest}`), 202);
    assertError(await c.head(`/v2/${a}/blobs/${d.digest}`), 404);
    const kept = await c.get(`/v2/${b}/blobs/${d.digest}`);
    assertStatus(kept, 200);
    assert.ok(kept.body.equals(data));
  });

  it('a deleted blob can be pushed again', async () => {
    const repo = repoName('blobs');
    const data = random(64);
    const d = await pushBlob(c, repo, data);
    assertStatus(await c.req('DELETE', `/v2/${repo}/blobs/${d.digest}`), 202);
    await pushBlob(c, repo, data);
    const again = await c.get(`/v2/${repo}/blobs/${d.digest}`);
    assertStatus(again, 200);
    assert.ok(again.body.equals(data));
  });

  it('DELETE of an unknown blob is 404 BLOB_UNKNOWN', async () => {
    const repo = repoName('blobs');
    await pushBlob(c, repo, random(10));
    assertError(await c.req('DELETE', `/v2/${repo}/blobs/${sha256(random(10))}`), 404, 'BLOB_UNKNOWN');
  });

  it('DELETE of a blob a manifest in the repository uses is 405 UNSUPPORTED and the blob stays', async () => {
    const repo = repoName('blobs');
    const image = await pushImage(c, repo, 'v1');
    for (const blob of [image.layers[0]!, image.config]) {
      const del = await c.req('DELETE', `/v2/${repo}/blobs/${blob.digest}`);
      assertError(del, 405, 'UNSUPPORTED');
      assertStatus(await c.head(`/v2/${repo}/blobs/${blob.digest}`), 200);
    }
    assertStatus(await c.get(`/v2/${repo}/manifests/v1`), 200);
  });

  it('POST ?mount=<digest>&from=<repo> mounts a blob the source has: 201 with Location and Docker-Content-Digest', async () => {
    const from = repoName('blobs');
    const to = repoName('blobs');
    const data = random(400);
    const d = await pushBlob(c, from, data);
    const res = await c.req('POST', `/v2/${to}/blobs/uploads/?mount=${d.digest}&from=${from}`);
    assertStatus(res, 201);
    assert.ok(res.header('location'), 'a mount must answer the blob Location');
    assert.equal(res.header('docker-content-digest'), d.digest);
    const pulled = await c.get(`/v2/${to}/blobs/${d.digest}`);
    assertStatus(pulled, 200);
    assert.ok(pulled.body.equals(data));
  });

  it('a mount of an unknown blob falls back to a 202 upload session that works', async () => {
    const from = repoName('blobs');
    const to = repoName('blobs');
    await pushBlob(c, from, random(10));
    const data = random(50);
    const res = await c.req('POST', `/v2/${to}/blobs/uploads/?mount=${sha256(data)}&from=${from}`);
    assertStatus(res, 202);
    const location = res.header('location');
    assert.ok(location, 'the fallback must be an upload session with a Location');
    const put = await c.req('PUT', withQuery(location, 'digest', sha256(data)), { body: data, headers: octet });
    assertStatus(put, 201);
  });

  it('a mount from an unknown repository falls back to a 202 upload session', async () => {
    const known = repoName('blobs');
    const to = repoName('blobs');
    const d = await pushBlob(c, known, random(30));
    const res = await c.req('POST', `/v2/${to}/blobs/uploads/?mount=${d.digest}&from=${repoName('blobs', '-none')}`);
    assertStatus(res, 202);
    assert.ok(res.header('location'));
    assertError(await c.head(`/v2/${to}/blobs/${d.digest}`), 404);
  });

  it('a mount from a repository that does not hold the blob falls back to 202 (no reading blobs through other repos)', async () => {
    const holder = repoName('blobs');
    const other = repoName('blobs');
    const to = repoName('blobs');
    const d = await pushBlob(c, holder, random(30));
    await pushBlob(c, other, random(30));
    const res = await c.req('POST', `/v2/${to}/blobs/uploads/?mount=${d.digest}&from=${other}`);
    assertStatus(res, 202);
    assertError(await c.head(`/v2/${to}/blobs/${d.digest}`), 404);
  });

  it('the empty blob (size 0) can be pushed and pulled', async () => {
    const repo = repoName('blobs');
    const empty = Buffer.alloc(0);
    const digest = sha256(empty);
    assert.equal(digest, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const put = await c.req('PUT', withQuery(post.header('location')!, 'digest', digest), { body: empty, headers: octet });
    assertStatus(put, 201);
    assert.equal(put.header('docker-content-digest'), digest);
    const head = await c.head(`/v2/${repo}/blobs/${digest}`);
    assertStatus(head, 200);
    assert.equal(head.header('content-length'), '0');
    const get = await c.get(`/v2/${repo}/blobs/${digest}`);
    assertStatus(get, 200);
    assert.equal(get.body.length, 0);
  });

  it('a sha512 digest push (?digest=sha512:...) works and the blob is served under that digest', async () => {
    const repo = repoName('blobs');
    const data = random(500);
    const digest = sha512(data);
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const put = await c.req('PUT', withQuery(post.header('location')!, 'digest', digest), { body: data, headers: octet });
    assertStatus(put, 201);
    assert.equal(put.header('docker-content-digest'), digest);
    const get = await c.get(`/v2/${repo}/blobs/${digest}`);
    assertStatus(get, 200);
    assert.ok(get.body.equals(data));
    assert.equal(get.header('docker-content-digest'), digest);
  });

  it('a sha512 push with the wrong digest is 400 DIGEST_INVALID', async () => {
    const repo = repoName('blobs');
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertStatus(post, 202);
    const put = await c.req('PUT', withQuery(post.header('location')!, 'digest', sha512(random(20))), { body: random(20), headers: octet });
    assertError(put, 400, 'DIGEST_INVALID');
  });
});
