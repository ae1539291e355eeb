// SigV4 as berth checks it on the ECR API, with requests signed by @smithy/signature-v4 (the SDK's own signer) and
// then altered: every way a signature can be wrong is refused with AWS's error names, grants and removed keys hold,
// and with auth off on loopback unsigned calls work; ecr.requireCreate makes /v2 pushes need CreateRepository first.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import {
  ACCOUNT,
  AuthClient,
  assertEcrError,
  basic,
  createKey,
  type EcrBerth,
  ecrClient,
  ecrOk,
  ecrRaw,
  ecrRepo,
  type Key,
  sdkRejects,
  startEcrBerth,
} from './ecr-helpers.ts';
import { runBerth } from './harness.ts';
import { assertError, pushBlob, pushImage, random } from './oci-helpers.ts';

const MINUTE = 60_000;
const SIGNATURE_REFUSED = ['InvalidSignatureException', 'SignatureDoesNotMatch'];
const EXPIRED = ['InvalidSignatureException', 'RequestExpired', 'SignatureDoesNotMatch'];
/** AWS answers these with 400 or 403 depending on the service generation; both are accepted, never anything else. */
const AUTH_STATUS = [400, 403];

describe('SigV4 on the ECR API (auth required)', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth();
  });
  after(async () => e?.dispose());

  const describeRegistry = (o: Parameters<typeof ecrRaw>[3] = {}, body: unknown = {}) => ecrRaw(e.raw, 'DescribeRegistry', body, o);

  it('accepts a request signed with the key (any region in the scope), and one signed 10 minutes off', async () => {
    assert.equal(ecrOk(await describeRegistry({ key: e.admin })).registryId, ACCOUNT);
    assert.equal(ecrOk(await describeRegistry({ key: e.admin, region: 'eu-west-3' })).registryId, ACCOUNT, 'requests signed for any region are accepted');
    ecrOk(await describeRegistry({ key: e.admin, date: new Date(Date.now() - 10 * MINUTE) }));
    ecrOk(await describeRegistry({ key: e.admin, date: new Date(Date.now() + 10 * MINUTE) }));
    const repo = ecrRepo('sig');
    const created = ecrOk<{ repository: { repositoryName: string } }>(await ecrRaw(e.raw, 'CreateRepository', { repositoryName: repo }, { key: e.admin }));
    assert.equal(created.repository.repositoryName, repo);
  });

  it("refuses a tampered body (with and without x-amz-content-sha256), a tampered signed header, a wrong secret and another service's scope with InvalidSignatureException", async () => {
    const repo = ecrRepo('sig');
    ecrOk(await ecrRaw(e.raw, 'CreateRepository', { repositoryName: repo }, { key: e.admin }));
    const tamperedBody = await ecrRaw(
      e.raw,
      'DescribeRepositories',
      { repositoryNames: [repo] },
      { key: e.admin, sendBody: JSON.stringify({ repositoryNames: [`${repo}x`] }) },
    );
    assertEcrError(tamperedBody, SIGNATURE_REFUSED, AUTH_STATUS);
    const noChecksum = await ecrRaw(
      e.raw,
      'DescribeRepositories',
      { repositoryNames: [repo] },
      {
        key: e.admin,
        checksum: false,
        sendBody: JSON.stringify({ repositoryNames: [`${repo}x`] }),
      },
    );
    assertEcrError(noChecksum, SIGNATURE_REFUSED, AUTH_STATUS);
    ecrOk(await ecrRaw(e.raw, 'DescribeRepositories', { repositoryNames: [repo] }, { key: e.admin, checksum: false }));
    const retargeted = await ecrRaw(
      e.raw,
      'DescribeRepositories',
      { repositoryName: repo, force: true },
      {
        key: e.admin,
        extraHeaders: { 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DeleteRepository' },
      },
    );
    assertEcrError(retargeted, SIGNATURE_REFUSED, AUTH_STATUS);
    ecrOk(await ecrRaw(e.raw, 'DescribeRepositories', { repositoryNames: [repo] }, { key: e.admin }));
    const wrongSecret = await describeRegistry({
      key: { accessKeyId: e.admin.accessKeyId, secretAccessKey: `${e.admin.secretAccessKey.slice(0, -1)}${e.admin.secretAccessKey.endsWith('x') ? 'y' : 'x'}` },
    });
    const body = assertEcrError(wrongSecret, SIGNATURE_REFUSED, AUTH_STATUS);
    assert.ok(!body.message.includes(e.admin.secretAccessKey), 'the message does not echo the secret');
    assertEcrError(
      await describeRegistry({ key: e.admin, service: 's3' }),
      [...SIGNATURE_REFUSED, 'IncompleteSignatureException', 'IncompleteSignature'],
      AUTH_STATUS,
    );
    const garbled = await describeRegistry({ extraHeaders: { authorization: 'AWS4-HMAC-SHA256 Credential=nothing-else-here' } });
    assertEcrError(garbled, [...SIGNATURE_REFUSED, 'IncompleteSignatureException', 'IncompleteSignature'], AUTH_STATUS);
  });

  it('refuses an unknown key with UnrecognizedClientException and a date more than 15 minutes off (or long ago) as expired', async () => {
    assertEcrError(
      await describeRegistry({ key: { accessKeyId: 'BKNOSUCHKEY0000000000', secretAccessKey: 'x'.repeat(40) } }),
      'UnrecognizedClientException',
      AUTH_STATUS,
    );
    assertEcrError(await describeRegistry({ key: e.admin, date: new Date(Date.now() - 20 * MINUTE) }), EXPIRED, AUTH_STATUS);
    assertEcrError(await describeRegistry({ key: e.admin, date: new Date(Date.now() + 20 * MINUTE) }), EXPIRED, AUTH_STATUS);
    assertEcrError(await describeRegistry({ key: e.admin, date: new Date('2020-01-01T00:00:00Z') }), EXPIRED, AUTH_STATUS);
  });

  it('refuses an unsigned request when auth is required', async () => {
    const res = await describeRegistry({});
    assertEcrError(
      res,
      [
        'MissingAuthenticationTokenException',
        'MissingAuthenticationToken',
        'UnrecognizedClientException',
        'AccessDeniedException',
        'IncompleteSignatureException',
      ],
      AUTH_STATUS,
    );
    const basicOnly = await describeRegistry({ extraHeaders: { authorization: `Basic ${Buffer.from(`${e.admin.accessKeyId}:wrong`).toString('base64')}` } });
    assert.ok(basicOnly.status >= 400 && basicOnly.status < 500, basicOnly.describe());
  });

  it('the SDK sees the same refusals by name: wrong secret, unknown key', async () => {
    const wrong = ecrClient(e.berth.url, { accessKeyId: e.admin.accessKeyId, secretAccessKey: 'wrong-secret-wrong-secret-wrong-secret00' });
    const unknown = ecrClient(e.berth.url, { accessKeyId: 'BKUNKNOWNKEY000000000', secretAccessKey: 'x'.repeat(40) });
    try {
      await sdkRejects(wrong.send(new DescribeRegistryCommand({})), SIGNATURE_REFUSED, undefined, AUTH_STATUS);
      await sdkRejects(unknown.send(new DescribeRepositoriesCommand({})), 'UnrecognizedClientException', undefined, AUTH_STATUS);
    } finally {
      wrong.destroy();
      unknown.destroy();
    }
  });

  it("a key's grants hold on the ECR API (AccessDeniedException) and for its login token; a removed key and its token stop working at once", async () => {
    const team = ecrRepo('granted');
    const limited: Key = await createKey(e.berth, '--name', 'limited', '--grant', `${team.split('/')[0]}/*:pull`);
    const sdk = ecrClient(e.berth.url, limited);
    try {
      await e.sdk.send(new CreateRepositoryCommand({ repositoryName: team }));
      const seen = await sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [team] }));
      assert.equal(seen.repositories?.[0]?.repositoryName, team, 'pull is enough to describe');
      await sdkRejects(sdk.send(new DeleteRepositoryCommand({ repositoryName: team, force: true })), 'AccessDeniedException', undefined, AUTH_STATUS);
      await sdkRejects(sdk.send(new CreateRepositoryCommand({ repositoryName: ecrRepo('elsewhere') })), 'AccessDeniedException', undefined, AUTH_STATUS);
      assert.equal(
        (await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [team] }))).repositories?.length,
        1,
        'the refused delete changed nothing',
      );
      const hidden = ecrRepo('hidden');
      await e.sdk.send(new CreateRepositoryCommand({ repositoryName: hidden }));
      await sdkRejects(sdk.send(new DescribeImagesCommand({ repositoryName: hidden })), 'AccessDeniedException', undefined, AUTH_STATUS);
      await sdkRejects(sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [hidden] })), 'AccessDeniedException', undefined, AUTH_STATUS);
      try {
        const listed = (await sdk.send(new DescribeRepositoriesCommand({ maxResults: 1000 }))).repositories ?? [];
        assert.ok(!listed.some((r) => r.repositoryName === hidden), "listing all repositories does not show one outside the key's grants");
      } catch (err) {
        assert.equal((err as Error).name, 'AccessDeniedException', 'or the listing is refused as a whole');
      }

      const login = await sdk.send(new GetAuthorizationTokenCommand({}));
      const token = Buffer.from(login.authorizationData![0]!.authorizationToken!, 'base64').toString().split(':')[1]!;
      const asToken = new AuthClient(e.berth.url, basic('AWS', token));
      assert.equal((await asToken.get(`/v2/${team}/tags/list`)).status, 200, 'the login token pulls what its key may pull');
      const push = await asToken.req('POST', `/v2/${team}/blobs/uploads/`);
      assert.equal(push.status, 403, `${push.describe()}: a login token has its key's grants, no more`);

      const temp: Key = await createKey(e.berth, '--name', 'temp', '--admin');
      ecrOk(await describeRegistry({ key: temp }));
      const tempLogin = ecrOk<{ authorizationData: Array<{ authorizationToken: string }> }>(await ecrRaw(e.raw, 'GetAuthorizationToken', {}, { key: temp }));
      const tempToken = Buffer.from(tempLogin.authorizationData[0]!.authorizationToken, 'base64').toString().split(':')[1]!;
      assert.equal((await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('AWS', tempToken) } })).status, 200);
      const rm = await runBerth(['key', 'rm', temp.accessKeyId, '--data', e.berth.dataDir]);
      assert.equal(rm.code, 0, rm.stderr);
      assertEcrError(await describeRegistry({ key: temp }), 'UnrecognizedClientException', AUTH_STATUS);
      assert.equal((await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('AWS', tempToken) } })).status, 401, 'its login token died with it');
    } finally {
      sdk.destroy();
    }
  });
});

