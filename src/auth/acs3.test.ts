// ACS3-HMAC-SHA256 verification against the signer of Alibaba's own SDK core (@alicloud/openapi-util, what
// @alicloud/openapi-client signs with), then against every way a request can be altered after signing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import OpenApiUtilModule from '@alicloud/openapi-util';
import { type Acs3Request, verifyAcs3 } from './acs3.ts';

interface SdkUtil {
  getAuthorization(
    request: { pathname: string; method: string; query: Record<string, string>; headers: Record<string, string> },
    algorithm: string,
    payload: string,
    keyId: string,
    secret: string,
  ): string;
}
const OpenApiUtil = (OpenApiUtilModule as unknown as { default: SdkUtil }).default;

const NOW = new Date('2026-03-01T10:00:00Z');
const secretOf = async (id: string): Promise<string | null> => (id === 'BKTEST' ? 'the-secret' : null);
const hex = (b: string | Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Built {
  req: Acs3Request;
  headers: Record<string, string>;
}

/** A request as the SDK's doRequest builds it, signed by the SDK's own code. */
function sdkSigned(
  o: { query?: Record<string, string>; body?: string; date?: string; method?: string; secret?: string; extra?: Record<string, string> } = {},
): Built {
  const body = o.body ?? '';
  const query = o.query ?? { RegionId: 'cn-hangzhou', RepoId: 'crr-0123456789abcdef', ClientToken: "tok en*~!'()é" };
  const headers: Record<string, string> = {
    host: '127.0.0.1:5000',
    'x-acs-version': '2021-05-21',
    'x-acs-action': 'DeleteAcrImageRepositories',
    'user-agent': 'AlibabaCloud (test)',
    'x-acs-date': o.date ?? '2026-03-01T10:05:00Z',
    'x-acs-signature-nonce': 'abc123',
    accept: 'application/json',
    ...(body === '' ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
    'x-acs-content-sha256': hex(body),
    ...(o.extra ?? {}),
  };
  const method = o.method ?? 'POST';
  headers.Authorization = OpenApiUtil.getAuthorization(
    { pathname: '/', method, query, headers },
    'ACS3-HMAC-SHA256',
    hex(body),
    'BKTEST',
    o.secret ?? 'the-secret',
  );
  return { headers, req: { method, path: '/', query: Object.entries(query), rawHeaders: Object.entries(headers).flat(), body: Buffer.from(body) } };
}

function kind(o: Awaited<ReturnType<typeof verifyAcs3>>): string {
  return o.ok ? 'ok' : o.failure.kind;
}

function withHeader(b: Built, name: string, value: string | null): Acs3Request {
  const entries = Object.entries(b.headers).filter(([k]) => k !== name);
  if (value !== null) entries.push([name, value]);
  return { ...b.req, rawHeaders: entries.flat() };
}

describe('ACS3-HMAC-SHA256', () => {
  it('accepts what the SDK signs (query values with spaces, *, ~, quotes and non-ASCII; a form body), returning key and nonce', async () => {
    assert.deepEqual(await verifyAcs3(sdkSigned().req, secretOf, { now: NOW }), { ok: true, keyId: 'BKTEST', nonce: 'abc123' });
    assert.equal(kind(await verifyAcs3(sdkSigned({ query: {}, body: 'RepoId=crr-1&Tag=v1' }).req, secretOf, { now: NOW })), 'ok');
    assert.equal(kind(await verifyAcs3(sdkSigned({ method: 'GET' }).req, secretOf, { now: NOW })), 'ok');
  });

  it('refuses a changed query value, method, body, signed header, and a wrong secret', async () => {
    const b = sdkSigned();
    const q = b.req.query.map(([k, v]) => [k, k === 'RepoId' ? 'crr-ffffffffffffffff' : v] as const);
    assert.equal(kind(await verifyAcs3({ ...b.req, query: q }, secretOf, { now: NOW })), 'mismatch');
    assert.equal(kind(await verifyAcs3({ ...b.req, query: [...b.req.query, ['Extra', '1']] }, secretOf, { now: NOW })), 'mismatch');
    assert.equal(kind(await verifyAcs3({ ...b.req, method: 'GET' }, secretOf, { now: NOW })), 'mismatch');
    assert.equal(
      kind(await verifyAcs3({ ...b.req, body: Buffer.from('x') }, secretOf, { now: NOW })),
      'mismatch',
      'the body no longer matches x-acs-content-sha256',
    );
    assert.equal(kind(await verifyAcs3(withHeader(b, 'x-acs-action', 'DeleteAcrImageTags'), secretOf, { now: NOW })), 'mismatch');
    assert.equal(kind(await verifyAcs3(sdkSigned({ secret: 'wrong' }).req, secretOf, { now: NOW })), 'mismatch');
  });

  it('ignores unsigned headers, but requires host, date, nonce, content hash and the action to be signed', async () => {
    const b = sdkSigned();
    assert.equal(kind(await verifyAcs3({ ...b.req, rawHeaders: [...b.req.rawHeaders, 'x-forwarded-for', '10.0.0.1'] }, secretOf, { now: NOW })), 'ok');
    // Signed without x-acs-action (the SDK always signs it), then sent with one: the operation would be unprotected.
    const noAction = sdkSigned({ extra: {} });
    const headers = { ...noAction.headers };
    delete headers['x-acs-action'];
    headers.Authorization = OpenApiUtil.getAuthorization(
      { pathname: '/', method: 'POST', query: {}, headers: { ...headers, Authorization: '' } },
      'ACS3-HMAC-SHA256',
      hex(''),
      'BKTEST',
      'the-secret',
    );
    const req = { ...noAction.req, query: [], rawHeaders: [...Object.entries(headers).flat(), 'x-acs-action', 'DeleteAcrImageRepositories'] };
    assert.equal(kind(await verifyAcs3(req, secretOf, { now: NOW })), 'incomplete');
    assert.equal(kind(await verifyAcs3(withHeader(b, 'x-acs-signature-nonce', null), secretOf, { now: NOW })), 'incomplete');
  });

  it('refuses an unknown key, an unreadable header, a date over 15 minutes off or malformed; nothing signed is "missing"', async () => {
    const b = sdkSigned();
    assert.equal(
      kind(await verifyAcs3(withHeader(b, 'Authorization', b.headers.Authorization!.replace('BKTEST', 'BKNOPE')), secretOf, { now: NOW })),
      'unknown-key',
    );
    assert.equal(kind(await verifyAcs3(withHeader(b, 'Authorization', 'ACS3-HMAC-SHA256 Credential=BKTEST'), secretOf, { now: NOW })), 'malformed');
    assert.equal(kind(await verifyAcs3(withHeader(b, 'Authorization', null), secretOf, { now: NOW })), 'missing');
    assert.equal(kind(await verifyAcs3(sdkSigned({ date: '2026-03-01T09:44:59Z' }).req, secretOf, { now: NOW })), 'expired');
    assert.equal(kind(await verifyAcs3(sdkSigned({ date: '2026-03-01T10:15:01Z' }).req, secretOf, { now: NOW })), 'expired');
    assert.equal(kind(await verifyAcs3(sdkSigned({ date: '2026-03-01T09:45:01Z' }).req, secretOf, { now: NOW })), 'ok');
    assert.equal(kind(await verifyAcs3(sdkSigned({ date: 'Sun, 01 Mar 2026 10:00:00 GMT' }).req, secretOf, { now: NOW })), 'bad-timestamp');
  });
});
