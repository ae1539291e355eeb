// The ECR administration surface through @aws-sdk/client-ecr and raw JSON 1.1 against a real berth process:
// resource tags, repository policies (stored and enforced), DescribeRegistry, GetAuthorizationToken as a /v2 login,
// deployment pins refusing ECR deletes, and every malformed request answered with ECR's 4xx error shape.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchDeleteImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DeleteRepositoryPolicyCommand,
  DescribeImagesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetAuthorizationTokenCommand,
  GetRepositoryPolicyCommand,
  ListTagsForResourceCommand,
  SetRepositoryPolicyCommand,
  type Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-ecr';
import { api, createPin, okJson } from './berth-api-helpers.ts';
import {
  ACCOUNT,
  AuthClient,
  arnOf,
  assertEcrError,
  basic,
  createKey,
  type EcrBerth,
  ecrClient,
  ecrOk,
  ecrRaw,
  ecrRepo,
  type Key,
  keyBasic,
  messages,
  sdkRejects,
  startEcrBerth,
} from './ecr-helpers.ts';
import { ACCEPT_MANIFESTS, assertStatus, pushImage } from './oci-helpers.ts';

const sortTags = (tags: Tag[] | undefined): Tag[] => [...(tags ?? [])].sort((a, b) => (a.Key! < b.Key! ? -1 : 1));

