// Attacks on the body limits (docs/LIMITS.md) with raw sockets against a real berth: every misbehaving body gives its
// place in the unverified budget back (watched through berth_unverified_bodies), a client gone before its body is read
// holds nothing, large unverified bodies stay within the budget in count, bytes and memory, what Node's parser refuses
// is answered in a dialect's shape, and Expect: 100-continue is answered only once berth reads the body.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startBerth, until, unverifiedBodies } from './harness.ts';
import { basic, type KeyedBerth, startKeyedBerth } from './key-helpers.ts';
import { exchange, headOf, statuses } from './raw-http.ts';
import { closeTimes, ecrSignedHeaders, type HeldConnection, hold, rssOf, SHORT_BODY_LIMITS } from './slow-clients.ts';

const ECR = 'AmazonEC2ContainerRegistry_V20150921';
/**
 * RSS is not what berth holds: buffers it let go stay resident until V8 collects them, and V8 starts a full collection
 * only once external memory has grown by about 64 MiB since the last one. The RSS bounds below allow that much on top.
 */
const GC_SLACK_MIB = 64;
/** What one refused connection may make berth read and drop (the linger's 256 KiB and a socket read) and keep (32 KiB). */
const PER_CONNECTION_KIB = 256 + 64 + 32;

describe('the unverified budget under misbehaving clients (auth required, 1 s timeouts, 4 places)', () => {
  let k: KeyedBerth;
  const open: HeldConnection[] = [];
  before(async () => {
    k = await startKeyedBerth('body-attacks', { env: SHORT_BODY_LIMITS });
  });
  after(async () => {
    for (const c of open) c.destroy();
    await k?.dispose();
  });

  const signed = async (body = '{}', op = 'DescribeRegistry'): Promise<Record<string, string>> => ecrSignedHeaders(k.berth.url, k.admin, op, body);
  /** Zero, and still zero 300 ms later: a connection the client reset may reach berth after the client saw it close. */
  const back = async (what: string): Promise<void> => {
    let zeroSince = 0;
    await until(
      `the budget back at zero (and staying there) after ${what}`,
      async () => {
        const now = await unverifiedBodies(k.berth.url);
        if (now.bodies !== 0 || now.bytes !== 0) zeroSince = 0;
        else zeroSince ||= Date.now();
        return zeroSince > 0 && Date.now() - zeroSince >= 300;
      },
      { timeoutMs: 4_000 },
    );
  };

  it('gives every place back: cut bodies, refused bodies, chunked bodies, lying lengths, pipelining, Expect: 100-continue', async () => {
    const url = k.berth.url;
    assert.deepEqual(await unverifiedBodies(url), { bodies: 0, bytes: 0 });

    const cut = await exchange(url, [headOf('POST', '/', { ...(await signed()), 'content-length': '1000' }), 'x'.repeat(300)], { leaveAfterMs: 200 });
    assert.equal(cut, '');
    await back('a client gone mid-body');

    const h = await signed();
    await Promise.all(
      Array.from({ length: 20 }, () => exchange(url, [headOf('POST', '/', { ...h, 'content-length': '1000' }), '{'], { leaveAfterMs: 0, reset: true })),
    );
    await back('20 clients reset right after their headers');

    const badJson = await exchange(url, [headOf('POST', '/', { ...(await signed('{{{')), 'content-length': '3', connection: 'close' }), '{{{']);
    assert.match(badJson, /^HTTP\/1\.1 400 [\s\S]*"__type":"SerializationException"/);
    await back('a signed body that is not JSON');

    const mismatch = await exchange(url, [headOf('POST', '/', { ...(await signed('{}')), 'content-length': '4', connection: 'close' }), '{ }\n']);
    assert.match(mismatch, /^HTTP\/1\.1 400 [\s\S]*"__type":"InvalidSignatureException"/);
    await back('a body its signature does not cover');

    const chunked = await exchange(url, [
      headOf('POST', '/', { ...(await signed()), 'transfer-encoding': 'chunked', connection: 'close' }),
      '2\r\n{}\r\n0\r\n\r\n',
    ]);
    assert.deepEqual(statuses(chunked), [200], chunked);
    await back('a chunked body without Content-Length');

    // The rest is parsed as the next request: Node refuses the connection (its first answer with it, as Node does).
    const shorter = await exchange(url, [headOf('POST', '/', { ...(await signed()), 'content-length': '2' }), '{}GARBAGE\r\n\r\n']);
    assert.deepEqual(statuses(shorter), [400], shorter);
    assert.doesNotMatch(shorter, /"statusCode":400/, "in a dialect shape, not Fastify's");
    await back('a Content-Length shorter than the body');

    const longer = await exchange(url, [headOf('POST', '/', { ...(await signed()), 'content-length': '20' }), '{}']);
    assert.match(longer, /^HTTP\/1\.1 400 [\s\S]*"__type":"InvalidParameterException","message":"request body (stalled|too slow)/);
    await back('a Content-Length longer than the body');

    // As many as one client may hold (3 of 4 places: one share stays free for others): each keeps its place from its
    // read until its signature is checked, and the handlers of pipelined calls run side by side.
    const one = `${headOf('POST', '/', { ...(await signed()), 'content-length': '2' })}{}`;
    const piped = await exchange(url, [one.repeat(2), `${headOf('POST', '/', { ...(await signed()), 'content-length': '2', connection: 'close' })}{}`]);
    assert.deepEqual(statuses(piped), Array(3).fill(200), piped.slice(0, 300));
    await back('3 calls pipelined on one connection');

    const expecting = await exchange(url, [headOf('POST', '/', { ...(await signed()), 'content-length': '2', expect: '100-continue', connection: 'close' })], {
      waitMs: 4_000,
    });
    // Without the body the read stalls out after the idle time: a 400 after the 100 Continue, and the place given back.
    assert.deepEqual(statuses(expecting), [100, 400], expecting);
    await back('an Expect: 100-continue whose body never came');

    // Every place is free: four stalled bodies from four clients (one address can take only 3 of 4) fit, the fifth is throttled.
    const stalled = [0, 1, 2, 3].map(async (i) => {
      const c = hold(url, { method: 'POST', path: '/', headers: await signed(), declared: 1_000, initial: 10, from: `127.0.0.${i + 2}` });
      open.push(c);
      return c;
    });
    const held = await Promise.all(stalled);
    await until('all four to be read', async () => (await unverifiedBodies(url)).bodies === 4);
    const fifth = await exchange(url, [headOf('POST', '/', { ...(await signed()), 'content-length': '2' }), '{}']);
    assert.match(fifth, /^HTTP\/1\.1 400 [\s\S]*ThrottlingException/);
    const { open: stillOpen } = await closeTimes(held, 4_000);
    assert.equal(stillOpen, 0);
    await back('four stalled bodies');
  });

  it("refuses what Node parses badly in a dialect shape, never Fastify's own body: unfinished headers, bad framing, huge headers", async () => {
    const url = k.berth.url;
    const slow = await exchange(url, ['GET /v2/ HTTP/1.1\r\nhost: x\r\nx-slow: 1\r\n'], { waitMs: 4_000 });
    assert.match(slow, /^HTTP\/1\.1 408 [\s\S]*\r\n\r\n\{"errors":\[\{"code":"UNSUPPORTED","message":"the request headers were not complete within 1 s"/);
    const ecr = await exchange(url, [`POST / HTTP/1.1\r\nhost: x\r\nx-amz-target: ${ECR}.DescribeRegistry\r\ncontent-length: nine\r\n\r\n`]);
    assert.match(
      ecr,
      /^HTTP\/1\.1 400 [\s\S]*content-type: application\/x-amz-json-1\.1[\s\S]*\{"__type":"InvalidParameterException","message":"the request is not valid HTTP/,
    );
    const swr = await exchange(url, ['POST /v2/manage/namespaces HTTP/1.1\r\nhost: x\r\ntransfer-encoding: gzip, chunked\r\ncontent-length: 3\r\n\r\nabc']);
    assert.match(swr, /^HTTP\/1\.1 400 [\s\S]*"error_code":"SVCSTG\.SWR\.4000014"/);
    const huge = await exchange(url, [`GET /v2/ HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    assert.match(huge, /^HTTP\/1\.1 431 [\s\S]*\{"errors":\[\{"code":"UNSUPPORTED"/);
    for (const answer of [slow, ecr, swr, huge]) {
      assert.doesNotMatch(answer, /"statusCode":|<html/i);
      assert.match(answer, /connection: close/i);
    }
  });

  it('answers Expect: 100-continue only once it reads the body: a caller refused from its headers is not asked for its 9 MB', async () => {
    const url = k.berth.url;
    const unsigned = await exchange(
      url,
      [
        headOf('POST', '/', {
          host: 'x',
          'x-amz-target': `${ECR}.DescribeRegistry`,
          'content-type': 'application/x-amz-json-1.1',
          'content-length': '9000000',
          expect: '100-continue',
        }),
      ],
      { waitMs: 3_000 },
    );
    assert.match(unsigned, /^HTTP\/1\.1 400 [\s\S]*MissingAuthenticationTokenException/);
    assert.doesNotMatch(unsigned, /100 Continue/);
    const upload = await exchange(
      url,
      [headOf('PATCH', '/v2/expect/app/blobs/uploads/00000000-0000-4000-8000-000000000000', { host: 'x', 'content-length': '4', expect: '100-continue' })],
      { waitMs: 3_000 },
    );
    assert.match(upload, /^HTTP\/1\.1 401 /, 'no credentials: refused before any 100 Continue');
  });

  it('keeps 20 signed 9 MB bodies with a wrong secret within the budget, and refuses oversized ACR and SWR bodies unread', async () => {
    const url = k.berth.url;
    const pid = k.berth.process.pid!;
    const wrong = { accessKeyId: k.admin.accessKeyId, secretAccessKey: 'x'.repeat(40) };
    const baseline = rssOf(pid);
    let peakRss = baseline;
    let peak = { bodies: 0, bytes: 0 };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const now = await unverifiedBodies(url);
        peak = { bodies: Math.max(peak.bodies, now.bodies), bytes: Math.max(peak.bytes, now.bytes) };
        peakRss = Math.max(peakRss, rssOf(pid));
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const big = Buffer.alloc(9_000_000, 0x20);
    const answers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const head = headOf('POST', '/', { ...(await ecrSignedHeaders(url, wrong)), 'content-length': String(big.length), connection: 'close' });
        return exchange(url, [head, big], { waitMs: 15_000 });
      }),
    );
    const acr = await exchange(url, [
      headOf('POST', '/?Action=ListArtifacts&Version=2021-05-21', {
        host: 'x',
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': '9000000',
      }),
      'a=b',
    ]);
    const swr = await exchange(url, [
      headOf('POST', '/v2/manage/namespaces', {
        host: 'x',
        authorization: 'SDK-HMAC-SHA256 Access=nobody, SignedHeaders=host, Signature=00',
        'x-sdk-date': '20200101T000000Z',
        'content-length': '9000000',
      }),
      '{',
    ]);
    sampling = false;
    await sampler;
    const kinds = answers.map((a) => /"__type":"(\w+)"/.exec(a)?.[1] ?? a.slice(0, 80));
    assert.ok(
      kinds.every((t) => t === 'InvalidSignatureException' || t === 'ThrottlingException'),
      kinds.join(', '),
    );
    assert.ok(kinds.includes('InvalidSignatureException') && kinds.includes('ThrottlingException'), kinds.join(', '));
    for (const a of answers) assert.match(a, /^HTTP\/1\.1 400 /);
    assert.ok(peak.bodies <= 4 && peak.bytes <= 4 * big.length, `peak ${JSON.stringify(peak)}`);
    assert.match(acr, /^HTTP\/1\.1 4\d\d [\s\S]*"Code":"(InvalidParameter|MissingAccessKeyId)"/);
    assert.match(swr, /^HTTP\/1\.1 4\d\d [\s\S]*"error_code":"(SVCSTG\.SWR\.4000014|APIGW\.0301)"/);
    // Four 9 MB bodies held at most (34 MiB), plus what the refused connections make berth read and drop.
    const grown = (peakRss - baseline) / 1048576;
    const bound = (4 * big.length) / 1048576 + GC_SLACK_MIB + (answers.length * PER_CONNECTION_KIB) / 1024;
    assert.ok(grown <= bound, `RSS grew by ${grown.toFixed(1)} MiB, bound ${bound.toFixed(1)} MiB`);
    await until('the budget back at zero', async () => (await unverifiedBodies(url)).bodies === 0);
  });
});

describe('a client gone before berth reads its body (auth none, body watchdog off)', () => {
  let k: KeyedBerth;
  before(async () => {
    k = await startKeyedBerth('gone-early', { auth: 'none', env: { BERTH_REQUESTS_BODY_IDLE_TIMEOUT: '0', BERTH_REQUESTS_BODY_MIN_RATE: '0' } });
  });
  after(async () => k?.dispose());

  it('holds no place in the budget: 50 SWR token calls whose clients leave while the token is checked', async () => {
    const url = k.berth.url;
    const issued = await fetch(`${url}/token?service=berth&scope=repository:gone/app:pull`, {
      headers: { authorization: basic(k.admin.accessKeyId, k.admin.secretAccessKey) },
    });
    const { token } = (await issued.json()) as { token: string };
    assert.ok(token);
    const head = headOf('POST', '/v2/manage/namespaces', { host: 'x', 'content-type': 'application/json', 'x-auth-token': token, 'content-length': '1000' });
    await Promise.all(Array.from({ length: 50 }, () => exchange(url, [head, '{'], { leaveAfterMs: 0, reset: true })));
    // Nothing would ever give a stuck place back here (no watchdog): it stays stuck for the life of the process.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(await unverifiedBodies(url), { bodies: 0, bytes: 0 });
    const ok = await fetch(`${url}/v2/manage/namespaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ namespace: 'gone-ok' }),
    });
    assert.ok(ok.status < 500, `a later call: ${ok.status}`);
  });
});

describe('200 large bodies at once with auth none (16 MiB budget)', () => {
  it('answers each in its dialect shape (4xx, never 5xx) and keeps berth within the budget plus a bounded cost per connection', async () => {
    const berth = await startBerth({ args: ['--auth', 'none'], env: { BERTH_REQUESTS_UNVERIFIED_BODY_BYTES: '16MiB' } });
    try {
      const url = berth.url;
      const pid = berth.process.pid!;
      // Warm every dialect's code first, so the baseline is not taken before its first use.
      for (let i = 0; i < 3; i++) {
        await exchange(url, [headOf('POST', '/', { host: 'x', 'x-amz-target': `${ECR}.DescribeRegistry`, 'content-length': '2', connection: 'close' }), '{}']);
        const manifest = { host: 'x', 'content-type': 'application/vnd.oci.image.manifest.v1+json', 'content-length': '2', connection: 'close' };
        await exchange(url, [headOf('PUT', '/v2/warm/app/manifests/a', manifest), '{}']);
      }
      const baseline = rssOf(pid);
      let peakRss = baseline;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(pid))), 10);
      const kinds: Array<[string, string, Record<string, string>, number, RegExp]> = [
        ['ecr', '/', { 'x-amz-target': `${ECR}.DescribeRepositories` }, 9_000_000, /"__type":"(SerializationException|ThrottlingException)"/],
        [
          'oci',
          '/v2/flood/app/manifests/latest',
          { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
          4_000_000,
          /"code":"(MANIFEST_INVALID|TOOMANYREQUESTS)"/,
        ],
        ['swr', '/v2/manage/namespaces', { 'content-type': 'application/json' }, 250_000, /"error_code":"SVCSTG\.SWR\.(4000014|4290000)"/],
        ['acr', '/?Action=ListArtifacts&Version=2021-05-21', { 'content-type': 'application/x-www-form-urlencoded' }, 60_000, /"Code":"[\w.]+"/],
      ];
      const sent = kinds.flatMap(([name, path, headers, size, shape]) => {
        // One body per kind, shared by its 50 connections: the test process need not hold 650 MB to send them.
        const body = Buffer.alloc(size, 0x61);
        return Array.from({ length: 50 }, async () => {
          const method = name === 'oci' ? 'PUT' : 'POST';
          const head = headOf(method, path, { host: 'x', ...headers, 'content-length': String(size), connection: 'close' });
          const answer = await exchange(url, [head, body], { waitMs: 20_000 });
          return { name, answer, shape };
        });
      });
      const results = await Promise.all(sent);
      clearInterval(sampler);
      for (const { name, answer, shape } of results) {
        assert.match(answer, /^HTTP\/1\.1 4\d\d /, `${name}: ${answer.slice(0, 200)}`);
        assert.match(answer, shape, `${name}: ${answer.slice(0, 300)}`);
      }
      // The 16 MiB budget, what each connection may cost, and the collector's slack.
      const grown = (peakRss - baseline) / 1048576;
      const bound = 16 + GC_SLACK_MIB + (results.length * PER_CONNECTION_KIB) / 1024;
      assert.ok(grown <= bound, `RSS grew by ${grown.toFixed(1)} MiB, bound ${bound.toFixed(1)} MiB`);
      assert.deepEqual(await unverifiedBodies(url), { bodies: 0, bytes: 0 });
    } finally {
      await berth.dispose();
    }
  });
});

describe('every body refusal in its dialect shape (auth none: every body is unverified; 2 places, 1 s timeouts)', () => {
  it("busy, stalled and too large are 4xx in each dialect's own error shape, never a 5xx or a default body", async () => {
    const berth = await startBerth({
      args: ['--auth', 'none'],
      env: { BERTH_REQUESTS_BODY_IDLE_TIMEOUT: '1s', BERTH_REQUESTS_BODY_RATE_WINDOW: '1s', BERTH_REQUESTS_UNVERIFIED_BODIES: '2' },
    });
    try {
      const url = berth.url;
      const dialects: Array<{ name: string; method: string; path: string; headers: Record<string, string>; shape: RegExp }> = [
        { name: 'ecr', method: 'POST', path: '/', headers: { 'x-amz-target': `${ECR}.DescribeRepositories` }, shape: /^\{"__type":"\w+","message":"[^"]+"\}$/ },
        {
          name: 'acr',
          method: 'POST',
          path: '/?Action=ListArtifacts&Version=2021-05-21',
          headers: {},
          shape: /^\{"RequestId":"[^"]+","HostId":"[^"]+","Code":"[\w.]+","Message":/,
        },
        { name: 'swr', method: 'POST', path: '/v2/manage/namespaces', headers: {}, shape: /^\{"error_code":"SVCSTG\.SWR\.\d+","error_msg":/ },
        { name: 'ncr', method: 'POST', path: '/ncr/api/v2/repositories', headers: {}, shape: /^\{"error":\{"errorCode":"\d+","message":"[^"]+","details":/ },
        { name: 'oci', method: 'PUT', path: '/v2/shape/app/manifests/latest', headers: {}, shape: /^\{"errors":\[\{"code":"[A-Z_]+","message":/ },
        { name: 'api', method: 'POST', path: '/berth/v1/gc', headers: {}, shape: /^\{"error":\{"code":"[A-Z_]+","message":/ },
      ];
      for (const d of dialects) {
        const headers = { host: 'x', 'content-type': 'application/json', ...d.headers };
        // From two other clients: one address could take only one of the two places (its share).
        const stalled = [0, 1].map((i) => hold(url, { method: d.method, path: d.path, headers, declared: 1_000, initial: 10, from: `127.0.0.${i + 2}` }));
        await until(`${d.name}: both places taken`, async () => (await unverifiedBodies(url)).bodies === 2);
        const busy = await exchange(url, [headOf(d.method, d.path, { ...headers, 'content-length': '1000' }), 'x']);
        const large = await exchange(url, [headOf(d.method, d.path, { ...headers, 'content-length': '50000000' }), 'x']);
        await closeTimes(stalled, 4_000);
        const answers = { busy, stalled: stalled[0]!.received(), large };
        for (const [what, answer] of Object.entries(answers)) {
          assert.match(answer, /^HTTP\/1\.1 4\d\d /, `${d.name} ${what}: ${answer.slice(0, 200)}`);
          assert.match(answer, /content-type: application\/(json|x-amz-json-1\.1)/i, `${d.name} ${what}`);
          assert.match(answer, /connection: close/i, `${d.name} ${what}`);
          assert.match(answer.slice(answer.indexOf('\r\n\r\n') + 4), d.shape, `${d.name} ${what}: ${answer.slice(0, 400)}`);
        }
        assert.match(busy, /retry-after: 1/i, `${d.name} busy`);
        assert.match(answers.stalled, /stalled|too slow/, `${d.name} stalled`);
      }
      assert.deepEqual(await unverifiedBodies(url), { bodies: 0, bytes: 0 });
    } finally {
      await berth.dispose();
    }
  });
});
