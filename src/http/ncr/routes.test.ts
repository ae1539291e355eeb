// The NCR routes on a real server in one process: every documented prefix, %2F decoded once, absolute paging links,
// and the signature, rights and bad-input refusals in the gateway envelope.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { openTestRegistry, pushBlob, pushImage, type TestRegistry } from '../../adapters/test-helpers.ts';
import { keyPrincipal } from '../../auth/index.ts';
import type { AccessKey } from '../../core/index.ts';
import type { SignatureAuth } from '../common/access.ts';
import { ncrPlugin } from './routes.ts';

const KEY: AccessKey = {
  id: 'BKNCRUNITKEY00000000',
  name: 't',
  secretHash: '',
  sealedSecret: '',
  createdAt: new Date(0),
  lastUsedAt: null,
  grants: [{ repositories: 'reg/*', actions: ['pull', 'push', 'delete'] }],
};
const SECRET = 'the-secret-of-the-ncr-unit-test-key-000';

function signatures(mode: 'none' | 'required'): SignatureAuth {
  return {
    mode,
    signingKey: async (id) => (id === KEY.id ? { principal: keyPrincipal(KEY), secret: SECRET } : null),
    issueLoginToken: async () => ({ token: 'a.b.c', expiresAt: new Date(0) }),
  };
}

async function server(reg: TestRegistry, mode: 'none' | 'required'): Promise<FastifyInstance> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null, undefined));
  await app.register(ncrPlugin({ deps: reg.deps, signatures: signatures(mode) }));
  return app;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** NAVER's signer: base64 HMAC-SHA256 of "METHOD URI\ntimestamp\naccessKey". */
async function call(
  app: FastifyInstance,
  method: string,
  url: string,
  o: { body?: string; sign?: boolean; at?: number; secret?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { host: 'berth.test:5000', 'content-type': 'application/json' };
  if (o.sign !== false) {
    const ts = String(o.at ?? Date.now());
    headers['x-ncp-apigw-timestamp'] = ts;
    headers['x-ncp-iam-access-key'] = KEY.id;
    headers['x-ncp-apigw-signature-v2'] = createHmac('sha256', o.secret ?? SECRET)
      .update(`${method} ${url}\n${ts}\n${KEY.id}`)
      .digest('base64');
  }
  const res = await app.inject({ method: method as 'GET', url, headers, ...(o.body !== undefined ? { payload: o.body } : {}) });
  return { status: res.statusCode, body: res.body === '' ? {} : (JSON.parse(res.body) as Record<string, unknown>) };
}

const CONFIG = JSON.stringify({ architecture: 'amd64', os: 'linux' });
const errorCode = (a: Answer): unknown => (a.body.error as { errorCode?: unknown } | undefined)?.errorCode;

let reg: TestRegistry;
let open: FastifyInstance;
let strict: FastifyInstance;
before(async () => {
  reg = await openTestRegistry({ start: new Date() });
  open = await server(reg, 'none');
  strict = await server(reg, 'required');
  const config = await pushBlob(reg.deps, 'reg/a/b/c', CONFIG);
  const layer = await pushBlob(reg.deps, 'reg/a/b/c', 'layer');
  for (const t of ['t1', 't2', 't3']) await pushImage(reg.deps, 'reg/a/b/c', t, config, [layer]);
  await pushBlob(reg.deps, 'other/x', 'x');
});
after(async () => {
  await open.close();
  await strict.close();
  await reg.close();
});

describe('NCR routes', () => {
  it('answers under every documented prefix, decodes %2F once, and pages with absolute links', async () => {
    for (const prefix of ['/ncr/api/v2', '/ncr/sgn-api/v2', '/ncr/jpn-api/v2', '/ncr/kr/v2', '/ncr/krs/v2']) {
      const page = await call(strict, 'GET', `${prefix}/repositories/reg/a%2Fb%2Fc/tags?page=2&pagesize=1`);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      assert.equal(page.body.count, 3);
      assert.deepEqual(
        (page.body.results as Array<{ name: string }>).map((t) => t.name),
        ['t2'],
      );
      assert.equal(page.body.next, `http://berth.test:5000${prefix}/repositories/reg/a%2Fb%2Fc/tags?page=3&pagesize=1`);
      assert.equal(page.body.previous, `http://berth.test:5000${prefix}/repositories/reg/a%2Fb%2Fc/tags?page=1&pagesize=1`);
    }
    const tag = (await call(strict, 'GET', '/ncr/api/v2/repositories/reg/a%2Fb%2Fc/tags/t1')).body;
    assert.deepEqual(
      (tag.images as Array<Record<string, unknown>>).map((i) => [i.architecture, i.os, i.size]),
      [['amd64', 'linux', CONFIG.length + 'layer'.length]],
    );
    assert.equal(errorCode(await call(strict, 'GET', '/ncr/api/v2/repositories/reg/a%252Fb%252Fc')), '100', 'decoded once: a%2Fb%2Fc is no name');
  });

  it('refuses bad and stale signatures with 401, keys without the grant with 403, and bad input with 400', async () => {
    const unsigned = await call(strict, 'GET', '/ncr/api/v2/repositories', { sign: false });
    assert.deepEqual([unsigned.status, errorCode(unsigned), (unsigned.body.error as { message: string }).message], [401, '200', 'Authentication Failed']);
    assert.equal((await call(strict, 'GET', '/ncr/api/v2/repositories', { secret: 'wrong' })).status, 401);
    assert.equal((await call(strict, 'GET', '/ncr/api/v2/repositories', { at: Date.now() - 6 * 60_000 })).status, 401);
    assert.equal(
      (await call(open, 'GET', '/ncr/api/v2/repositories', { at: Date.now() - 6 * 60_000 })).status,
      401,
      'a real key must sign right even with auth off',
    );
    assert.equal((await call(open, 'GET', '/ncr/api/v2/repositories', { sign: false })).status, 200);
    const denied = await call(strict, 'DELETE', '/ncr/api/v2/repositories/other/x');
    assert.deepEqual([denied.status, errorCode(denied)], [403, '210']);
    const listed = await call(strict, 'GET', '/ncr/api/v2/repositories');
    assert.deepEqual(
      (listed.body.results as Array<{ name: string }>).map((r) => r.name),
      ['reg'],
      'only registries the key may read',
    );
    // Creating a registry takes admin on reg/*, which this key lacks (docs/DIALECTS.md); bad input is checked for an admin.
    assert.equal((await call(strict, 'POST', '/ncr/api/v2/repositories/reg', { body: '{"bucket":"b"}' })).status, 403);
    assert.equal((await call(open, 'POST', '/ncr/api/v2/repositories/reg', { body: '{"bucket":', sign: false })).status, 400);
    assert.equal((await call(strict, 'GET', '/ncr/api/v2/repositories?page=0')).status, 400);
    assert.equal((await call(strict, 'GET', '/ncr/api/v2/repositories/reg/a%2Fb%2Fc/tags/sha256:abc')).status, 400);
    const missing = await call(strict, 'GET', '/ncr/api/v2/nothing/here');
    assert.deepEqual([missing.status, errorCode(missing)], [404, '300']);
  });
});
