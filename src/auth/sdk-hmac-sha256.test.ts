// Huawei's SDK-HMAC-SHA256 verified against requests signed by the official SDK's own signer (AKSKSigner), so the
// canonical form (raw path, trailing slash, sorted query, signed headers) is checked by the real client, not by us.
import assert from 'node:assert/strict';
import { stringify } from 'node:querystring';
import { describe, it } from 'node:test';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { canonicalQuery, canonicalUri, type SdkHmacRequest, verifySdkHmac } from './sdk-hmac-sha256.ts';

const KEY = 'BKTESTKEY00000000000';
const SECRET = 'secret-of-the-test-key-0123456789abcdefgh';
const HOST = '127.0.0.1:5000';

interface Call {
  method?: string;
  path?: string;
  query?: Record<string, string | number | string[]>;
  data?: Record<string, unknown>;
  headers?: Record<string, string>;
  secret?: string;
}

/** Signs with the official SDK's own signer (as HcClient does) and returns what berth would receive. */
function signed(c: Call = {}): { req: SdkHmacRequest; date: Date } {
  const path = c.path ?? '/v2/manage/namespaces/ns/repos/team$app/tags';
  const request = {
    endpoint: `http://${HOST}${path}`,
    method: c.method ?? 'GET',
    queryParams: c.query ?? {},
    headers: { 'content-type': 'application/json', 'X-Project-Id': 'p-1', ...c.headers },
    data: c.data,
  };
  const out = AKSKSigner.sign(request as never, { getAk: () => KEY, getSk: () => c.secret ?? SECRET } as never) as Record<string, string>;
  const query = stringify(c.query ?? {});
  const rawHeaders = Object.entries(out).flatMap(([k, v]) => [k, String(v)]);
  const stamp = out['X-Sdk-Date']!;
  const date = new Date(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`);
  const body = c.data === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(c.data));
  return { req: { method: request.method, url: query === '' ? path : `${path}?${query}`, rawHeaders, body }, date };
}

const lookup = async (id: string): Promise<string | null> => (id === KEY ? SECRET : null);
const verify = (req: SdkHmacRequest, now: Date) => verifySdkHmac(req, lookup, { now });

function withHeader(req: SdkHmacRequest, name: string, value: string): SdkHmacRequest {
  const raw = [...req.rawHeaders];
  const i = raw.findIndex((h, n) => n % 2 === 0 && h.toLowerCase() === name.toLowerCase());
  if (i >= 0) raw[i + 1] = value;
  else raw.push(name, value);
  return { ...req, rawHeaders: raw };
}

describe('SDK-HMAC-SHA256 verification against the Huawei SDK signer', () => {
  it('accepts what the SDK signs: GET with a $ in the path and a query, POST with a JSON body, DELETE', async () => {
    const get = signed({ query: { limit: 10, offset: 0, filter: 'namespace::ns|mode::visible', tag: 'a b' } });
    assert.deepEqual(await verify(get.req, get.date), { ok: true, keyId: KEY });
    const post = signed({ method: 'POST', path: '/v2/manage/namespaces/ns/repos', data: { repository: 'team$app', is_public: false, description: 'héllo ✓' } });
    assert.deepEqual(await verify(post.req, post.date), { ok: true, keyId: KEY });
    const del = signed({ method: 'DELETE', path: '/v2/manage/namespaces/ns/repos/a$b' });
    assert.deepEqual(await verify(del.req, del.date), { ok: true, keyId: KEY });
  });

  it('builds the canonical URI from the raw path: per-segment encoding, %-signs encoded again, a trailing slash', () => {
    assert.equal(canonicalUri('/v2/manage/namespaces/ns/repos/a$b'), '/v2/manage/namespaces/ns/repos/a%24b/');
    assert.equal(canonicalUri('/v2/manage/x%2Fy/'), '/v2/manage/x%252Fy/');
    assert.equal(canonicalQuery('b=2&a=x%7Cy&a=%20&c'), 'a=%20&a=x%7Cy&b=2&c=');
    assert.equal(canonicalQuery('a=%zz'), null);
  });

  it('refuses a wrong secret, a tampered path, query, body or signed header, and an unsigned body', async () => {
    const now = (s: { date: Date }) => s.date;
    const wrong = signed({ secret: `${SECRET}x` });
    assert.deepEqual(await verify(wrong.req, now(wrong)), { ok: false, failure: { kind: 'mismatch', message: 'verify aksk signature fail' } });
    const s = signed({ method: 'POST', path: '/v2/manage/namespaces/ns/repos', data: { repository: 'app', is_public: false }, query: { limit: 5 } });
    const cases: SdkHmacRequest[] = [
      { ...s.req, url: s.req.url.replace('/ns/', '/other/') },
      { ...s.req, url: s.req.url.replace('limit=5', 'limit=6') },
      { ...s.req, body: Buffer.from(JSON.stringify({ repository: 'evil', is_public: true })) },
      withHeader(s.req, 'X-Project-Id', 'p-2'),
      { ...s.req, method: 'DELETE' },
    ];
    for (const c of cases) assert.equal((await verify(c, now(s))).ok, false, c.url);
    const declared = withHeader(s.req, 'X-Sdk-Content-Sha256', 'UNSIGNED-PAYLOAD');
    assert.deepEqual(await verify(declared, now(s)), {
      ok: false,
      failure: { kind: 'mismatch', message: 'X-Sdk-Content-Sha256 UNSIGNED-PAYLOAD is refused for a request with a body: sign the body' },
    });
  });

  it("uses X-Sdk-Content-Sha256 when the SDK signs it: UNSIGNED-PAYLOAD for an empty body, a hash that must be the body's", async () => {
    const unsigned = signed({ headers: { 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' } });
    assert.deepEqual(await verify(unsigned.req, unsigned.date), { ok: true, keyId: KEY });
    const body = { repository: 'app', is_public: false };
    const hash = (await import('node:crypto')).createHash('sha256').update(JSON.stringify(body)).digest('hex');
    const hashed = signed({ method: 'POST', data: body, headers: { 'X-Sdk-Content-Sha256': hash } });
    assert.deepEqual(await verify(hashed.req, hashed.date), { ok: true, keyId: KEY });
    assert.equal((await verify({ ...hashed.req, body: Buffer.from('{}') }, hashed.date)).ok, false);
  });

  it('refuses dates more than 15 minutes off, an unknown key, a missing or malformed header', async () => {
    const s = signed();
    assert.equal((await verify(s.req, new Date(s.date.getTime() + 14 * 60_000))).ok, true);
    assert.equal((await verify(s.req, new Date(s.date.getTime() - 14 * 60_000))).ok, true);
    for (const skew of [16, -16, 60 * 24]) {
      const out = await verify(s.req, new Date(s.date.getTime() + skew * 60_000));
      assert.equal(!out.ok && out.failure.kind, 'expired', `${skew} minutes`);
    }
    const unknown = await verifySdkHmac(s.req, async () => null, { now: s.date });
    assert.deepEqual(unknown, { ok: false, failure: { kind: 'unknown-key', keyId: KEY } });
    assert.deepEqual(await verify({ ...s.req, rawHeaders: [] }, s.date), { ok: false, failure: { kind: 'missing' } });
    const garbled = await verify(withHeader(s.req, 'Authorization', `SDK-HMAC-SHA256 Access=${KEY}, Signature=zz`), s.date);
    assert.equal(!garbled.ok && garbled.failure.kind === 'malformed' && garbled.failure.keyId, KEY);
    const badDate = await verify(withHeader(s.req, 'X-Sdk-Date', '2026-01-01T00:00:00Z'), s.date);
    assert.equal(!badDate.ok && badDate.failure.kind, 'malformed');
  });
});
