// The whole server, built from the dialect list in one process: every dialect registered side by side, undecodable
// request targets answered in each dialect's shape, and the metric label taken from the same list.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { openTestRegistry, type TestRegistry } from '../adapters/test-helpers.ts';
import { memoryKeys } from '../auth/test-helper.ts';
import { PullRecorder } from '../core/index.ts';
import { createAuth } from './common/auth-gate.ts';
import { buildHttpServer, type HttpServerOptions } from './server.ts';

describe('the HTTP server built from the dialect list', () => {
  let reg: TestRegistry;
  let app: FastifyInstance;
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
    app = await buildHttpServer({
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
});
