// What a stranger can make berth hold (docs/LIMITS.md): with auth required unsigned ECR, ACR and SWR calls and unknown
// keys are refused from the headers without reading their large bodies, unverified bodies have a global budget, and
// stalled, trickling or over-limit bodies and unfinished headers are answered or closed within the configured times.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { basic, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import { closeTimes, ecrSignedHeaders, type HeldConnection, hold, rssOf, SHORT_BODY_LIMITS } from './slow-clients.ts';

const IDLE_MS = 1_000;
/** The watchdog checks every idle/5; an answer also needs a moment on a busy 2-core machine. */
const SLACK_MS = 1_500;
const SHORT = { ...SHORT_BODY_LIMITS, BERTH_REQUESTS_BODY_IDLE_TIMEOUT: `${IDLE_MS}ms` };
const ECR_TARGET = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRegistry' };

describe('request bodies strangers send (auth required, short timeouts)', () => {
  let k: KeyedBerth;
  const open: HeldConnection[] = [];
  const held = (c: HeldConnection): HeldConnection => {
    open.push(c);
    return c;
  };
  before(async () => {
    k = await startKeyedBerth('body-limits', { env: SHORT });
  });
  after(async () => {
    for (const c of open) c.destroy();
    await k?.dispose();
  });

  it('refuses 60 unsigned ECR, ACR and SWR calls with large partial bodies from the headers, unread, and closes them', async () => {
    const pid = k.berth.process.pid!;
    // Warm each dialect's code first, so the baseline is not taken before its first use (compiling, lazy state).
    for (const path of ['/', '/?Action=ListArtifacts&Version=2021-05-21', '/v2/manage/namespaces']) {
      const headers = path === '/' ? ECR_TARGET : { 'content-type': 'application/json' };
      for (let i = 0; i < 3; i++) await (await fetch(`${k.berth.url}${path}`, { method: 'POST', headers, body: '{}' })).arrayBuffer();
    }
    const before = rssOf(pid);
    const conns: Array<{ c: HeldConnection; expect: RegExp }> = [];
    for (let i = 0; i < 20; i++) {
      conns.push({
        c: held(hold(k.berth.url, { method: 'POST', path: '/', headers: ECR_TARGET, declared: 9_000_000, initial: 1 << 20 })),
        expect: /MissingAuthenticationTokenException/,
      });
      conns.push({
        c: held(hold(k.berth.url, { method: 'POST', path: '/?Action=ListArtifacts&Version=2021-05-21', headers: {}, declared: 60_000, initial: 30_000 })),
        expect: /MissingAccessKeyId/,
      });
      conns.push({
        c: held(
          hold(k.berth.url, {
            method: 'POST',
            path: '/v2/manage/namespaces',
            headers: { 'content-type': 'application/json' },
            declared: 250_000,
            initial: 100_000,
          }),
        ),
        expect: /APIGW\.0301/,
      });
    }
    const { times, open: stillOpen } = await closeTimes(
      conns.map((x) => x.c),
      5_000,
    );
    assert.equal(stillOpen, 0, 'every refused connection is closed by the server');
    assert.ok(Math.max(...times) < 5_000, `closed within ${Math.max(...times)} ms`);
    for (const { c, expect } of conns) {
      assert.ok((await c.status) !== null, 'answered before closing');
      assert.match(c.received(), expect);
      assert.match(c.received(), /connection: close/i);
    }
    // The bodies were never buffered: 60 MiB were offered.
    const grown = rssOf(pid) - before;
    assert.ok(grown < 24 * 1024 * 1024, `RSS grew by ${(grown / 1048576).toFixed(1)} MiB`);
  });

  it('refuses an unknown key from the headers (UnrecognizedClientException), unread', async () => {
    const headers = await ecrSignedHeaders(k.berth.url, { accessKeyId: 'AKIANOSUCHKEY0000000', secretAccessKey: 'x'.repeat(40) });
    const c = held(hold(k.berth.url, { method: 'POST', path: '/', headers, declared: 9_000_000, initial: 1 << 20 }));
    assert.equal(await c.status, 400);
    assert.match(c.received(), /UnrecognizedClientException/);
    assert.ok((await c.closed) < 5_000);
  });

  it('answers an over-limit body at once and closes, without draining it', async () => {
    const headers = await ecrSignedHeaders(k.berth.url, k.admin);
    const c = held(hold(k.berth.url, { method: 'POST', path: '/', headers, declared: 20_000_000, initial: 1 << 20 }));
    assert.equal(await c.status, 400);
    assert.match(c.received(), /InvalidParameterException[\s\S]*exceeds/);
    assert.ok((await c.closed) < 5_000);
  });

  it('gives unverified bodies a budget: beyond it a throttling answer with Retry-After; stalled ones are answered after the idle time', async () => {
    const headers = await ecrSignedHeaders(k.berth.url, k.admin);
    // From four clients (other loopback addresses): one client may hold only 3 of the 4 places.
    const stalled = [0, 1, 2, 3].map((i) =>
      held(hold(k.berth.url, { method: 'POST', path: '/', headers, declared: 1_000, initial: 500, from: `127.0.0.${i + 2}` })),
    );
    // Each takes its place once the server reads it; wait until all four are reading.
    await new Promise((r) => setTimeout(r, 300));
    const extra = held(hold(k.berth.url, { method: 'POST', path: '/', headers, declared: 1_000, initial: 500 }));
    assert.equal(await extra.status, 400);
    assert.match(extra.received(), /ThrottlingException/);
    assert.match(extra.received(), /retry-after: 1/i);
    assert.ok((await extra.closed) < IDLE_MS, 'the throttled one is answered before any stalled one times out');
    for (const c of stalled) {
      assert.equal(await c.status, 400);
      assert.match(c.received(), /InvalidParameterException[\s\S]*(stalled|too slow)/);
      const at = await c.closed;
      assert.ok(at >= IDLE_MS - 100 && at < IDLE_MS + SLACK_MS, `stalled body closed after ${at} ms`);
    }
  });

  it('closes unfinished headers after headersTimeout', async () => {
    const c = held(hold(k.berth.url, { method: 'GET', path: '/v2/', headers: { 'x-slow': 'a' }, declared: 0, initial: 0, headersOnly: true }));
    const at = await c.closed;
    assert.ok(at < 1_000 + SLACK_MS, `closed after ${at} ms`);
  });

  it('lets a slow but steady upload above the minimum rate finish, and cuts a stalled and a trickling one', async () => {
    const auth = { authorization: basic(k.admin.accessKeyId, k.admin.secretAccessKey), 'content-type': 'application/octet-stream' };
    const session = async (): Promise<string> => {
      const r = await k.oci.req('POST', '/v2/limits/slow/blobs/uploads/');
      assert.equal(r.status, 202);
      return r.headers.location as string;
    };
    // 4 KiB every 100 ms (40 KiB/s) for 3 s: never idle, well above 2 KiB/s.
    const steady = held(
      hold(k.berth.url, {
        method: 'PATCH',
        path: await session(),
        headers: auth,
        declared: 120 * 1024,
        initial: 4096,
        trickle: { bytes: 4096, everyMs: 100 },
        complete: true,
      }),
    );
    const stalled = held(hold(k.berth.url, { method: 'PATCH', path: await session(), headers: auth, declared: 100_000, initial: 10_000 }));
    // 100 bytes every 200 ms: never idle for a second, but 500 B/s is under the 2 KiB/s minimum.
    const trickling = held(
      hold(k.berth.url, { method: 'PATCH', path: await session(), headers: auth, declared: 100_000, initial: 100, trickle: { bytes: 100, everyMs: 200 } }),
    );
    assert.equal(await steady.status, 202, steady.received());
    const stalledAt = await stalled.closed;
    assert.ok(stalledAt < IDLE_MS + SLACK_MS, `stalled upload cut after ${stalledAt} ms`);
    const tricklingAt = await trickling.closed;
    assert.ok(tricklingAt < 2_000 + SLACK_MS, `trickling upload cut after ${tricklingAt} ms`);
  });
});
