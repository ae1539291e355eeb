// What an operator relies on: health, readiness, metrics, upload expiry, the upload limit, IPv6 loopback and a
// graceful shutdown that leaves a cut upload resumable.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EMBEDDED_ONLY, type RunningBerth, slowPatch, startBerth, until, uploadsInFlight } from './harness.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function startUpload(url: string, repo: string): Promise<string> {
  const r = await fetch(`${url}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  assert.equal(r.status, 202);
  return r.headers.get('location')!;
}

describe('operations', () => {
  let berth: RunningBerth;
  before(async () => {
    berth = await startBerth({ env: { BERTH_UPLOADS_IDLE_TIMEOUT: '1s', BERTH_UPLOADS_MAX_CONCURRENT: '1', BERTH_UPLOADS_MAX_QUEUED: '0' } });
  });
  after(async () => berth.dispose());

  it('answers /healthz, /readyz and /metrics', async () => {
    assert.equal((await fetch(`${berth.url}/healthz`)).status, 200);
    const ready = await fetch(`${berth.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    await fetch(`${berth.url}/v2/`);
    const metrics = await (await fetch(`${berth.url}/metrics`)).text();
    assert.match(metrics, /berth_http_requests_total\{dialect="oci",method="GET",status="200"\} \d+/);
    assert.match(metrics, /berth_http_request_duration_seconds_bucket/);
    assert.match(metrics, /berth_uploads_in_flight 0/);
    assert.match(metrics, /berth_uploads_queued 0/);
    assert.match(metrics, /berth_process_resident_memory_bytes/);
  });

  it('expires idle upload sessions with their bytes', { skip: EMBEDDED_ONLY }, async () => {
    const location = await startUpload(berth.url, 'ops/expire');
    const id = location.split('/').pop()!;
    assert.ok((await readdir(join(berth.dataDir, 'uploads'))).includes(id));
    // Idle for 1 s, swept every 250 ms: gone within ~1.25 s. A status GET is no activity, so polling does not keep it alive.
    let status = await fetch(new URL(location, berth.url));
    assert.equal(status.status, 204, 'the session exists before it has been idle for uploads.idleTimeout');
    await until('the idle session to expire', async () => (status = await fetch(new URL(location, berth.url))).status !== 204);
    assert.equal(status.status, 404);
    assert.equal(((await status.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'BLOB_UPLOAD_UNKNOWN');
    await until('the bytes to go with the session', async () => !(await readdir(join(berth.dataDir, 'uploads'))).includes(id), { timeoutMs: 2_000 });
  });

  it('with no queue (uploads.maxQueued 0), answers 429 TOOMANYREQUESTS beyond uploads.maxConcurrent, and accepts again once a slot frees', async () => {
    const a = await startUpload(berth.url, 'ops/limit');
    const b = await startUpload(berth.url, 'ops/limit');
    const slow = slowPatch(berth.url, a, randomBytes(1024), randomBytes(1024));
    await until('the slow PATCH to hold the only upload slot', async () => (await uploadsInFlight(berth.url)) === 1);
    const second = await fetch(new URL(b, berth.url), { method: 'PATCH', body: randomBytes(10), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(second.status, 429);
    assert.equal(((await second.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'TOOMANYREQUESTS');
    slow.finish();
    assert.equal(await slow.done, 202);
    const retry = await fetch(new URL(b, berth.url), { method: 'PATCH', body: randomBytes(10), headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(retry.status, 202);
  });
});

describe('a client that hangs up mid-chunk', () => {
  it('leaves the session at its last durable offset, and the upload can go on', async () => {
    const berth = await startBerth();
    try {
      const location = await startUpload(berth.url, 'ops/abort');
      const first = randomBytes(1000);
      const ok = await fetch(new URL(location, berth.url), { method: 'PATCH', body: first, headers: { 'content-type': 'application/octet-stream' } });
      assert.equal(ok.status, 202);
      const { port } = new URL(berth.url);
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(
            `PATCH ${new URL(ok.headers.get('location')!, berth.url).pathname} HTTP/1.1\r\nHost: x\r\n` +
              'Content-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n',
          );
          // Hang up only once berth is streaming this chunk, so the cut really is mid-chunk.
          socket.write(randomBytes(5000), () => {
            until('berth to stream the chunk', async () => (await uploadsInFlight(berth.url)) === 1).then(
              () => socket.destroy(),
              (err: unknown) => {
                socket.destroy();
                reject(err);
              },
            );
          });
        });
        socket.on('close', () => resolve());
      });
      // The handler has seen the hang-up and settled the session before its status is read.
      await until('berth to finish with the cut chunk', async () => (await uploadsInFlight(berth.url)) === 0);
      const status = await fetch(new URL(location, berth.url));
      assert.equal(status.headers.get('range'), '0-999', 'the cut chunk did not count');
      const rest = randomBytes(500);
      const put = await fetch(new URL(`${location}?digest=${sha(Buffer.concat([first, rest]))}`, berth.url), {
        method: 'PUT',
        body: rest,
        headers: { 'content-type': 'application/octet-stream' },
      });
      assert.equal(put.status, 201);
      assert.doesNotMatch(berth.output(), /"level":50/, 'no error-level log for a client hang-up');
    } finally {
      await berth.dispose();
    }
  });
});

describe('IPv6 loopback and graceful shutdown', () => {
  it('listens on [::1]', async (t) => {
    let berth: RunningBerth;
    try {
      berth = await startBerth({ listen: '[::1]:0' });
    } catch (e) {
      if (/EADDRNOTAVAIL|EAFNOSUPPORT/.test(String(e))) return t.skip('no IPv6 loopback on this machine');
      throw e;
    }
    try {
      assert.match(berth.url, /^http:\/\/\[::1\]:\d+$/);
      assert.equal((await fetch(`${berth.url}/v2/`)).status, 200);
    } finally {
      await berth.dispose();
    }
  });

  it('on SIGTERM finishes an in-flight upload chunk, exits 0, and the session resumes after restart', async () => {
    const berth = await startBerth({ env: { BERTH_LOG_LEVEL: 'info' } }); // info: the 'shutting down' line tells when SIGTERM has landed
    const part1 = randomBytes(64 * 1024);
    const part2 = randomBytes(64 * 1024);
    const location = await startUpload(berth.url, 'ops/shutdown');
    const slow = slowPatch(berth.url, location, part1.subarray(0, 1000), part1.subarray(1000));
    await until('the chunk to be in flight', async () => (await uploadsInFlight(berth.url)) === 1);
    const exited = berth.stop('SIGTERM');
    await until('berth to start shutting down', () => berth.output().includes('"msg":"shutting down"'));
    slow.finish();
    assert.equal(await slow.done, 202, 'the in-flight chunk completes during the grace period');
    assert.equal(await exited, 0);
    const again = await startBerth({ dataDir: berth.dataDir });
    try {
      const status = await fetch(new URL(location, again.url));
      assert.equal(status.status, 204);
      assert.equal(status.headers.get('range'), `0-${part1.length - 1}`);
      const all = Buffer.concat([part1, part2]);
      const put = await fetch(new URL(`${location}?digest=${sha(all)}`, again.url), {
        method: 'PUT',
        body: part2,
        headers: { 'content-type': 'application/octet-stream' },
      });
      assert.equal(put.status, 201);
    } finally {
      await again.dispose();
    }
  });
});
