// Uploads beyond uploads.maxConcurrent wait in a bounded queue instead of failing: a CI farm pushing at once succeeds.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type RunningBerth, slowPatch, startBerth, until, uploadsInFlight, uploadsQueued } from './harness.ts';
import { createKey, type Key, keyBasic, startKeyedBerth } from './key-helpers.ts';
import { hold } from './slow-clients.ts';

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

describe('the upload queue and the body watchdog (1 s timeouts, 1 slot)', () => {
  let b: RunningBerth;
  before(async () => {
    b = await startBerth({
      env: {
        BERTH_UPLOADS_MAX_CONCURRENT: '1',
        BERTH_UPLOADS_MAX_QUEUED: '8',
        BERTH_UPLOADS_QUEUE_TIMEOUT: '10s',
        BERTH_REQUESTS_BODY_IDLE_TIMEOUT: '1s',
        BERTH_REQUESTS_BODY_RATE_WINDOW: '1s',
        BERTH_REQUESTS_BODY_MIN_RATE: '2KiB',
      },
    });
  });
  after(async () => b?.dispose());
  const session = async (): Promise<string> => (await send(b.url, 'POST', '/v2/watch/app/blobs/uploads/', [], {})).location;
  const octets = { 'content-type': 'application/octet-stream' };

  it('never cuts an upload for idling while it waits in the queue (berth is not reading it), and it completes', async () => {
    // A steady upload (40 KiB/s for about 3 s) holds the only slot.
    const holder = hold(b.url, {
      method: 'PATCH',
      path: await session(),
      headers: octets,
      declared: 120 * 1024,
      initial: 4_096,
      trickle: { bytes: 4_096, everyMs: 100 },
      complete: true,
    });
    await until('the holder to stream', async () => (await uploadsInFlight(b.url)) === 1);
    const started = Date.now();
    // A whole 2 MiB body sent at once, and a small one: both wait about 3 s, three idle times.
    const big = hold(b.url, { method: 'PATCH', path: await session(), headers: octets, declared: 2 << 20, initial: 2 << 20, complete: true });
    const small = hold(b.url, { method: 'PATCH', path: await session(), headers: octets, declared: 1_000, initial: 1_000, complete: true });
    await until('both to queue', async () => (await uploadsQueued(b.url)) === 2);
    assert.equal(await holder.status, 202);
    assert.equal(await big.status, 202, big.received());
    assert.equal(await small.status, 202, small.received());
    assert.ok(Date.now() - started > 2_000, 'they did wait longer than the idle time');
    for (const c of [holder, big, small]) c.destroy();
  });

  it('cuts an upload that sends a byte just before each idle time (1 s here, 30 s by default) by the minimum rate', async () => {
    const trickle = hold(b.url, {
      method: 'PATCH',
      path: await session(),
      headers: octets,
      declared: 100_000,
      initial: 1,
      trickle: { bytes: 1, everyMs: 900 },
    });
    const at = await trickle.closed;
    assert.ok(at < 1_000 + 1_500, `cut after ${at} ms`);
    await until('its slot back', async () => (await uploadsInFlight(b.url)) === 0);
  });

  it('leaves no slot or queue place behind when clients vanish while queued, as they get a slot, or mid-stream', async () => {
    const locations = await Promise.all(Array.from({ length: 40 }, () => session()));
    const u = new URL(b.url);
    const answers = await Promise.all(
      locations.map(
        (location, i) =>
          new Promise<string>((resolve) => {
            const s = connect(Number(u.port), u.hostname);
            let got = '';
            s.on('data', (d: Buffer) => (got += d.toString('latin1')));
            s.on('error', () => undefined);
            s.on('close', () => resolve(got));
            s.write(`PATCH ${location} HTTP/1.1\r\nhost: x\r\ncontent-type: application/octet-stream\r\ncontent-length: 20000\r\nconnection: close\r\n\r\n`);
            s.write(Buffer.alloc(10_000, 0x61));
            const later = Math.random() * 300;
            if (i % 4 === 0) setTimeout(() => s.write(Buffer.alloc(10_000, 0x62)), later);
            else if (i % 4 === 1) setTimeout(() => s.resetAndDestroy(), later);
            else if (i % 4 === 2) setTimeout(() => s.destroy(), later / 6);
            else s.write(Buffer.alloc(10_000, 0x62));
            setTimeout(() => s.destroy(), 8_000);
          }),
      ),
    );
    for (const a of answers) if (a) assert.match(a, /^HTTP\/1\.1 (202|429) /, a.slice(0, 200));
    assert.ok(answers.some((a) => a.startsWith('HTTP/1.1 202')));
    await until('every slot and queue place back', async () => (await uploadsInFlight(b.url)) === 0 && (await uploadsQueued(b.url)) === 0);
    const metrics = await (await fetch(`${b.url}/metrics`)).text();
    assert.doesNotMatch(metrics, /^berth_http_requests_total\{[^}]*status="5\d\d"[^}]*\} [1-9]/m, 'no 5xx');
    // And the slot works.
    const r = await send(b.url, 'PATCH', await session(), [Buffer.from('abcd')], octets);
    assert.equal(r.status, 202, r.text);
  });
});
