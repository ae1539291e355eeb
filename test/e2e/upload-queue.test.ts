// Uploads beyond uploads.maxConcurrent wait in a bounded queue instead of failing: a CI farm pushing at once succeeds.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { type RunningBerth, slowPatch, startBerth, until, uploadsInFlight, uploadsQueued } from './harness.ts';
import { createKey, type Key, keyBasic, startKeyedBerth } from './key-helpers.ts';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Sends `pieces` with a pause between them, as a client on a slow link does, so each upload holds its slot a while. */
function send(base: string, method: string, target: string, pieces: Buffer[], headers: Record<string, string>, pauseMs = 20) {
  return new Promise<{ status: number; location: string; retryAfter: string | undefined; text: string }>((resolve, reject) => {
    const length = pieces.reduce((n, p) => n + p.length, 0);
    const req = request(new URL(target, base), { method, headers: { 'content-length': String(length), ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), retryAfter: res.headers['retry-after'], text }));
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${target}: no answer within 60 s`)));
    req.on('error', reject);
    void (async () => {
      for (const [i, piece] of pieces.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
        req.write(piece);
      }
      req.end();
    })();
  });
}

/** One image push, monolithic (POST + PUT with the body) or chunked (POST, two PATCHes, PUT): every step must succeed. */
async function pushImage(base: string, repo: string, tag: string, chunked: boolean, auth: Record<string, string>): Promise<string[]> {
  const failures: string[] = [];
  const layer = randomBytes(64 * 1024);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', seed: tag }));
  const octets = { 'content-type': 'application/octet-stream', ...auth };
  for (const blob of [config, layer]) {
    const started = await send(base, 'POST', `/v2/${repo}/blobs/uploads/`, [], auth);
    if (started.status !== 202) failures.push(`POST ${started.status} ${started.text}`);
    let location = started.location;
    if (chunked) {
      const half = blob.length >> 1;
      for (const [start, part] of [
        [0, blob.subarray(0, half)],
        [half, blob.subarray(half)],
      ] as const) {
        const r = await send(base, 'PATCH', location, [part.subarray(0, 8), part.subarray(8)], {
          ...octets,
          'content-range': `${start}-${start + part.length - 1}`,
        });
        if (r.status !== 202) failures.push(`PATCH ${r.status} ${r.text}`);
        location = r.location || location;
      }
    }
    const sep = location.includes('?') ? '&' : '?';
    const body = chunked ? [] : [blob.subarray(0, 8), blob.subarray(8)];
    const done = await send(base, 'PUT', `${location}${sep}digest=${sha(blob)}`, body, octets);
    if (done.status !== 201) failures.push(`PUT ${done.status} ${done.text}`);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
    }),
  );
  const put = await send(base, 'PUT', `/v2/${repo}/manifests/${tag}`, [manifest], { 'content-type': 'application/vnd.oci.image.manifest.v1+json', ...auth });
  if (put.status !== 201) failures.push(`manifest ${put.status} ${put.text}`);
  return failures;
}

async function farm(base: string, jobs: number, auth: Record<string, string>): Promise<string[]> {
  const results = await Promise.all(Array.from({ length: jobs }, (_, i) => pushImage(base, `farm/app${i % 4}`, `job-${i}`, i % 2 === 1, auth)));
  return results.flat();
}

describe('upload queue: 40 pushes at once with 4 upload slots', () => {
  let berth: RunningBerth;
  before(async () => {
    berth = await startBerth({ env: { BERTH_UPLOADS_MAX_CONCURRENT: '4' } });
  });
  after(async () => berth?.dispose());

  it('every monolithic and chunked push of the anonymous principal succeeds', async () => {
    assert.deepEqual(await farm(berth.url, 40, {}), []);
    assert.equal(await uploadsInFlight(berth.url), 0);
    assert.equal(await uploadsQueued(berth.url), 0);
  });
});

describe('upload queue with access keys', () => {
  let k: Awaited<ReturnType<typeof startKeyedBerth>>;
  let ci: Key;
  before(async () => {
    k = await startKeyedBerth('queue-admin', {
      env: { BERTH_UPLOADS_MAX_CONCURRENT: '4', BERTH_UPLOADS_MAX_QUEUED: '40', BERTH_UPLOADS_QUEUE_TIMEOUT: '3s' },
    });
    ci = await createKey(k.berth, '--name', 'queue-ci', '--grant', 'farm/*:pull,push');
  });
  after(async () => k?.dispose());

  it("one CI key's pushes beyond its share (1 of 4 slots) wait instead of failing", async () => {
    // 10 jobs, each with one upload at a time: 1 streams (the key's share), 9 wait in the queue of 40.
    assert.deepEqual(await farm(k.berth.url, 10, { authorization: keyBasic(ci) }), []);
  });

  it('a queued upload whose client disconnects leaves the queue; one waiting past queueTimeout gets 503 with Retry-After', async () => {
    const url = k.berth.url;
    const auth = { authorization: keyBasic(k.admin) };
    const open = async (): Promise<string> => (await send(url, 'POST', '/v2/farm/held/blobs/uploads/', [], auth)).location;
    // The admin is a key too: share 1, so one stalled PATCH makes its next upload wait.
    const held = slowPatch(url, await open(), randomBytes(16), randomBytes(16), auth);
    await until('the stalled PATCH to hold its slot', async () => (await uploadsInFlight(url)) === 1);
    const waiting = request(new URL(await open(), url), { method: 'PATCH', headers: { ...auth, 'content-length': '4' } });
    waiting.on('error', () => undefined);
    waiting.write('ab');
    await until('the second PATCH to queue', async () => (await uploadsQueued(url)) === 1);
    waiting.destroy();
    await until('the disconnected PATCH to leave the queue', async () => (await uploadsQueued(url)) === 0);

    const late = await send(url, 'PATCH', await open(), [Buffer.from('abcd')], { ...auth, 'content-type': 'application/octet-stream' });
    assert.equal(late.status, 503, late.text);
    assert.equal(late.retryAfter, '1');
    assert.equal((JSON.parse(late.text) as { errors: Array<{ code: string }> }).errors[0]?.code, 'UNAVAILABLE');
    held.finish();
    assert.equal(await held.done, 202);
    assert.equal(await uploadsInFlight(url), 0);
    assert.equal(await uploadsQueued(url), 0);
  });
});
