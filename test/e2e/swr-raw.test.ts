// The SWR API over raw HTTP (signed by the SDK's own signer) for what the SDK hides or cannot send: the error object
// of every kind of bad input (400 with SWR's codes, never a 5xx), unknown APIs, the v3 marker listings, v2 paging with
// Content-Range, the login-token lifetimes, and OCI repositories whose names start with "manage/" still served by /v2.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ACCEPT_MANIFESTS, assertError, MT, pushImage, putManifest } from './oci-helpers.ts';
import { assertSwrError, basic, type RawCall, type SwrBerth, startSwrBerth, swrNamespace, swrRaw } from './swr-helpers.ts';

describe('SWR raw HTTP: error shapes, listings and routing', () => {
  let e: SwrBerth;
  let ns: string;
  before(async () => {
    e = await startSwrBerth();
    ns = swrNamespace('raw');
    const img = await pushImage(e.oci, `${ns}/team/app`, 't00');
    for (let i = 1; i < 7; i++) await putManifest(e.oci, `${ns}/team/app`, `t${String(i).padStart(2, '0')}`, img.bytes, MT.ociManifest);
    for (const r of ['a1', 'a2', 'a3', 'b/c']) await pushImage(e.oci, `${ns}/${r}`, 'v1');
  });
  after(async () => e?.dispose());

  const call = (method: string, path: string, o: RawCall = {}) => swrRaw(e.raw, method, path, { key: e.admin, ...o });

  it('bad bodies are 400 SVCSTG.SWR.4000014: not JSON, not an object, wrong types, unknown category, too large', async () => {
    const repos = `/v2/manage/namespaces/${ns}/repos`;
    for (const body of [
      '{not json',
      '[1,2]',
      '"text"',
      JSON.stringify({ repository: 'x' }),
      JSON.stringify({ repository: 'x', is_public: 'yes' }),
      JSON.stringify({ repository: 'x', is_public: false, category: 'games' }),
    ]) {
      assertSwrError(await call('POST', repos, { body }), 400, 'SVCSTG.SWR.4000014');
    }
    assertSwrError(await call('POST', '/v2/manage/namespaces', { body: { namespace: 42 } }), 400, 'SVCSTG.SWR.4000014');
    assertSwrError(await call('POST', repos, { body: { repository: 'x', is_public: false, description: 'd'.repeat(300 * 1024) } }), 400, 'SVCSTG.SWR.4000014');
    assertSwrError(await call('PATCH', `${repos}/a1`, { body: { description: 'no is_public' } }), 400, 'SVCSTG.SWR.4000014');
  });

  it("names that break SWR's rules are 400 with SWR's codes (namespace, repository, tag)", async () => {
    for (const bad of ['Upper', '1digit', 'a..b', 'a_-b', `a${'b'.repeat(64)}`, 'ends-']) {
      assertSwrError(await call('GET', `/v2/manage/namespaces/${bad}`), 400, 'SVCSTG.SWR.4000014');
      assertSwrError(await call('POST', '/v2/manage/namespaces', { body: { namespace: bad } }), 400, 'SVCSTG.SWR.4000014');
    }
    for (const bad of ['Team$App', 'a$$b', '-a', 'a%2Fb', `a${'b'.repeat(128)}`, 'a$']) {
      assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/${bad}`), 400, 'SVCSTG.SWR.4000015');
    }
    assertSwrError(await call('POST', `/v2/manage/namespaces/${ns}/repos`, { body: { repository: 'a//b', is_public: false } }), 400, 'SVCSTG.SWR.4000015');
    for (const bad of ['-x', '.x', 'a%20b', 'x'.repeat(129)]) {
      assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags/${bad}`), 400, 'SVCSTG.SWR.4000016');
    }
    assertSwrError(
      await call('POST', `/v2/manage/namespaces/${ns}/repos/team$app/tags`, { body: { source_tag: 't00', destination_tag: 'a b' } }),
      400,
      'SVCSTG.SWR.4000016',
    );
  });

  it('unknown namespace, repository and tag are 404 with distinct codes; a percent-encoded $ is understood', async () => {
    assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}x/repos/app`), 404, 'SVCSTG.SWR.4040001');
    assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}x`), 404, 'SVCSTG.SWR.4040001');
    assertSwrError(await call('DELETE', `/v2/manage/namespaces/${ns}x`), 404, 'SVCSTG.SWR.4040001');
    assertSwrError(await call('POST', `/v2/manage/namespaces/${ns}x/repos`, { body: { repository: 'x', is_public: false } }), 404, 'SVCSTG.SWR.4040001');
    assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/nope`), 404, 'SVCSTG.SWR.4040004');
    assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/nope/tags`), 404, 'SVCSTG.SWR.4040004');
    assertSwrError(await call('DELETE', `/v2/manage/namespaces/${ns}/repos/nope/tags/v1`), 404, 'SVCSTG.SWR.4040004');
    assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags/nope`), 404, 'SVCSTG.SWR.4040010');
    const encoded = await call('GET', `/v2/manage/namespaces/${ns}/repos/team%24app`);
    assert.equal(encoded.status, 200, encoded.describe());
  });

  it('path segments are decoded once after the signature: an encoded unreserved character is itself; %2E%2E and %25 are refused', async () => {
    // A namespace of its own, so the listings the other cases count stay as they are.
    const ns = swrNamespace('decode');
    await pushImage(e.oci, `${ns}/bypush`, 'v1');
    const hex = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
    for (const path of [
      `/v2/manage/namespaces/${ns}/repos/by%70ush`,
      `/v2/manage/namespaces/${hex(ns[0]!)}${ns.slice(1)}/repos/bypush`,
      `/v2/manage/namespaces/${ns}/repos/by%70ush/tags`,
      `/v2/manage/namespaces/${ns}/repos/bypush/tags/v%31`,
      `/v2/manage/namespaces/${ns}/repos/b%79push`,
    ]) {
      const ok = await call('GET', path);
      assert.equal(ok.status, 200, `${path}: ${ok.describe()}`);
    }
    for (const bad of ['%2E%2E', 'a%25b', '%25', 'a%2570', 'by%2Fpush', 'by%00push']) {
      assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/${bad}`), 400, 'SVCSTG.SWR.4000015');
    }
    assertSwrError(await call('GET', '/v2/manage/namespaces/%2E%2E'), 400, 'SVCSTG.SWR.4000014');
    assertSwrError(await call('GET', `/v2/manage/namespaces/${ns}/repos/bypush/tags/v%25`), 400, 'SVCSTG.SWR.4000016');
  });

  it("paths and methods SWR does not have are 404 APIGW.0101 in SWR's shape, never the OCI envelope", async () => {
    for (const [method, path] of [
      ['GET', '/v2/manage/nothing'],
      ['PUT', '/v2/manage/namespaces'],
      ['GET', `/v2/manage/namespaces/${ns}/repos`],
      ['HEAD', '/v2/manage/namespaces'],
      ['GET', '/v3/manage/namespaces'],
      ['GET', '/v2/manage/namespaces/a/b/c/d/e/f/g'],
    ] as const) {
      const res = await call(method, path);
      assert.equal(res.status, 404, res.describe());
      assert.match(res.header('x-request-id') ?? '', /^[0-9a-f]{32}$/, res.describe());
      if (method !== 'HEAD') assertSwrError(res, 404, 'APIGW.0101');
    }
  });

  it('an OCI repository named manage/... is still served by /v2; an OCI-shaped path that is an SWR route belongs to SWR', async () => {
    const oci = `manage/${ns}/web`;
    const img = await pushImage(e.oci, oci, 'latest');
    const pulled = await e.oci.get(`/v2/${oci}/manifests/latest`, { headers: { accept: ACCEPT_MANIFESTS } });
    assert.deepEqual([pulled.status, pulled.header('docker-content-digest')], [200, img.digest]);
    const tags = await e.oci.get(`/v2/${oci}/tags/list`);
    assert.deepEqual(tags.json<{ tags: string[] }>().tags, ['latest']);
    assertError(await e.oci.get('/v2/manage/nothing/here/manifests/latest', { headers: { accept: ACCEPT_MANIFESTS } }), 404, 'NAME_UNKNOWN');
    const swrTag = await call('GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags/list`);
    assertSwrError(swrTag, 404, 'SVCSTG.SWR.4040010');
  });

  it('v2 listings page with limit/offset and report Content-Range offset-count/total; order_type desc; bad paging is 400', async () => {
    const page = await call('GET', '/v2/manage/repos', { query: { namespace: ns, limit: '2', offset: '1' } });
    assert.equal(page.status, 200, page.describe());
    assert.deepEqual([page.json<Array<{ name: string }>>().map((r) => r.name), page.header('content-range')], [['a2', 'a3'], '1-2/5']);
    const desc = await call('GET', '/v2/manage/repos', { query: { filter: `namespace::${ns}|order_type::desc`, limit: '2' } });
    assert.deepEqual(
      desc.json<Array<{ name: string }>>().map((r) => r.name),
      ['team/app', 'b/c'],
    );
    const named = await call('GET', '/v2/manage/repos', { query: { namespace: ns, name: 'a' } });
    assert.deepEqual(
      named.json<Array<{ name: string }>>().map((r) => r.name),
      ['a1', 'a2', 'a3', 'team/app'],
    );
    const tags = await call('GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags`, { query: { limit: '3', offset: '5' } });
    assert.deepEqual([tags.json<Array<{ Tag: string }>>().map((t) => t.Tag), tags.header('content-range')], [['t05', 't06'], '5-2/7']);
    const newest = await call('GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags`, {
      query: { order_column: 'updated_at', order_type: 'desc', limit: '1' },
    });
    assert.deepEqual(
      newest.json<Array<{ Tag: string }>>().map((t) => t.Tag),
      ['t06'],
    );
    for (const query of [
      { limit: '0' },
      { limit: '1001' },
      { offset: '-1' },
      { limit: 'ten' },
      { order_column: 'size' },
      { order_type: 'sideways' },
      { is_public: 'maybe' },
      { filter: 'nonsense' },
    ] as Array<Record<string, string>>) {
      assertSwrError(await call('GET', '/v2/manage/repos', { query }), 400, 'SVCSTG.SWR.4000014');
    }
    // A repeated parameter is refused: the signature sorts repeated values, so their order is not protected.
    const twice = await e.raw.get(`/v2/manage/repos?namespace=${ns}&namespace=other`);
    assertSwrError(twice, 400, 'SVCSTG.SWR.4000014');
  });

  it('v3 listings page with markers until there is no nextMarker; a forged marker is 400', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 10; i++) {
      const res = await call('GET', '/v3/manage/repos', { query: { namespace: ns, limit: '2', ...(marker ? { marker } : {}) } });
      assert.equal(res.status, 200, res.describe());
      const body = res.json<{ repos: Array<{ name: string; num_images: number }>; nextMarker?: string }>();
      seen.push(...body.repos.map((r) => r.name));
      marker = body.nextMarker;
      if (marker === undefined) break;
    }
    assert.deepEqual(seen, ['a1', 'a2', 'a3', 'b/c', 'team/app']);
    const tags: string[] = [];
    marker = undefined;
    for (let i = 0; i < 10; i++) {
      const res = await call('GET', `/v3/manage/namespaces/${ns}/repos/team$app/tags`, { query: { limit: '3', ...(marker ? { marker } : {}) } });
      const body = res.json<{ tags: Array<{ tag: string; manifest: string }>; nextMarker?: string }>();
      tags.push(...body.tags.map((t) => t.tag));
      assert.ok(
        body.tags.every((t) => t.manifest === ''),
        'the manifest only with with_manifest=true',
      );
      marker = body.nextMarker;
      if (marker === undefined) break;
    }
    assert.deepEqual(tags, ['t00', 't01', 't02', 't03', 't04', 't05', 't06']);
    assertSwrError(await call('GET', '/v3/manage/repos', { query: { marker: '%%%' } }), 400, 'SVCSTG.SWR.4000014');
  });

  it('createSecret honours duration_seconds (15 min to 24 h) and X-Swr-Expireat; createAuthorizationToken logs in too', async () => {
    const short = await call('POST', '/v2/manage/utils/secret', { query: { duration_seconds: '900' } });
    assert.equal(short.status, 200, short.describe());
    const expires = Date.parse(short.header('x-swr-expireat') ?? '');
    assert.ok(Math.abs(expires - (Date.now() + 900_000)) < 30_000, `X-Swr-Expireat ${short.header('x-swr-expireat')}`);
    for (const bad of ['899', '86401', 'soon'])
      assertSwrError(await call('POST', '/v2/manage/utils/secret', { query: { duration_seconds: bad } }), 400, 'SVCSTG.SWR.4000014');
    const token = await call('POST', '/v2/manage/utils/authorizationtoken');
    assert.equal(token.status, 200, token.describe());
    const auth = Object.values(token.json<{ auths: Record<string, { auth: string }> }>().auths)[0]!.auth;
    const [user, ...rest] = Buffer.from(auth, 'base64').toString('utf8').split(':');
    const v2 = await fetch(`${e.berth.url}/v2/${ns}/a1/tags/list`, { headers: { authorization: basic(user!, rest.join(':')) } });
    assert.equal(v2.status, 200);
  });
});
