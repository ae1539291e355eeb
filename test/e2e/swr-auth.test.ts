// SDK-HMAC-SHA256 and X-Auth-Token as berth checks them on the SWR API, with requests signed by the Huawei SDK's own
// signer and then altered: a wrong secret, a stale X-Sdk-Date, tampering, an unknown key and no credentials are
// 401 APIGW.0301; grants hold per repository and per namespace; berth tokens work as X-Auth-Token; auth off lets
// unsigned calls in but still checks a signature made with an existing key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as swr from '@huaweicloud/huaweicloud-sdk-swr';
import { runBerth } from './harness.ts';
import { pushImage } from './oci-helpers.ts';
import {
  AuthClient,
  assertSwrError,
  basic,
  createKey,
  type Key,
  type SwrBerth,
  sdkRejects,
  startSwrBerth,
  swrClient,
  swrNamespace,
  swrRaw,
} from './swr-helpers.ts';

const MINUTE = 60_000;
/** X-Sdk-Date as the SDK writes it (YYYYMMDDTHHMMSSZ), for a request signed at another time. */
const sdkDate = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

describe('SWR authentication and authorization (auth required)', () => {
  let e: SwrBerth;
  let ns: string;
  before(async () => {
    e = await startSwrBerth();
    ns = swrNamespace('auth');
    await pushImage(e.oci, `${ns}/app`, 'v1');
  });
  after(async () => e?.dispose());

  const show = (o: Parameters<typeof swrRaw>[3]) => swrRaw(e.raw, 'GET', `/v2/manage/namespaces/${ns}/repos/app`, o);

  it('accepts a signed request, also one signed 10 minutes off; every answer carries X-Request-Id', async () => {
    const ok = await show({ key: e.admin });
    assert.equal(ok.status, 200, ok.describe());
    assert.match(ok.header('x-request-id') ?? '', /^[0-9a-f]{32}$/);
    for (const skew of [-10, 10]) {
      const res = await show({ key: e.admin, signedHeaders: { 'X-Sdk-Date': sdkDate(new Date(Date.now() + skew * MINUTE)) } });
      assert.equal(res.status, 200, `${skew} min: ${res.describe()}`);
    }
  });

  it('a wrong secret, a stale date, an unknown key, tampering and no credentials are 401 APIGW.0301', async () => {
    const wrong: Key = { accessKeyId: e.admin.accessKeyId, secretAccessKey: `${e.admin.secretAccessKey}x` };
    const err = await sdkRejects(swrClient(e.berth.url, wrong).showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns)), 401, 'APIGW.0301');
    assert.ok(!err.errorMsg!.includes(e.admin.secretAccessKey), 'the message does not echo the secret');
    for (const skew of [-20, 20, -60 * 24 * 30]) {
      assertSwrError(await show({ key: e.admin, signedHeaders: { 'X-Sdk-Date': sdkDate(new Date(Date.now() + skew * MINUTE)) } }), 401, 'APIGW.0301');
    }
    await sdkRejects(
      swrClient(e.berth.url, { accessKeyId: 'BKNOSUCHKEY000000000', secretAccessKey: 'x'.repeat(40) }).showNamespace(
        new swr.ShowNamespaceRequest().withNamespace(ns),
      ),
      401,
      'APIGW.0301',
    );
    const body = { repository: 'other', is_public: false };
    const tamperedBody = await swrRaw(e.raw, 'POST', `/v2/manage/namespaces/${ns}/repos`, {
      key: e.admin,
      body,
      sendBody: JSON.stringify({ ...body, repository: 'evil' }),
    });
    assertSwrError(tamperedBody, 401, 'APIGW.0301');
    const signed = await swrRaw(e.raw, 'GET', '/v2/manage/repos', { key: e.admin, query: { namespace: ns } });
    assert.equal(signed.status, 200, signed.describe());
    const moved = await swrRaw(e.raw, 'GET', '/v2/manage/repos', { key: e.admin, query: { namespace: ns }, extraHeaders: { 'X-Project-Id': 'another' } });
    assertSwrError(moved, 401, 'APIGW.0301');
    assertSwrError(await show({}), 401, 'APIGW.0301');
    assertSwrError(await show({ extraHeaders: { authorization: basic(e.admin.accessKeyId, e.admin.secretAccessKey) } }), 401, 'APIGW.0301');
    assertSwrError(await show({ extraHeaders: { authorization: 'SDK-HMAC-SHA256 Access=nothing-else' } }), 401, 'APIGW.0301');
    assert.equal((await e.raw.get(`/v2/${ns}/app/manifests/v1`)).status, 401, 'and /v2 still wants credentials');
  });

  it('X-Auth-Token: a login token from createSecret acts as its key, a /token token within its scopes, anything else is 401', async () => {
    const secret = await e.sdk.createSecret(new swr.CreateSecretRequest());
    const auth = Object.values(secret.auths ?? {})[0]!.auth!;
    const password = Buffer.from(auth, 'base64').toString('utf8').split(':').slice(1).join(':');
    const byLogin = await e.raw.get(`/v2/manage/namespaces/${ns}`, { headers: { 'x-auth-token': password } });
    assert.equal(byLogin.status, 200, byLogin.describe());
    // A short-lived docker password must not mint the next one (a leaked password would live forever).
    assertSwrError(
      await e.raw.req('POST', '/v2/manage/utils/secret?duration_seconds=86400', { headers: { 'x-auth-token': password } }),
      403,
      'SVCSTG.SWR.4030170',
    );
    assertSwrError(await e.raw.req('POST', '/v2/manage/utils/authorizationtoken', { headers: { 'x-auth-token': password } }), 403, 'SVCSTG.SWR.4030170');
    const issued = await fetch(`${e.berth.url}/token?service=berth&scope=repository:${ns}/app:pull`, {
      headers: { authorization: basic(e.admin.accessKeyId, e.admin.secretAccessKey) },
    });
    const { token } = (await issued.json()) as { token: string };
    const scoped = await e.raw.get(`/v2/manage/namespaces/${ns}/repos/app`, { headers: { 'x-auth-token': token } });
    assert.equal(scoped.status, 200, scoped.describe());
    assertSwrError(
      await e.raw.req('DELETE', `/v2/manage/namespaces/${ns}/repos/app/tags/v1`, { headers: { 'x-auth-token': token } }),
      403,
      'SVCSTG.SWR.4030170',
    );
    assertSwrError(await e.raw.req('POST', '/v2/manage/utils/secret', { headers: { 'x-auth-token': token } }), 403, 'SVCSTG.SWR.4030170');
    assertSwrError(await e.raw.get(`/v2/manage/namespaces/${ns}`, { headers: { 'x-auth-token': `${password.slice(0, -3)}abc` } }), 401, 'APIGW.0301');
    assertSwrError(await e.raw.get(`/v2/manage/namespaces/${ns}`, { headers: { 'x-auth-token': e.admin.secretAccessKey } }), 401, 'APIGW.0301');
  });

  it('grants hold: a key for "<ns>/*" pull sees and reads only that namespace, may not write; namespace operations need "<ns>/*"', async () => {
    const other = swrNamespace('auth-other');
    await pushImage(e.oci, `${other}/app`, 'v1');
    const reader = await createKey(e.berth, '--name', 'reader', '--grant', `${ns}/*:pull`);
    const sdk = swrClient(e.berth.url, reader);
    const listed = (await sdk.listReposDetails(new swr.ListReposDetailsRequest())) as unknown as Array<{ namespace: string; name: string }>;
    assert.deepEqual(
      listed.map((r) => `${r.namespace}/${r.name}`),
      [`${ns}/app`],
      'only what the key may pull is listed',
    );
    assert.deepEqual(
      (await sdk.listNamespaces(new swr.ListNamespacesRequest())).namespaces?.map((n) => [n.name, n.auth]),
      [[ns, 1]],
    );
    await sdkRejects(sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(other).withRepository('app')), 403, 'SVCSTG.SWR.4030170');
    // Whether a namespace exists is not told to a key without rights in it: unknown and foreign answer alike.
    await sdkRejects(sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(`${other}zz`).withRepository('app')), 403, 'SVCSTG.SWR.4030170');
    await sdkRejects(e.sdk.showRepository(new swr.ShowRepositoryRequest().withNamespace(`${other}zz`).withRepository('app')), 404, /SVCSTG\.SWR\.404/);
    await sdkRejects(sdk.deleteRepoTag(new swr.DeleteRepoTagRequest().withNamespace(ns).withRepository('app').withTag('v1')), 403, 'SVCSTG.SWR.4030170');
    await sdkRejects(
      sdk.createRepo(new swr.CreateRepoRequest().withNamespace(ns).withBody(new swr.CreateRepoRequestBody().withRepository('x').withIsPublic(false))),
      403,
      'SVCSTG.SWR.4030170',
    );
    await sdkRejects(sdk.deleteNamespaces(new swr.DeleteNamespacesRequest().withNamespace(ns)), 403, 'SVCSTG.SWR.4030170');
    const narrow = await createKey(e.berth, '--name', 'narrow', '--grant', `${ns}/app:pull,push,delete,admin`);
    await sdkRejects(
      swrClient(e.berth.url, narrow).createNamespace(new swr.CreateNamespaceRequest().withBody(new swr.CreateNamespaceRequestBody().withNamespace(`${ns}x`))),
      403,
      'SVCSTG.SWR.4030170',
    );
    const shown = await swrClient(e.berth.url, narrow).showRepository(new swr.ShowRepositoryRequest().withNamespace(ns).withRepository('app'));
    assert.equal(shown.httpStatusCode, 200, 'a grant on the exact repository is enough for the repository');
    assert.equal((await e.oci.get(`/v2/${ns}/app/manifests/v1`)).status, 200, 'nothing was deleted');
  });

  it('a removed key stops working at once', async () => {
    const temp = await createKey(e.berth, '--name', 'temp', '--admin');
    const sdk = swrClient(e.berth.url, temp);
    assert.equal((await sdk.showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns))).httpStatusCode, 200);
    const removed = await runBerth(['key', 'rm', temp.accessKeyId, '--data', e.berth.dataDir]);
    assert.equal(removed.code, 0, removed.stderr);
    await sdkRejects(sdk.showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns)), 401, 'APIGW.0301');
  });
});

