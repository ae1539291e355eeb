// The Alibaba API's signature checks with calls signed by hand (an implementation independent of berth's, from the
// documentation), for what the SDK never sends: a wrong secret, a timestamp out of the 15-minute window or malformed,
// a replayed nonce, tampering after signing, unsigned calls; plus GET, form bodies and auth mode none.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { type AcrBerth, acrOk, acrRaw, assertAcrError, type Key, startAcrBerth } from './acr-helpers.ts';

const MINUTE = 60_000;
const SCHEMES = ['v1', 'ACS3'] as const;
const list = (e: AcrBerth, o: Parameters<typeof acrRaw>[3] = {}, params: Record<string, string> = {}) => acrRaw(e.raw, 'ListAcrImageRepositories', params, o);

describe('ACR signatures (auth required)', () => {
  let e: AcrBerth;
  let wrong: Key;
  before(async () => {
    e = await startAcrBerth();
    wrong = {
      accessKeyId: e.admin.accessKeyId,
      secretAccessKey: `${e.admin.secretAccessKey.slice(0, -1)}${e.admin.secretAccessKey.endsWith('x') ? 'y' : 'x'}`,
    };
  });
  after(async () => e?.dispose());

  for (const scheme of SCHEMES) {
    describe(`${scheme === 'v1' ? 'RPC HMAC-SHA1 v1' : 'ACS3-HMAC-SHA256'} signed by hand`, () => {
      it('accepts a correct signature (POST and GET, 14 minutes off either way)', async () => {
        assert.equal(acrOk<{ TotalCount: number }>(await list(e, { key: e.admin, scheme })).TotalCount, 0);
        acrOk(await list(e, { key: e.admin, scheme, method: 'GET' }));
        acrOk(await list(e, { key: e.admin, scheme, date: new Date(Date.now() - 14 * MINUTE) }));
        acrOk(await list(e, { key: e.admin, scheme, date: new Date(Date.now() + 14 * MINUTE) }));
      });

      it('refuses a wrong secret and a parameter changed after signing with SignatureDoesNotMatch', async () => {
        const body = assertAcrError(await list(e, { key: wrong, scheme }), 'SignatureDoesNotMatch', 400);
        assert.ok(!String(body.Message).includes(e.admin.secretAccessKey));
        assertAcrError(await list(e, { key: e.admin, scheme, tamper: { RepoName: 'other' } }, { RepoName: 'signed' }), 'SignatureDoesNotMatch', 400);
      });

      it('refuses a timestamp more than 15 minutes off with InvalidTimeStamp.Expired, and a malformed one with InvalidTimeStamp.Format', async () => {
        assertAcrError(await list(e, { key: e.admin, scheme, date: new Date(Date.now() - 16 * MINUTE) }), 'InvalidTimeStamp.Expired', 400);
        assertAcrError(await list(e, { key: e.admin, scheme, date: new Date(Date.now() + 16 * MINUTE) }), 'InvalidTimeStamp.Expired', 400);
        assertAcrError(await list(e, { key: e.admin, scheme, timestamp: 'yesterday' }), 'InvalidTimeStamp.Format', 400);
      });

      it('refuses a replayed nonce with SignatureNonceUsed, even with a fresh timestamp; the nonce is per key', async () => {
        const nonce = randomUUID();
        acrOk(await list(e, { key: e.admin, scheme, nonce }));
        assertAcrError(await list(e, { key: e.admin, scheme, nonce }), 'SignatureNonceUsed', 400);
        assertAcrError(await list(e, { key: e.admin, scheme, nonce, date: new Date(Date.now() + MINUTE) }), 'SignatureNonceUsed', 400);
        const failedNonce = randomUUID();
        assertAcrError(await list(e, { key: wrong, scheme, nonce: failedNonce }), 'SignatureDoesNotMatch', 400);
        acrOk(await list(e, { key: e.admin, scheme, nonce: failedNonce }));
      });

      it('refuses an unknown key with InvalidAccessKeyId.NotFound (404)', async () => {
        assertAcrError(
          await list(e, { key: { accessKeyId: 'BKNOSUCHKEY00000000', secretAccessKey: 'x'.repeat(40) }, scheme }),
          'InvalidAccessKeyId.NotFound',
          404,
        );
      });

      it('signs parameters sent in a form body', async () => {
        assert.equal(acrOk<{ MaxResults: number }>(await list(e, { key: e.admin, scheme, form: { MaxResults: '7' } })).MaxResults, 7);
      });
    });
  }

  it('refuses an unsigned call (MissingAccessKeyId), an incomplete ACS3 header and a parameter given twice', async () => {
    assertAcrError(await list(e), 'MissingAccessKeyId', 400);
    const incomplete = await e.raw.req('POST', '/?Action=ListAcrImageRepositories&Version=2021-05-21', {
      headers: { authorization: `ACS3-HMAC-SHA256 Credential=${e.admin.accessKeyId},SignedHeaders=host,Signature=${'0'.repeat(64)}` },
    });
    assertAcrError(incomplete, 'IncompleteSignature', 400);
    assertAcrError(await list(e, { key: e.admin, form: { MaxResults: '3' } }, { MaxResults: '3' }), 'InvalidParameter', 400);
  });

  it('answers an unknown Action with InvalidApi.NotFound (404), and keeps ECR on the same path', async () => {
    assertAcrError(await acrRaw(e.raw, 'NoSuchApi', {}, { key: e.admin }), 'InvalidApi.NotFound', 404);
    const ecr = await e.raw.req('POST', '/', {
      headers: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeRegistry', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    assert.equal(ecr.json<{ __type: string }>().__type.length > 0, true, 'ECR still answers POST / in its own envelope');
  });
});

describe('ACR with auth mode none and acr.regions set', () => {
  let e: AcrBerth;
  before(async () => {
    e = await startAcrBerth({ auth: 'none', env: { BERTH_ACR_REGIONS: 'cn-shanghai,ap-southeast-1' } });
  });
  after(async () => e?.dispose());

  it('accepts unsigned calls and dummy keys, but still refuses a bad signature by a key berth has', async () => {
    const listed = acrOk<{ TotalCount: number }>(await list(e));
    assert.equal(listed.TotalCount, 0);
    acrOk(await list(e, { key: { accessKeyId: 'dummy', secretAccessKey: 'dummy' }, scheme: 'ACS3' }));
    assertAcrError(await list(e, { key: { accessKeyId: e.admin.accessKeyId, secretAccessKey: 'wrong' } }), 'SignatureDoesNotMatch', 400);
    assertAcrError(await list(e, { key: e.admin, scheme: 'ACS3', date: new Date(Date.now() - 30 * MINUTE) }), 'InvalidTimeStamp.Expired', 400);
  });

  it('checks Action and Version: another version, none, or header and query disagreeing are 400s', async () => {
    assertAcrError(await e.raw.req('POST', '/?Action=ListAcrImageRepositories&Version=2020-01-01'), 'InvalidVersion', 400);
    assertAcrError(await e.raw.req('GET', '/?Action=ListAcrImageRepositories'), 'MissingVersion', 400);
    const disagree = await e.raw.req('POST', '/?Action=ListAcrImageRepositories&Version=2021-05-21', {
      headers: { 'x-acs-action': 'DeleteAcrImageRepositories' },
    });
    assertAcrError(disagree, 'InvalidParameter', 400);
    acrOk(await e.raw.req('POST', '/', { headers: { 'x-acs-action': 'ListAcrImageRepositories', 'x-acs-version': '2021-05-21' } }));
  });

  it('answers only for the configured regions (InvalidRegionId otherwise) and reports the first one by default', async () => {
    const del = (RegionId: string) => acrRaw(e.raw, 'DeleteAcrImageRepositories', { RegionId, RepoId: 'crr-0000000000000000' });
    assertAcrError(await del('cn-hangzhou'), 'InvalidRegionId', 400);
    assertAcrError(await del('cn-shanghai'), 'EntityNotExist.Repo', 404);
    assertAcrError(await del('ap-southeast-1'), 'EntityNotExist.Repo', 404);
    const creds = acrOk<{ AvailableResources: Array<{ RegionId: string; RepositoryName: string; Path: string }>; Credentials: { Username: string } }>(
      await acrRaw(e.raw, 'GetArtifactRepositoryCredentials', { ArtifactType: 'HelmChart' }),
    );
    assert.deepEqual(
      creds.AvailableResources,
      [{ RegionId: 'cn-shanghai', RepositoryName: '*', Path: e.berth.host }],
      'without auth the whole registry is open',
    );
    assert.equal(creds.Credentials.Username, 'berth');
    assertAcrError(
      await acrRaw(e.raw, 'GetArtifactRepositoryCredentials', { ArtifactType: 'AcrImage', DeployRegionId: 'eu-central-1' }),
      'InvalidDeployRegionId',
      400,
    );
  });
});
