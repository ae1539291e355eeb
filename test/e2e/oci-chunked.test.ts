// OCI Distribution: chunked and streamed blob uploads, range bookkeeping, cancel, and resuming across restarts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type RunningBerth, startBerth } from './harness.ts';
import { assertError, assertStatus, Client, NEEDS_BERTH, type Res, random, rangeEnd, repoName, sha256, sha512, useTarget, withQuery } from './oci-helpers.ts';

const octet = 'application/octet-stream';

async function startSession(c: Client, repo: string): Promise<string> {
  const post = await c.req('POST', `/v2/${repo}/blobs/uploads/`);
  assertStatus(post, 202);
  const location = post.header('location');
  assert.ok(location, `${post.describe()}: no Location`);
  return location;
}

function patch(c: Client, location: string, data: Buffer, range?: string): Promise<Res> {
  const headers: Record<string, string> = { 'content-type': octet };
  if (range !== undefined) headers['content-range'] = range;
  return c.req('PATCH', location, { body: data, headers });
}

/** PATCHes `data` as the chunk starting at `start` and asserts the 202 and the new Range. */
async function goodPatch(c: Client, location: string, data: Buffer, start: number): Promise<string> {
  const res = await patch(c, location, data, `${start}-${start + data.length - 1}`);
  assertStatus(res, 202);
  assert.equal(rangeEnd(res), start + data.length - 1, `${res.describe()}: Range after the chunk`);
  return res.header('location') ?? location;
}

