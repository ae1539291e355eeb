// Each client's share of the unverified-body budget (docs/LIMITS.md): one address cannot hold every place, so a
// stranger or one key's holder cannot throttle every signed call, and behind a trusted proxy each forwarded client
// has its own share. Other loopback addresses (127.0.0.2, ...) are other clients to berth.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { until, unverifiedBodies } from './harness.ts';
import { type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import { exchange, headOf } from './raw-http.ts';
import { ecrSignedHeaders, type HeldConnection, hold, SHORT_BODY_LIMITS } from './slow-clients.ts';

describe('one client address past its share (auth required, 4 places, a share of 1)', () => {
  let k: KeyedBerth;
  const open: HeldConnection[] = [];
  before(async () => {
    k = await startKeyedBerth('body-shares', { env: SHORT_BODY_LIMITS });
  });
  after(async () => {
    for (const c of open) c.destroy();
    await k?.dispose();
  });

  const signed = async (body = '{}', op = 'DescribeRegistry'): Promise<Record<string, string>> => ecrSignedHeaders(k.berth.url, k.admin, op, body);
  const back = (what: string): Promise<void> =>
    until(`the budget back at zero after ${what}`, async () => (await unverifiedBodies(k.berth.url)).bodies === 0, { timeoutMs: 4_000 });

  it('a stranger without a key, or a key holder on one host, cannot throttle every signed caller by holding the budget', async () => {
    const url = k.berth.url;
    const form = { host: 'x', 'content-type': 'application/x-www-form-urlencoded' };
    // Another loopback address is another client: RPC v1 form bodies (no header ties them to a key) and bodies signed
    // with a key's id, all stalled, more than the 4 places.
    const stalled = [
      ...[0, 1, 2].map(() =>
        hold(url, { method: 'POST', path: '/?Action=ListArtifacts&Version=2021-05-21', headers: form, declared: 60_000, initial: 10, from: '127.0.0.2' }),
      ),
      ...(await Promise.all(
        [0, 1, 2].map(async () => hold(url, { method: 'POST', path: '/', headers: await signed('{"x":1}'), declared: 7, initial: 3, from: '127.0.0.2' })),
      )),
    ];
    open.push(...stalled);
    try {
      await until('the stranger holds every place it may take', async () => (await unverifiedBodies(url)).bodies === 3);
      const refused = (await Promise.all(stalled.map((c) => Promise.race([c.status, new Promise((r) => setTimeout(() => r('held'), 300))])))).filter(
        (x) => x !== 'held',
      );
      assert.equal(refused.length, 3, 'past its share, the stranger is refused once only one share (1 of 4 places) is free');
      for (const status of refused) assert.ok(status === 503 || status === 400 || status === 429, `throttled in the dialect's shape: ${String(status)}`);
      const keyed = await exchange(url, [headOf('POST', '/', { ...(await signed()), 'content-length': '2', connection: 'close' }), '{}']);
      assert.match(keyed, /^HTTP\/1\.1 200 /, keyed.slice(0, 300));
    } finally {
      for (const c of stalled) c.destroy();
      await back('six stalled bodies from one address');
    }
  });
});

describe('client shares behind a trusted proxy (auth required, 4 places, a share of 1)', () => {
  let k: KeyedBerth;
  const open: HeldConnection[] = [];
  before(async () => {
    k = await startKeyedBerth('body-proxies', { env: { ...SHORT_BODY_LIMITS, BERTH_REQUESTS_TRUSTED_PROXIES: '127.0.0.1' } });
  });
  after(async () => {
    for (const c of open) c.destroy();
    await k?.dispose();
  });

  it('gives each client the proxy names its own share, and ignores X-Forwarded-For from a peer that is not a proxy', async () => {
    const url = k.berth.url;
    const stall = async (from: string, forwarded: string): Promise<HeldConnection> => {
      const headers = { ...(await ecrSignedHeaders(url, k.admin, 'DescribeRegistry', '{"x":1}')), 'x-forwarded-for': forwarded };
      const c = hold(url, { method: 'POST', path: '/', headers, declared: 7, initial: 3, from });
      open.push(c);
      return c;
    };
    const viaProxy = await Promise.all([1, 2, 3, 4].map((i) => stall('127.0.0.1', `198.51.100.${i}`)));
    await until('four clients behind the proxy hold all four places', async () => (await unverifiedBodies(url)).bodies === 4);
    for (const c of viaProxy) c.destroy();
    await until('the places back', async () => (await unverifiedBodies(url)).bodies === 0);
    const spoofed = await Promise.all([1, 2, 3, 4].map((i) => stall('127.0.0.2', `198.51.100.${i}`)));
    await until('the spoofing peer holds what one client may', async () => (await unverifiedBodies(url)).bodies === 3);
    // Within the 1 s body timeout: the held ones are still held, the refused one has its answer.
    const answered = await Promise.all(spoofed.map((c) => Promise.race([c.status, new Promise((r) => setTimeout(() => r('held'), 300))])));
    assert.equal(answered.filter((a) => a === 'held').length, 3, 'a peer that is no proxy is one client, whatever it forwards: 3 of 4 places');
    for (const c of spoofed) c.destroy();
  });
});
