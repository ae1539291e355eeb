// NCP signature v2 and rights on the NCR API against a real berth process: every way a signature can be wrong is a
// 401 in the gateway's envelope (code 200), a key without the grant is a 403 (code 210), the signature covers the
// raw URI (%2F and all), and malformed input of every kind is a 4xx, never a 5xx. With auth off, unsigned calls work
// but a key berth has must still sign right.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { API, assertNcrError, createKey, type Key, type NcrBerth, ncr, ncrOk, startNcrBerth } from './ncr-helpers.ts';
import { pushImage } from './oci-helpers.ts';

const MINUTE = 60_000;

describe('NCR signature and rights (auth required)', () => {
  let e: NcrBerth;
  let reader: Key;
  let stranger: Key;
  before(async () => {
    e = await startNcrBerth();
    reader = await createKey(e.berth, '--name', 'reader', '--grant', 'reg/*:pull');
    stranger = await createKey(e.berth, '--name', 'stranger', '--grant', 'other/*:pull,push,delete');
    await pushImage(e.oci, 'reg/hello/world', 'v1');
  });
  after(async () => e?.dispose());

  const image = `${API}/repositories/reg/hello%2Fworld`;

  it('accepts a signed call, also 4 minutes off either way', async () => {
    ncrOk(await ncr(e.raw, 'GET', image, e.admin));
    ncrOk(await ncr(e.raw, 'GET', image, e.admin, { timestamp: String(Date.now() - 4 * MINUTE) }));
    ncrOk(await ncr(e.raw, 'GET', `${image}/tags?page=1&pagesize=5`, e.admin, { timestamp: String(Date.now() + 4 * MINUTE) }));
  });

  it('serves the regional and government prefixes too, with links on the prefix used', async () => {
    for (const prefix of ['/ncr/sgn-api/v2', '/ncr/jpn-api/v2', '/ncr/kr/v2', '/ncr/krs/v2']) {
      const page = ncrOk<{ count: number; next: string | null; results: Array<{ name: string }> }>(
        await ncr(e.raw, 'GET', `${prefix}/repositories/reg?pagesize=1`, e.admin),
      );
      assert.deepEqual([page.count, page.results.map((r) => r.name), page.next], [1, ['hello/world'], null]);
      const prev = ncrOk<{ previous: string | null }>(await ncr(e.raw, 'GET', `${prefix}/repositories/reg/hello%2Fworld/tags?page=2&pagesize=1`, e.admin));
      assert.equal(prev.previous, `${e.berth.url}${prefix}/repositories/reg/hello%2Fworld/tags?page=1&pagesize=1`);
    }
    assert.equal((await ncr(e.raw, 'GET', '/ncr/xyz-api/v2/repositories', e.admin)).status, 404, 'an undocumented prefix is not NCR');
  });

  it('refuses with 401 "Authentication Failed": unsigned, wrong secret, unknown key, stale or future timestamp, seconds, missing header', async () => {
    const cases: Array<[string, Parameters<typeof ncr>[4]]> = [
      ['unsigned', { key: null }],
      ['wrong secret', { key: { ...e.admin, secretAccessKey: `${e.admin.secretAccessKey}x` } }],
      ['unknown key', { key: { accessKeyId: 'BKNOSUCHKEY000000000', secretAccessKey: 'x'.repeat(40) } }],
      ['stale', { timestamp: String(Date.now() - 6 * MINUTE) }],
      ['future', { timestamp: String(Date.now() + 6 * MINUTE) }],
      ['seconds', { timestamp: String(Math.floor(Date.now() / 1000)) }],
      ['not a number', { timestamp: new Date().toISOString() }],
      ['garbage signature', { extraHeaders: { 'x-ncp-apigw-signature-v2': 'not-base64!' } }],
      ['no signature', { extraHeaders: { 'x-ncp-apigw-signature-v2': '' } }],
    ];
    for (const [what, o] of cases) {
      const body = assertNcrError(await ncr(e.raw, 'GET', image, e.admin, o), 401, '200');
      assert.equal(body.error.message, 'Authentication Failed', what);
      assert.ok(!body.error.details.includes(e.admin.secretAccessKey), `${what}: the secret is never echoed`);
    }
  });

  it('the signature covers the raw URI: signing the decoded %2F, another query or another method fails', async () => {
    assertNcrError(await ncr(e.raw, 'GET', image, e.admin, { signedUri: `${API}/repositories/reg/hello/world` }), 401, '200');
    assertNcrError(await ncr(e.raw, 'GET', `${image}/tags?page=2`, e.admin, { signedUri: `${image}/tags?page=1` }), 401, '200');
    assertNcrError(await ncr(e.raw, 'GET', `${image}/tags`, e.admin, { signedUri: `${image}/tags?page=1` }), 401, '200');
    ncrOk(await ncr(e.raw, 'GET', `${API}/repositories/reg/hello%2fworld`, e.admin), 200);
  });

  it('a key without the grant gets 403 "Permission Denied" (code 210); reads need pull, deletes need delete', async () => {
    ncrOk(await ncr(e.raw, 'GET', image, reader));
    ncrOk(await ncr(e.raw, 'GET', `${API}/repositories/reg`, reader));
    const denied = assertNcrError(await ncr(e.raw, 'DELETE', image, reader), 403, '210');
    assert.equal(denied.error.message, 'Permission Denied');
    assertNcrError(await ncr(e.raw, 'DELETE', `${image}/tags/v1`, reader), 403, '210');
    assertNcrError(await ncr(e.raw, 'PATCH', image, reader, { body: { description: 'x' } }), 403, '210');
    assertNcrError(await ncr(e.raw, 'POST', `${API}/repositories/reg2`, reader, { body: { bucket: 'b' } }), 403, '210');
    assertNcrError(await ncr(e.raw, 'GET', image, stranger), 403, '210');
    assertNcrError(await ncr(e.raw, 'GET', `${API}/repositories/reg`, stranger), 403, '210');
    const visible = ncrOk<{ count: number; results: Array<{ name: string }> }>(await ncr(e.raw, 'GET', `${API}/repositories`, stranger));
    assert.deepEqual([visible.count, visible.results], [0, []], 'registries the key cannot read are not listed');
    assert.equal((await e.oci.get('/v2/reg/hello/world/manifests/v1')).status, 200, 'nothing was deleted');
  });

  it('bad input is a 4xx in the gateway envelope, never a 5xx', async () => {
    const bad: Array<[string, string, string | undefined, number, string]> = [
      ['POST', `${API}/repositories/newreg`, '{"bucket": ', 400, '100'],
      ['POST', `${API}/repositories/newreg`, '"bucket"', 400, '100'],
      ['POST', `${API}/repositories/newreg`, '{"bucket": 5}', 400, '100'],
      ['POST', `${API}/repositories/newreg`, '{"bucket": "b", "storageType": 7}', 400, '100'],
      ['POST', `${API}/repositories/Bad_Name`, '{"bucket": "b"}', 400, '100'],
      ['PATCH', image, '{"full_description": 1}', 400, '100'],
      ['GET', `${API}/repositories?page=0`, undefined, 400, '100'],
      ['GET', `${API}/repositories?pagesize=-1`, undefined, 400, '100'],
      ['GET', `${API}/repositories?page=abc`, undefined, 400, '100'],
      ['GET', `${API}/repositories?page=99999999999`, undefined, 400, '100'],
      ['GET', `${image}/tags/${encodeURIComponent('sha256:abc')}`, undefined, 400, '100'],
      ['GET', `${image}/tags/-bad`, undefined, 400, '100'],
      ['GET', `${API}/repositories/reg/..%2F..%2Fetc`, undefined, 400, '100'],
      ['GET', `${API}/repositories/reg/UPPER`, undefined, 400, '100'],
      ['PUT', image, '{}', 404, '300'],
      ['GET', `${API}/repositories/reg/hello/world`, undefined, 404, '300'],
      ['GET', `${API}/repositories/`, undefined, 404, '300'],
      ['GET', `${API}/registries`, undefined, 404, '300'],
      ['DELETE', `${API}/repositories`, undefined, 404, '300'],
    ];
    for (const [method, uri, body, status, code] of bad) {
      assertNcrError(await ncr(e.raw, method, uri, e.admin, body === undefined ? {} : { body }), status, code);
    }
    const huge = await ncr(e.raw, 'PATCH', image, e.admin, { body: JSON.stringify({ description: 'x'.repeat(2 << 20) }) });
    assertNcrError(huge, 413, '430');
    // Percent-escapes the HTTP router itself cannot decode (not hex, not UTF-8) are refused before NCR sees them:
    // still a 400, in the server's generic shape.
    for (const segment of ['%zz', '%C3%28', '%E0%A4%A']) {
      const broken = await ncr(e.raw, 'GET', `${API}/repositories/reg/${segment}`, e.admin);
      assert.equal(broken.status, 400, broken.describe());
    }
  });
});