describe('SWR with auth off (loopback)', () => {
  let e: SwrBerth;
  before(async () => {
    e = await startSwrBerth({ auth: 'none' });
  });
  after(async () => e?.dispose());

  it('unsigned calls and dummy keys work as administrator; a signature by an existing key must still be right', async () => {
    const ns = swrNamespace('open');
    const created = await swrRaw(e.raw, 'POST', '/v2/manage/namespaces', { body: { namespace: ns } });
    assert.equal(created.status, 201, created.describe());
    const dummy = await swrClient(e.berth.url, { accessKeyId: 'DUMMYKEY', secretAccessKey: 'dummy' }).showNamespace(
      new swr.ShowNamespaceRequest().withNamespace(ns),
    );
    assert.deepEqual([dummy.httpStatusCode, dummy.auth], [200, 7]);
    const wrong = swrClient(e.berth.url, { accessKeyId: e.admin.accessKeyId, secretAccessKey: 'wrong' });
    await sdkRejects(wrong.showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns)), 401, 'APIGW.0301');
    assertSwrError(
      await swrRaw(e.raw, 'GET', `/v2/manage/namespaces/${ns}`, { key: e.admin, signedHeaders: { 'X-Sdk-Date': sdkDate(new Date(Date.now() - 30 * MINUTE)) } }),
      401,
      'APIGW.0301',
    );
    assert.equal((await e.sdk.showNamespace(new swr.ShowNamespaceRequest().withNamespace(ns))).httpStatusCode, 200);
    const unsignedSecret = await new AuthClient(e.berth.url).req('POST', '/v2/manage/utils/secret');
    assert.equal(unsignedSecret.status, 200, unsignedSecret.describe());
  });
});