describe('OCI chunked uploads', () => {
  let c: Client;

  useTarget((t) => (c = t.client));

  it('POST answers 202 with Location, Range 0-0 and Docker-Upload-UUID', async () => {
    const res = await c.req('POST', `/v2/${repoName('chunked')}/blobs/uploads/`);
    assertStatus(res, 202);
    assert.ok(res.header('location'), 'Location is required');
    assert.equal(rangeEnd(res), 0);
    assert.ok(res.header('docker-upload-uuid'), 'Docker-Upload-UUID expected');
  });

  it('PATCH with Content-Range 0-N and application/octet-stream is 202 with Range 0-N and Location', async () => {
    const location = await startSession(c, repoName('chunked'));
    const res = await patch(c, location, random(100), '0-99');
    assertStatus(res, 202);
    assert.equal(rangeEnd(res), 99);
    assert.ok(res.header('location'), 'each chunk answer carries the Location to use next');
  });

  it('GET of the upload URL is 204 with Range 0-N and Location', async () => {
    const location = await startSession(c, repoName('chunked'));
    const next = await goodPatch(c, location, random(100), 0);
    const res = await c.get(next);
    assertStatus(res, 204);
    assert.equal(rangeEnd(res), 99);
    assert.ok(res.header('location'));
    assert.equal(res.body.length, 0);
  });

  for (const [what, range, size] of [
    ['a chunk that leaves a gap', '101-110', 10],
    ['a chunk that overlaps what was received', '95-104', 10],
    ['a chunk restarting at 0', '0-9', 10],
    ['an inverted range (end < start)', '100-97', 3],
  ] as const) {
    it(`${what} (Content-Range ${range}) is 416 RANGE_INVALID and the session survives`, async () => {
      const data = random(100);
      const rest = random(50);
      const location = await startSession(c, repoName('chunked'));
      const next = await goodPatch(c, location, data, 0);
      const bad = await patch(c, next, random(size), range);
      assertError(bad, 416, 'RANGE_INVALID');
      const status = await c.get(next);
      assertStatus(status, 204);
      assert.equal(rangeEnd(status), 99, 'the rejected chunk must not change the offset');
      const after416 = await goodPatch(c, status.header('location') ?? next, rest, 100);
      const whole = Buffer.concat([data, rest]);
      const put = await c.req('PUT', withQuery(after416, 'digest', sha256(whole)));
      assertStatus(put, 201);
      const pulled = await c.get(put.header('location')!);
      assert.ok(pulled.body.equals(whole), 'the blob is exactly the accepted chunks');
    });
  }

  it('a PATCH whose Content-Range disagrees with Content-Length is 400 SIZE_INVALID', async () => {
    const location = await startSession(c, repoName('chunked'));
    const res = await patch(c, location, random(50), '0-99');
    assertError(res, 400, 'SIZE_INVALID');
  });

  it('PATCH without Content-Range (streamed, chunked transfer encoding) appends', async () => {
    const a = random(3000);
    const b = random(1500);
    const location = await startSession(c, repoName('chunked'));
    const r1 = await c.req('PATCH', location, { stream: [a.subarray(0, 1000), a.subarray(1000)], headers: { 'content-type': octet } });
    assertStatus(r1, 202);
    assert.equal(rangeEnd(r1), 2999);
    const r2 = await c.req('PATCH', r1.header('location') ?? location, { stream: [b], headers: { 'content-type': octet } });
    assertStatus(r2, 202);
    assert.equal(rangeEnd(r2), 4499);
    const whole = Buffer.concat([a, b]);
    const put = await c.req('PUT', withQuery(r2.header('location') ?? location, 'digest', sha256(whole)));
    assertStatus(put, 201);
    assert.equal(put.header('docker-content-digest'), sha256(whole));
    assert.ok((await c.get(put.header('location')!)).body.equals(whole));
  });

  it('the closing PUT may carry the last chunk with its Content-Range: 201 and the whole blob is stored', async () => {
    const repo = repoName('chunked');
    const parts = [random(1024), random(1024), random(333)];
    const whole = Buffer.concat(parts);
    let location = await startSession(c, repo);
    location = await goodPatch(c, location, parts[0]!, 0);
    location = await goodPatch(c, location, parts[1]!, 1024);
    const put = await c.req('PUT', withQuery(location, 'digest', sha256(whole)), {
      body: parts[2]!,
      headers: { 'content-type': octet, 'content-range': `2048-${2048 + 333 - 1}` },
    });
    assertStatus(put, 201);
    assert.ok(put.header('location'), '201 carries the blob Location');
    assert.equal(put.header('docker-content-digest'), sha256(whole));
    const get = await c.get(`/v2/${repo}/blobs/${sha256(whole)}`);
    assertStatus(get, 200);
    assert.ok(get.body.equals(whole));
  });

  it('a zero-length closing PUT after all chunks were PATCHed is 201', async () => {
    const repo = repoName('chunked');
    const data = random(2000);
    let location = await startSession(c, repo);
    location = await goodPatch(c, location, data.subarray(0, 1000), 0);
    location = await goodPatch(c, location, data.subarray(1000), 1000);
    const put = await c.req('PUT', withQuery(location, 'digest', sha256(data)));
    assertStatus(put, 201);
    assertStatus(await c.head(`/v2/${repo}/blobs/${sha256(data)}`), 200);
  });

  it('a closing PUT whose last chunk starts at the wrong offset is 416', async () => {
    const data = random(200);
    const location = await goodPatch(c, await startSession(c, repoName('chunked')), data.subarray(0, 100), 0);
    const put = await c.req('PUT', withQuery(location, 'digest', sha256(data)), {
      body: data.subarray(100),
      headers: { 'content-type': octet, 'content-range': '150-249' },
    });
    assertError(put, 416, 'RANGE_INVALID');
  });

  it('a closing PUT with the wrong digest is 400 DIGEST_INVALID and nothing is stored', async () => {
    const repo = repoName('chunked');
    const data = random(500);
    const wrong = sha256(random(500));
    const location = await goodPatch(c, await startSession(c, repo), data, 0);
    const put = await c.req('PUT', withQuery(location, 'digest', wrong));
    assertError(put, 400, 'DIGEST_INVALID');
    assertError(await c.head(`/v2/${repo}/blobs/${wrong}`), 404);
    assertError(await c.head(`/v2/${repo}/blobs/${sha256(data)}`), 404);
  });

  it('a closing PUT without ?digest= is 400 DIGEST_INVALID', async () => {
    const location = await goodPatch(c, await startSession(c, repoName('chunked')), random(10), 0);
    assertError(await c.req('PUT', location), 400, 'DIGEST_INVALID');
  });

  it('POST ?digest-algorithm=sha512 starts a session that a chunked upload closes with a sha512 digest', async () => {
    const repo = repoName('chunked');
    const data = random(3000);
    const post = await c.req('POST', `/v2/${repo}/blobs/uploads/?digest-algorithm=sha512`);
    assert.ok(post.status === 202, post.describe());
    let location = post.header('location')!;
    location = await goodPatch(c, location, data.subarray(0, 2000), 0);
    const digest = sha512(data);
    const put = await c.req('PUT', withQuery(location, 'digest', digest), {
      body: data.subarray(2000),
      headers: { 'content-type': octet, 'content-range': '2000-2999' },
    });
    assertStatus(put, 201);
    assert.equal(put.header('docker-content-digest'), digest);
    const get = await c.get(`/v2/${repo}/blobs/${digest}`);
    assertStatus(get, 200);
    assert.ok(get.body.equals(data));
  });

  it('DELETE of the upload URL is 204, then GET and PATCH of it are 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const location = await goodPatch(c, await startSession(c, repoName('chunked')), random(10), 0);
    const del = await c.req('DELETE', location);
    assertStatus(del, 204);
    assertError(await c.get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
    assertError(await patch(c, location, random(10), '10-19'), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a finished upload is closed: GET of its URL is 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const data = random(10);
    const location = await startSession(c, repoName('chunked'));
    assertStatus(await c.req('PUT', withQuery(location, 'digest', sha256(data)), { body: data, headers: { 'content-type': octet } }), 201);
    assertError(await c.get(location), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('an unknown upload id is 404 BLOB_UPLOAD_UNKNOWN', async () => {
    const repo = repoName('chunked');
    await startSession(c, repo);
    assertError(await c.get(`/v2/${repo}/blobs/uploads/00000000-0000-4000-8000-000000000000`), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('an upload session cannot be continued through another repository', async () => {
    const repo = repoName('chunked');
    const other = repoName('chunked');
    await startSession(c, other);
    const location = await goodPatch(c, await startSession(c, repo), random(10), 0);
    const path = location.replace(/^https?:\/\/[^/]+/, '');
    assert.ok(path.startsWith(`/v2/${repo}/blobs/uploads/`), `unexpected upload location ${location}`);
    const foreign = path.replace(`/v2/${repo}/`, `/v2/${other}/`);
    assertError(await c.get(foreign), 404, 'BLOB_UPLOAD_UNKNOWN');
  });
});

describe('OCI chunked uploads across berth restarts', { skip: NEEDS_BERTH }, () => {
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    it(`an upload resumes on a new berth process after ${signal}: status, rest of the chunks, PUT 201 with the right digest`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'berth-oci-restart-'));
      const running: RunningBerth[] = [];
      try {
        const first = await startBerth({ dataDir });
        running.push(first);
        const c1 = new Client(first.url);
        const repo = repoName('restart');
        const parts = [random(4096), random(4096), random(1000)];
        const whole = Buffer.concat(parts);
        const location = await goodPatch(c1, await startSession(c1, repo), parts[0]!, 0);
        const path = location.replace(/^https?:\/\/[^/]+/, '');

        await first.stop(signal);
        const second = await startBerth({ dataDir });
        running.push(second);
        const c2 = new Client(second.url);

        const status = await c2.get(path);
        assertStatus(status, 204);
        assert.equal(rangeEnd(status), 4095, 'the acknowledged chunk survived the restart');
        let next = status.header('location') ?? path;
        next = await goodPatch(c2, next, parts[1]!, 4096);
        const put = await c2.req('PUT', withQuery(next, 'digest', sha256(whole)), {
          body: parts[2]!,
          headers: { 'content-type': octet, 'content-range': `8192-${8192 + 1000 - 1}` },
        });
        assertStatus(put, 201);
        assert.equal(put.header('docker-content-digest'), sha256(whole));
        const get = await c2.get(`/v2/${repo}/blobs/${sha256(whole)}`);
        assertStatus(get, 200);
        assert.equal(sha256(get.body), sha256(whole));
      } finally {
        for (const b of running) await b.stop('SIGKILL');
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  }
});