describe('NCR with auth off', () => {
  let e: NcrBerth;
  before(async () => {
    e = await startNcrBerth({ auth: 'none' });
    await pushImage(e.raw, 'reg/app', 'v1');
  });
  after(async () => e?.dispose());

  it('unsigned and unknown-key calls act as admin, a real key with a stale timestamp is still refused', async () => {
    const list = ncrOk<{ count: number; results: Array<{ name: string; public_reg_status: boolean }> }>(await ncr(e.raw, 'GET', `${API}/repositories`, null));
    assert.deepEqual(
      list.results.map((r) => [r.name, r.public_reg_status]),
      [['reg', true]],
    );
    ncrOk(await ncr(e.raw, 'GET', `${API}/repositories/reg/app/tags/v1`, { accessKeyId: 'BKNOSUCHKEY000000000', secretAccessKey: 'y' }));
    assertNcrError(await ncr(e.raw, 'GET', `${API}/repositories/reg/app`, e.admin, { timestamp: String(Date.now() - 10 * MINUTE) }), 401, '200');
    assertNcrError(await ncr(e.raw, 'GET', `${API}/repositories/reg/app`, { ...e.admin, secretAccessKey: 'wrong' }), 401, '200');
    ncrOk(await ncr(e.raw, 'DELETE', `${API}/repositories/reg/app`, e.admin), 204);
  });
});
