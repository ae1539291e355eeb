// The console's file server on its own: only whitelisted files, the right types, the CSP and other headers on every
// answer, ETag revalidation, gzip, deep links answered with index.html, and everything else 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadUiFiles, VENDOR_PATH } from './files.ts';
import { CONTENT_SECURITY_POLICY, uiPlugin } from './plugin.ts';
import { CLIENT_ROUTES, isClientRoute } from './routes.ts';

describe('the console under /ui/', () => {
  let app: FastifyInstance;
  const files = loadUiFiles();
  before(async () => {
    app = Fastify();
    await app.register(uiPlugin(files));
  });
  after(async () => app?.close());
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('serves index.html, its scripts, styles and the vendored Preact + htm with their types and the security headers', async () => {
    for (const [url, type] of [
      ['/ui/', 'text/html; charset=utf-8'],
      ['/ui/app.js', 'text/javascript; charset=utf-8'],
      ['/ui/app.css', 'text/css; charset=utf-8'],
      ['/ui/favicon.svg', 'image/svg+xml'],
      [`/ui/${VENDOR_PATH}`, 'text/javascript; charset=utf-8'],
    ] as const) {
      const r = await get(url);
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.headers['content-type'], type, url);
      assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY, url);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.equal(r.headers['set-cookie'], undefined);
    }
    assert.match(CONTENT_SECURITY_POLICY, /default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:;/);
    assert.match((await get(`/ui/${VENDOR_PATH}`)).body, /useState/);
  });

  it('answers a matching If-None-Match with 304 and no body, and sends gzip only to who accepts it', async () => {
    const first = await get('/ui/app.js');
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[\w-]{22}"$/);
    const again = await get('/ui/app.js', { 'if-none-match': etag });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    const zipped = await get(`/ui/${VENDOR_PATH}`, { 'accept-encoding': 'gzip, br' });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.ok(zipped.rawPayload.length < files.get(VENDOR_PATH)!.body.length);
    assert.equal((await get(`/ui/${VENDOR_PATH}`)).headers['content-encoding'], undefined);
  });

  it('answers every client route with index.html (deep links), /ui with a redirect, and anything else 404', async () => {
    const index = files.get('index.html')!.body.toString();
    for (const url of ['/ui/', '/ui/login?next=/ui/gc', '/ui/repositories', '/ui/repositories/team/app', '/ui/gc', '/ui/keys', '/ui/audit', '/ui/pins']) {
      const r = await get(url);
      assert.equal(r.statusCode, 200, url);
      assert.equal(r.body, index, url);
    }
    const root = await get('/ui?x=1');
    assert.equal(root.statusCode, 301);
    assert.equal(root.headers.location, '/ui/?x=1');
    for (const url of [
      '/ui/nothing',
      '/ui/app.ts',
      '/ui/../package.json',
      '/ui/%2e%2e/package.json',
      '/ui/lib',
      '/ui/gc/x',
      '/ui/repositories//x',
      '/ui/format.test.js',
    ]) {
      const r = await get(url);
      assert.equal(r.statusCode, 404, url);
      // (a dot-dot path is resolved before routing and never reaches the console's handler)
      if (!/\.\.|%2e%2e/.test(url)) assert.equal(r.headers['content-security-policy'], CONTENT_SECURITY_POLICY, url);
    }
    // An undecodable target is refused by the router itself (the real server answers it with its bad-URL 400).
    assert.equal((await get('/ui/%ff')).statusCode, 400);
    assert.equal((await app.inject({ method: 'POST', url: '/ui/' })).statusCode, 404);
  });

  it('index.html preloads exactly the modules the first page imports statically (no waterfall, nothing extra)', () => {
    const graph = new Set<string>();
    const visit = (path: string): void => {
      if (graph.has(path)) return;
      graph.add(path);
      if (path === VENDOR_PATH) return;
      const text = files.get(path)!.body.toString();
      for (const m of text.matchAll(/^(?:import|export) [^;]*? from '([^']+)';$/gm)) {
        const target = new URL(m[1]!, `http://x/${path}`).pathname.slice(1);
        visit(target);
      }
    };
    visit('app.js');
    const index = files.get('index.html')!.body.toString();
    const preloaded = [...index.matchAll(/<link rel="modulepreload" href="\/ui\/([^"]+)">/g)].map((m) => m[1]!);
    assert.deepEqual(new Set(preloaded), graph);
    assert.equal(preloaded.length, graph.size);
  });

  it('knows the same client routes as the console router', async () => {
    const { readFile } = await import('node:fs/promises');
    const router = await readFile(new URL('../../../console/lib/routes.js', import.meta.url), 'utf8');
    const list = /export const ROUTES = (\[[^\]]*\])/.exec(router)?.[1];
    assert.deepEqual(JSON.parse(String(list).replaceAll("'", '"')), [...CLIENT_ROUTES]);
    assert.equal(isClientRoute(''), true);
    assert.equal(isClientRoute('repositories/'), false);
  });
});