describe('ECR administration through @aws-sdk/client-ecr (auth required)', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth();
  });
  after(async () => e?.dispose());

  const manifestStatus = async (repo: string, ref: string): Promise<number> =>
    (await e.oci.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } })).status;

  it('resource tags: CreateRepository tags, TagResource adds and overwrites, UntagResource removes, ListTagsForResource by ARN', async () => {
    const repo = ecrRepo('tags');
    const arn = arnOf(repo);
    await e.sdk.send(
      new CreateRepositoryCommand({
        repositoryName: repo,
        tags: [
          { Key: 'team', Value: 'web' },
          { Key: 'cost', Value: '1' },
        ],
      }),
    );
    assert.deepEqual(sortTags((await e.sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags), [
      { Key: 'cost', Value: '1' },
      { Key: 'team', Value: 'web' },
    ]);
    await e.sdk.send(
      new TagResourceCommand({
        resourceArn: arn,
        tags: [
          { Key: 'team', Value: 'ops' },
          { Key: 'env', Value: 'prod' },
        ],
      }),
    );
    assert.deepEqual(sortTags((await e.sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags), [
      { Key: 'cost', Value: '1' },
      { Key: 'env', Value: 'prod' },
      { Key: 'team', Value: 'ops' },
    ]);
    await e.sdk.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'never-set'] }));
    assert.deepEqual(sortTags((await e.sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags), [
      { Key: 'cost', Value: '1' },
      { Key: 'env', Value: 'prod' },
    ]);

    const missing = ecrRepo('tags-missing');
    await sdkRejects(e.sdk.send(new ListTagsForResourceCommand({ resourceArn: arnOf(missing) })), 'RepositoryNotFoundException', messages.notFound(missing));
    await sdkRejects(e.sdk.send(new TagResourceCommand({ resourceArn: arnOf(missing), tags: [{ Key: 'a', Value: 'b' }] })), 'RepositoryNotFoundException');
    await sdkRejects(e.sdk.send(new ListTagsForResourceCommand({ resourceArn: 'arn:nope' })), 'InvalidParameterException');
    await sdkRejects(e.sdk.send(new TagResourceCommand({ resourceArn: arn, tags: [{ Key: 'k'.repeat(129), Value: 'v' }] })), [
      'InvalidTagParameterException',
      'InvalidParameterException',
    ]);
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await sdkRejects(e.sdk.send(new TagResourceCommand({ resourceArn: arn, tags: tooMany })), 'TooManyTagsException');
    assert.equal((await e.sdk.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags?.length, 2, 'a refused change changes nothing');
  });

  it('repository policy: set, get and delete it; a Deny for everyone refuses a signed BatchDeleteImage; a Deny naming a key refuses only that key, over /v2 too', async () => {
    const repo = ecrRepo('policy');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const img = await pushImage(e.oci, repo, 'v1');
    await sdkRejects(e.sdk.send(new GetRepositoryPolicyCommand({ repositoryName: repo })), 'RepositoryPolicyNotFoundException');

    const denyAll = JSON.stringify(
      { Version: '2012-10-17', Statement: [{ Sid: 'no-deletes', Effect: 'Deny', Principal: '*', Action: ['ecr:BatchDeleteImage'] }] },
      null,
      2,
    );
    const set = await e.sdk.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: denyAll }));
    assert.deepEqual([set.registryId, set.repositoryName, set.policyText], [ACCOUNT, repo, denyAll]);
    assert.equal((await e.sdk.send(new GetRepositoryPolicyCommand({ repositoryName: repo }))).policyText, denyAll, 'stored as given');
    await sdkRejects(
      e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] })),
      'AccessDeniedException',
      undefined,
      [400, 403],
    );
    assert.equal(await manifestStatus(repo, 'v1'), 200, 'the denied delete deleted nothing');
    assert.equal((await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails?.length, 1, 'other actions are still allowed');

    const deleted = await e.sdk.send(new DeleteRepositoryPolicyCommand({ repositoryName: repo }));
    assert.deepEqual([deleted.registryId, deleted.repositoryName, deleted.policyText], [ACCOUNT, repo, denyAll]);
    await sdkRejects(e.sdk.send(new GetRepositoryPolicyCommand({ repositoryName: repo })), 'RepositoryPolicyNotFoundException');
    await sdkRejects(e.sdk.send(new DeleteRepositoryPolicyCommand({ repositoryName: repo })), 'RepositoryPolicyNotFoundException');

    const reader: Key = await createKey(e.berth, '--name', 'policy-reader', '--admin');
    const readerSdk = ecrClient(e.berth.url, reader);
    try {
      const denyReader = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Deny',
            Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/${reader.accessKeyId}`] },
            Action: ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:PutImage'],
          },
        ],
      });
      await e.sdk.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: denyReader }));
      await sdkRejects(readerSdk.send(new DescribeImagesCommand({ repositoryName: repo })), 'AccessDeniedException', undefined, [400, 403]);
      assert.equal((await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails?.length, 1, 'the admin is not named');
      const pull = await new AuthClient(e.berth.url, keyBasic(reader)).get(`/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT_MANIFESTS } });
      assert.ok([401, 403].includes(pull.status), `${pull.describe()}: the policy's Deny of ecr:BatchGetImage holds over /v2`);
      const push = await new AuthClient(e.berth.url, keyBasic(reader)).req('PUT', `/v2/${repo}/manifests/v9`, {
        body: img.bytes,
        headers: { 'content-type': img.mediaType },
      });
      assert.ok([401, 403].includes(push.status), `${push.describe()}: the policy's Deny of ecr:PutImage holds over /v2`);
      assert.equal(await manifestStatus(repo, 'v9'), 404);
      assert.equal(await manifestStatus(repo, img.digest), 200);
    } finally {
      readerSdk.destroy();
    }

    for (const bad of ['{not json', '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Principal":"*","Action":"ecr:*"}]}', '[]']) {
      await sdkRejects(e.sdk.send(new SetRepositoryPolicyCommand({ repositoryName: repo, policyText: bad })), 'InvalidParameterException');
    }
    const missing = ecrRepo('policy-missing');
    await sdkRejects(
      e.sdk.send(new SetRepositoryPolicyCommand({ repositoryName: missing, policyText: denyAll })),
      'RepositoryNotFoundException',
      messages.notFound(missing),
    );
  });

  it('DescribeRegistry names the registry; GetAuthorizationToken gives AWS:<password> whose password logs in to /v2 (under any user name), and nothing else does', async () => {
    const registry = await e.sdk.send(new DescribeRegistryCommand({}));
    assert.deepEqual([registry.registryId, registry.replicationConfiguration], [ACCOUNT, { rules: [] }]);

    const token = await e.sdk.send(new GetAuthorizationTokenCommand({}));
    assert.equal(token.authorizationData?.length, 1);
    const [data] = token.authorizationData!;
    const decoded = Buffer.from(data!.authorizationToken!, 'base64').toString();
    const parts = decoded.split(':');
    assert.equal(parts.length, 2, 'aws ecr get-login-password splits on ":" and expects exactly two parts');
    assert.equal(parts[0], 'AWS');
    const password = parts[1]!;
    assert.ok(password.length >= 20, 'a real secret');
    assert.equal(data!.proxyEndpoint, e.berth.url);
    const hours = (data!.expiresAt!.getTime() - Date.now()) / 3_600_000;
    assert.ok(hours > 11.9 && hours <= 12.01, `expiresAt is 12 hours ahead (${hours.toFixed(3)} h)`);
    const again = await e.sdk.send(new GetAuthorizationTokenCommand({ registryIds: [ACCOUNT] }));
    assert.equal(again.authorizationData?.length, 1);

    assert.equal((await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('AWS', password) } })).status, 200);
    assert.equal((await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('AWS', `${password}x`) } })).status, 401);
    assert.equal(
      (await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('AWS', e.admin.secretAccessKey) } })).status,
      401,
      'the user AWS takes tokens, not secrets',
    );
    // The signed token alone says who logs in (SWR and ACR logins use other user names); a secret is never a token.
    assert.equal((await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('someone', password) } })).status, 200, 'any user name with the token');
    assert.equal(
      (await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('someone', e.admin.secretAccessKey) } })).status,
      401,
      'a secret under another user name',
    );

    const repo = ecrRepo('login');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const asToken = new AuthClient(e.berth.url, basic('AWS', password));
    const img = await pushImage(asToken, repo, 'v1');
    const pulled = await asToken.get(`/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT_MANIFESTS } });
    assertStatus(pulled, 200);
    assert.ok(pulled.body.equals(img.bytes));
    const viaToken = await fetch(`${e.berth.url}/token?service=berth&scope=${encodeURIComponent(`repository:${repo}:pull`)}`, {
      headers: { authorization: basic('AWS', password) },
    });
    assert.equal(viaToken.status, 200, 'docker login then runs the token flow with the same credentials');
  });

  it('pins: BatchDeleteImage (by digest, and of the last tag) and DeleteRepository(force) refuse a pinned image and name the pin; nothing is deleted', async () => {
    const repo = ecrRepo('pins');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const img = await pushImage(e.oci, repo, 'v1');
    const pin = await createPin(e.oci, repo, 'v1', 'deployment web-prod');

    const refusedOrFailed = async (
      call: Promise<{ imageIds?: unknown[]; failures?: Array<{ failureCode?: string; failureReason?: string }> }>,
      what: string,
    ): Promise<void> => {
      let text: string;
      try {
        const out = await call;
        assert.deepEqual(out.imageIds, [], `${what}: nothing deleted`);
        assert.equal(out.failures?.length, 1, `${what}: one failure`);
        assert.ok(out.failures![0]!.failureCode, `${what}: a failure code`);
        text = out.failures![0]!.failureReason ?? '';
      } catch (err) {
        const x = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
        assert.ok((x.$metadata?.httpStatusCode ?? 500) < 500, `${what}: ${x.name} must be a client error`);
        text = x.message;
      }
      assert.ok(text.includes(pin.id), `${what}: the answer names the pin ${pin.id}: ${text}`);
    };
    await refusedOrFailed(e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageDigest: img.digest }] })), 'by digest');
    await refusedOrFailed(e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] })), 'the last tag');
    assert.equal(await manifestStatus(repo, 'v1'), 200);

    let forced: { name: string; message: string; $metadata?: { httpStatusCode?: number } } | undefined;
    try {
      await e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true }));
    } catch (err) {
      forced = err as typeof forced;
    }
    assert.ok(forced, 'DeleteRepository(force) of a repository holding a pinned image is refused');
    assert.ok((forced.$metadata?.httpStatusCode ?? 500) < 500, `${forced.name} must be a client error`);
    assert.ok(forced.message.includes(pin.id), `the refusal names the pin: ${forced.message}`);
    assert.equal(await manifestStatus(repo, img.digest), 200);
    assert.equal((await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories?.length, 1);

    okJson(await api(e.oci, 'DELETE', `/berth/v1/pins/${pin.id}`));
    const gone = await e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true }));
    assert.equal(gone.repository?.repositoryName, repo, 'without the pin the forced delete goes through');
  });

  it('what BatchDeleteImage deletes goes to the trash: berth restore brings it back, byte-identical, and ECR lists it again', async () => {
    const repo = ecrRepo('trash');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const img = await pushImage(e.oci, repo, 'v1');
    const out = await e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] }));
    assert.deepEqual(out.imageIds, [{ imageDigest: img.digest, imageTag: 'v1' }]);
    assert.equal(await manifestStatus(repo, img.digest), 404);
    const deletedTags = okJson<{ tags: Array<{ tag: string; digest: string }> }>(await e.oci.get(`/berth/v1/repositories/${repo}/deleted-tags`));
    assert.deepEqual(
      deletedTags.tags.map((t) => [t.tag, t.digest]),
      [['v1', img.digest]],
    );
    const restored = okJson<{ digest: string; tags: string[] }>(await api(e.oci, 'POST', '/berth/v1/restore', { repository: repo, tag: 'v1' }));
    assert.deepEqual([restored.digest, restored.tags], [img.digest, ['v1']]);
    const back = await e.oci.get(`/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT_MANIFESTS } });
    assertStatus(back, 200);
    assert.ok(back.body.equals(img.bytes));
    const [detail] = (await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails ?? [];
    assert.deepEqual([detail?.imageDigest, detail?.imageTags], [img.digest, ['v1']]);
  });

  it("unknown operations, malformed bodies, bad names and limits are 400s in ECR's shape (InvalidParameterException), never a 5xx", async () => {
    const call = (op: string, body: unknown, extra: Parameters<typeof ecrRaw>[3] = {}) => ecrRaw(e.raw, op, body, { key: e.admin, ...extra });
    assertEcrError(await call('NoSuchOperation', {}), 'UnknownOperationException');
    assertEcrError(await call('DescribeRegistry', {}, { target: 'SomeOtherService_20200101.DescribeRegistry' }), 'UnknownOperationException');
    assertEcrError(await call('DescribeRegistry', {}, { target: 'AmazonEC2ContainerRegistry_V20150921.' }), 'UnknownOperationException');
    assert.deepEqual(ecrOk(await call('DescribeRegistry', '')).registryId, ACCOUNT, 'an empty body is an empty input');

    const problems: string[] = [];
    const expect400 = async (what: string, op: string, body: unknown, types: string[] = ['InvalidParameterException']): Promise<void> => {
      const res = await call(op, body);
      try {
        assertEcrError(res, types);
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message.split('\n')[0]}`);
      }
    };
    for (const name of ['UPPER/case', 'a', 'x'.repeat(257), 'a//b', 'a/../b', '-lead', 'trail-', 'sp ace', 'a/b/', '']) {
      await expect400(`CreateRepository ${JSON.stringify(name.slice(0, 20))}`, 'CreateRepository', { repositoryName: name });
    }
    await expect400('CreateRepository without a name', 'CreateRepository', {});
    const typeErrors = ['InvalidParameterException', 'SerializationException'];
    await expect400('CreateRepository name of the wrong type', 'CreateRepository', { repositoryName: 5 }, typeErrors);
    await expect400('CreateRepository bad mutability', 'CreateRepository', { repositoryName: ecrRepo('bad'), imageTagMutability: 'SOMETIMES' });
    await expect400('CreateRepository bad encryption', 'CreateRepository', {
      repositoryName: ecrRepo('bad'),
      encryptionConfiguration: { encryptionType: 'ROT13' },
    });
    await expect400('CreateRepository foreign registryId', 'CreateRepository', { repositoryName: ecrRepo('bad'), registryId: 'abc' });
    await expect400('DescribeRepositories 101 names', 'DescribeRepositories', { repositoryNames: Array.from({ length: 101 }, (_, i) => `n/r${i}`) });
    await expect400('DescribeRepositories no names', 'DescribeRepositories', { repositoryNames: [] });
    await expect400('DescribeRepositories maxResults as a string', 'DescribeRepositories', { maxResults: '5' }, typeErrors);
    const repo = ecrRepo('bad');
    assert.equal((await call('CreateRepository', { repositoryName: repo })).status, 200);
    await expect400('BatchDeleteImage 101 ids', 'BatchDeleteImage', {
      repositoryName: repo,
      imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })),
    });
    await expect400('BatchDeleteImage no ids', 'BatchDeleteImage', { repositoryName: repo, imageIds: [] });
    await expect400('BatchDeleteImage ids not a list', 'BatchDeleteImage', { repositoryName: repo, imageIds: { imageTag: 'x' } }, typeErrors);
    await expect400('BatchGetImage 101 ids', 'BatchGetImage', {
      repositoryName: repo,
      imageIds: Array.from({ length: 101 }, (_, i) => ({ imageTag: `t${i}` })),
    });
    await expect400('ListImages bad tagStatus', 'ListImages', { repositoryName: repo, filter: { tagStatus: 'SOME' } });
    await expect400('PutImage without a manifest', 'PutImage', { repositoryName: repo, imageTag: 'x' });
    await expect400('PutImage tag of 301 characters', 'PutImage', { repositoryName: repo, imageManifest: '{}', imageTag: 't'.repeat(301) });
    await expect400('GetAuthorizationToken 11 registries', 'GetAuthorizationToken', { registryIds: Array.from({ length: 11 }, () => ACCOUNT) });
    await expect400('a body that is not JSON', 'DescribeRepositories', '{"repositoryNames": [', ['SerializationException', 'InvalidParameterException']);
    await expect400('a body that is a JSON array', 'DescribeRepositories', '[]', ['SerializationException', 'InvalidParameterException']);
    await expect400('a body that is a JSON string', 'DescribeRepositories', '"x"', ['SerializationException', 'InvalidParameterException']);
    assert.deepEqual(problems, []);
  });
});
