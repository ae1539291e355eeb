// The whole server, built from the dialect list in one process: every dialect registered side by side, undecodable
// request targets answered in each dialect's shape, and the metric label taken from the same list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dns from 'node:dns';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { openTestRegistry, pushBlob, pushImage, type TestRegistry } from '../adapters/test-helpers.ts';
import { memoryKeys } from '../auth/test-helper.ts';
import { PullRecorder } from '../core/index.ts';
import { createAuth } from './common/auth-gate.ts';
import { seriesValue } from './common/test-helpers.ts';
import { buildHttpServer, type HttpServerOptions } from './server.ts';

describe('the HTTP server built from the dialect list', () => {
  let reg: TestRegistry;
  let app: FastifyInstance;
  /** Requests Fastify routed (its onRequest hooks ran): what a lane answered never shows up here. */
  const reachedFastify: string[] = [];
  let options: () => HttpServerOptions;
  before(async () => {
    reg = await openTestRegistry();
    const auth = createAuth({
      keys: memoryKeys(),
      keysMaterial: { masterKey: randomBytes(32), tokenKey: randomBytes(32) },
      mode: 'none',
      realm: undefined,
      service: 'berth',
      tokenTtlMs: 300_000,
    });
    // GC is not exercised here: /metrics reads only its totals (and the store's stats, through gcClock's defaults).
    const totals = { runs: 0, blobsRemoved: 0, bytesReclaimed: 0, manifestsCollected: 0, manifestsPurged: 0, errors: 0, lastSweepRate: 0 };
    const gc = { status: () => ({ running: false, totals }), defaults: { graceMs: 3_600_000, restoreWindowMs: 0 } } as unknown as HttpServerOptions['gc'];
    options = () => ({
      deps: reg.deps,
      pulls: new PullRecorder(reg.deps),
      ...auth,
      gc,
      lifecycle: {} as HttpServerOptions['lifecycle'],
      logger: pino({ level: 'silent' }),
      ecr: { region: 'us-east-1', registryId: '000000000000' },
      acr: { regions: [], clientTokenRetentionMs: 60_000, credentialTtlMs: 3_600_000 },
      swr: { region: 'cn-north-4' },
      maxConcurrentUploads: 4,
      ready: async () => undefined,
    });
    app = await buildHttpServer(options());
    app.addHook('onRequest', (req, _reply, done) => {
      reachedFastify.push(`${req.method} ${req.url}`);
      done();
    });
  });
  after(async () => {
    await app?.close();
    await reg?.close();
  });

  it('answers an undecodable target with a 400 in the shape of the dialect it belongs to', async () => {
    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      return { json: r.json() as Record<string, unknown>, headers: r.headers };
    };
    assert.equal(Array.isArray((await get('/v2/team/%ff/tags/list')).json.errors), true);
    const swr = await get('/v2/manage/namespaces/%ff');
    assert.match(String(swr.json.error_code), /^SVCSTG\.SWR\.400/);
    assert.ok(swr.headers['x-request-id']);
    assert.equal((await get('/ncr/api/v2/repositories/reg/%zz')).json.error instanceof Object, true);
    assert.equal(((await get('/berth/v1/repositories/%ff/deleted-tags')).json.error as { code: string }).code, 'INVALID_REQUEST');
  });

  it('routes each dialect to its own plugin (each answers in its own envelope)', async () => {
    const ecr = await app.inject({ method: 'POST', url: '/', headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.NoSuchThing' }, payload: '{}' });
    assert.equal((ecr.json() as { __type: string }).__type, 'UnknownOperationException');
    const acr = await app.inject({ method: 'GET', url: '/?Action=NoSuchThing&Version=2021-05-21' });
    assert.equal((acr.json() as { Code: string }).Code, 'InvalidApi.NotFound');
    const oci = await app.inject({ method: 'GET', url: '/v2/' });
    assert.equal(oci.statusCode, 200);
    const healthz = await app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(healthz.statusCode, 200);
  });

  it('labels request metrics with the dialect names of the list', async () => {
    // Answers from the router's own error path (bad URLs) skip the hooks; these reach each dialect.
    for (const url of ['/v2/manage/namespaces', '/ncr/api/v2/registries', '/berth/v1/pins', '/token']) await app.inject({ method: 'GET', url });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const dialect of ['oci', 'swr', 'ncr', 'api', 'token', 'ecr', 'acr'])
      assert.match(metrics, new RegExp(`berth_http_requests_total\\{dialect="${dialect}"`), dialect);
  });

  it('answers manifest GET/HEAD and tags/list in the OCI lane exactly as the Fastify route would, and counts them', async () => {
    const config = await pushBlob(reg.deps, 'lane/app', '{"architecture":"amd64"}');
    const layer = await pushBlob(reg.deps, 'lane/app', 'layer bytes');
    const digest = await pushImage(reg.deps, 'lane/app', 'v1', config, [layer]);
    await pushImage(reg.deps, 'lane/app', 'v2', config, [layer], { annotations: { second: 'yes' } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const seriesOf = async () =>
      seriesValue((await app.inject({ method: 'GET', url: '/metrics' })).body, 'berth_http_requests_total{dialect="oci",method="GET",status="200"}') ?? 0;
    const before = await seriesOf();
    const laneTargets: Array<[string, string]> = [
      ['GET', '/v2/lane/app/manifests/v1'],
      ['HEAD', '/v2/lane/app/manifests/v1'],
      ['GET', `/v2/lane/app/manifests/${digest}`],
      ['GET', '/v2/lane/app/tags/list'],
      ['GET', '/v2/lane/app/tags/list?n=1'],
    ];
    const comparable = (headers: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(headers).filter(([k]) => !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)));
    reachedFastify.length = 0;
    const viaLane: Array<{ status: number; headers: Record<string, string>; body: string }> = [];
    for (const [method, url] of laneTargets) {
      const r = await fetch(base + url, { method });
      viaLane.push({ status: r.status, headers: Object.fromEntries(r.headers), body: await r.text() });
    }
    assert.deepEqual(reachedFastify, [], 'the lane answered all of them');
    for (const [i, [method, url]] of laneTargets.entries()) {
      const r = await app.inject({ method: method as 'GET' | 'HEAD', url });
      const lane = viaLane[i]!;
      assert.equal(lane.status, 200, url);
      assert.equal(lane.status, r.statusCode, url);
      assert.deepEqual(comparable(lane.headers), comparable(r.headers), `${method} ${url}`);
      assert.equal(lane.body, r.body, url);
    }
    assert.match(viaLane[4]!.headers.link ?? '', /rel="next"/);
    assert.equal(await seriesOf(), before + 4 + 4, 'four lane GETs and four Fastify GETs counted');

    // Left to Fastify, and answered as before: what is not a plain success, and what may carry a body.
    reachedFastify.length = 0;
    const unknown = await fetch(`${base}/v2/lane/app/manifests/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'MANIFEST_UNKNOWN');
    const cached = await fetch(`${base}/v2/lane/app/manifests/v1`, { headers: { 'if-none-match': `"${digest}"` } });
    assert.equal(cached.status, 304);
    assert.equal((await fetch(`${base}/v2/lane/app/tags/list`, { method: 'HEAD' })).status, 405);
    // fetch drops Content-Length on a GET; node:http sends it as given.
    const framed = await new Promise<number>((resolve, reject) =>
      request(`${base}/v2/lane/app/manifests/v1`, { headers: { 'content-length': '0' } }, (res) => resolve(res.resume().statusCode ?? 0))
        .on('error', reject)
        .end(),
    );
    assert.equal(framed, 200);
    assert.deepEqual(reachedFastify, [
      'GET /v2/lane/app/manifests/nope',
      'GET /v2/lane/app/manifests/v1',
      'HEAD /v2/lane/app/tags/list',
      'GET /v2/lane/app/manifests/v1',
    ]);
  });

  it('binds every address of a name like localhost, and takes a headers timeout above five minutes', async (t) => {
    // This machine's localhost may name one address; answer as hosts that list ::1 and 127.0.0.1 do.
    const lookup = dns.lookup;
    t.after(() => {
      dns.lookup = lookup;
    });
    dns.lookup = ((host: string, opts: unknown, cb?: unknown) => {
      if (host !== 'localhost') return (lookup as (...a: unknown[]) => void)(host, opts, cb);
      const addresses = [
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ];
      const done = (typeof opts === 'function' ? opts : cb) as (e: null, a: unknown, f?: number) => void;
      if (typeof opts === 'object' && opts !== null && (opts as { all?: boolean }).all) done(null, addresses);
      else done(null, addresses[0]!.address, 6);
    }) as typeof dns.lookup;
    const other = await buildHttpServer({ ...options(), headersTimeoutMs: 400_000 });
    try {
      await other.listen({ host: 'localhost', port: 0 });
      const addresses = other.addresses() as AddressInfo[];
      const bound = addresses.map((a) => a.address);
      assert.deepEqual([...bound].sort(), ['127.0.0.1', '::1'], `bound ${bound.join(', ')}`);
      const port = addresses[0]!.port;
      for (const host of ['127.0.0.1', '[::1]']) assert.equal((await fetch(`http://${host}:${port}/v2/`)).status, 200, host);
    } finally {
      await other.close();
    }
  });
});