describe('ECR with auth off on loopback and ecr.requireCreate', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth({ auth: 'none', env: { BERTH_ECR_REQUIRE_CREATE: 'true' } });
  });
  after(async () => e?.dispose());

  it('accepts unsigned calls', async () => {
    assert.equal(ecrOk(await ecrRaw(e.raw, 'DescribeRegistry', {})).registryId, ACCOUNT);
    const repo = ecrRepo('open');
    assert.equal(
      ecrOk<{ repository: { repositoryName: string } }>(await ecrRaw(e.raw, 'CreateRepository', { repositoryName: repo })).repository.repositoryName,
      repo,
    );
    assert.equal(ecrOk<{ repositories: unknown[] }>(await ecrRaw(e.raw, 'DescribeRepositories', { repositoryNames: [repo] })).repositories.length, 1);
    assert.equal(ecrOk(await ecrRaw(e.raw, 'DescribeRegistry', {}, { key: e.admin })).registryId, ACCOUNT, 'and signed ones');
  });

  it('with requireCreate a /v2 push to an unknown repository fails NAME_UNKNOWN, works once created, and fails again after DeleteRepository', async () => {
    const repo = ecrRepo('strict');
    const upload = await e.raw.req('POST', `/v2/${repo}/blobs/uploads/`);
    assertError(upload, 404, 'NAME_UNKNOWN');
    const mount = await e.raw.req('POST', `/v2/${repo}/blobs/uploads/?mount=sha256:${'a'.repeat(64)}&from=other/repo`);
    assert.ok([404].includes(mount.status), `${mount.describe()}: a mount does not create the repository either`);
    assert.equal((await e.raw.get(`/v2/${repo}/tags/list`)).status, 404, 'the refused push created nothing');

    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const img = await pushImage(e.raw, repo, 'v1');
    assert.equal((await e.raw.get(`/v2/${repo}/manifests/v1`, { headers: { accept: img.mediaType } })).status, 200);
    await e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true }));
    assertError(await e.raw.req('POST', `/v2/${repo}/blobs/uploads/`), 404, 'NAME_UNKNOWN');
    await assert.rejects(pushBlob(e.raw, repo, random(16)));
  });
});
