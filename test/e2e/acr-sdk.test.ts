// The Alibaba Compute Nest supplier API through Alibaba's own SDK core (@alicloud/openapi-client callApi, what the
// product client wraps) against a berth process, in both signature modes: images pushed with skopeo, listed, a tag and
// a repository deleted (with /v2 showing each result), ClientToken replays and mismatches, HelmChart vs AcrImage, the
// refusals the SDK can produce, and the push credentials GetArtifactRepositoryCredentials hands out.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type AcrBerth,
  type AcrSdk,
  acrNamespace,
  acrSdk,
  assertIsoTime,
  createKey,
  HELM_CONFIG,
  type Key,
  MODES,
  REGION,
  REQUEST_ID_RE,
  sdkRejects,
  startAcrBerth,
} from './acr-helpers.ts';
import { AuthClient, keyBasic } from './ecr-helpers.ts';
import { type BuiltImage, buildImageLayout } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, skipUnless, skopeoArgs, type ToolEnv, tool, toolFails } from './fixtures/tools.ts';
import { pushImage } from './oci-helpers.ts';

const skip = skipUnless('skopeo');

interface Repo {
  RepoId: string;
  RepoName: string;
  Namespace: string;
  RepoType: string;
  CreateTime: string;
  ModifiedTime: string;
}
interface RepoList {
  RequestId: string;
  TotalCount: number;
  MaxResults: number;
  NextToken?: string;
  Repositories: Repo[];
}
interface TagList {
  RequestId: string;
  TotalCount: number;
  MaxResults: number;
  NextToken?: string;
  Images: Array<{ Tag: string; ImageSize: string; CreateTime: string; ModifiedTime: string }>;
}

describe('ACR API through the Alibaba SDK core', { skip }, () => {
  let e: AcrBerth;
  let t: ToolEnv;
  let oci: AuthClient;
  let one: BuiltImage;
  let two: BuiltImage;
  const layout = (name: string): string => join(t.dir, name);
  const skopeoPush = (from: string, tag: string, ref: string, creds: string) =>
    tool('skopeo', skopeoArgs(t, ['copy', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout(from)}:${tag}`, `docker://${ref}`]), t);
  const push = (from: 'one' | 'two', repo: string, tag: string, key: Key = e.admin) =>
    skopeoPush(from, from === 'one' ? 'v1' : 'v2', `${e.berth.host}/${repo}:${tag}`, `${key.accessKeyId}:${key.secretAccessKey}`);
  const imageSize = (img: BuiltImage): string => String(img.config.length + img.layerSizes.reduce((a, b) => a + b, 0));

  before(async () => {
    e = await startAcrBerth();
    t = await isolatedToolEnv([e.berth.host]);
    oci = new AuthClient(e.berth.url, keyBasic(e.admin));
    one = await buildImageLayout(layout('one'), 'v1', { seed: 'one' });
    two = await buildImageLayout(layout('two'), 'v2', { seed: 'two', layerBytes: 3000 });
  });
  after(async () => {
    await e?.dispose();
    await t?.dispose();
  });

  for (const mode of MODES) {
    describe(`signed with ${mode === 'ACS3' ? 'ACS3-HMAC-SHA256 (the SDK default)' : 'the RPC HMAC-SHA1 v1 signature (signatureAlgorithm v2)'}`, () => {
      let sdk: AcrSdk;
      before(() => {
        sdk = acrSdk(e.berth.host, e.admin, mode);
      });
      const repoIdOf = async (name: string, type = 'AcrImage'): Promise<string> => {
        const found = (await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: name, ArtifactType: type })).body.Repositories;
        const namespace = name.split('/')[0]!;
        const match = found.find((r) => `${r.Namespace}/${r.RepoName}` === name || (namespace === name && r.RepoName === name));
        assert.ok(match, `${name} is not listed: ${JSON.stringify(found)}`);
        return match.RepoId;
      };

      it('lists repositories pushed with skopeo and their tags with the documented fields and types, paged', async () => {
        const ns = acrNamespace(mode);
        await push('one', `${ns}/app`, 'v1');
        await push('two', `${ns}/app`, 'v2');
        await push('one', `${ns}/other`, 'latest');
        const listed = await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: ns });
        assert.equal(listed.statusCode, 200);
        assert.match(listed.body.RequestId, REQUEST_ID_RE);
        assert.equal(listed.body.TotalCount, 2);
        assert.equal(listed.body.MaxResults, 20);
        assert.equal(listed.body.NextToken, undefined);
        const app = listed.body.Repositories[0]!;
        assert.deepEqual(
          listed.body.Repositories.map((r) => r.RepoName),
          ['app', 'other'],
        );
        assert.match(app.RepoId, /^crr-[a-z0-9]{16}$/);
        assert.deepEqual([app.Namespace, app.RepoType], [ns, 'Private']);
        assertIsoTime(app.CreateTime, 'CreateTime');
        assertIsoTime(app.ModifiedTime, 'ModifiedTime');

        const first = await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: ns, MaxResults: '1' });
        assert.deepEqual([first.body.TotalCount, first.body.MaxResults, first.body.Repositories.map((r) => r.RepoName)], [2, 1, ['app']]);
        assert.ok(first.body.NextToken, 'a first page of 1 out of 2 has a NextToken');
        const second = await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: ns, MaxResults: '1', NextToken: first.body.NextToken });
        assert.deepEqual([second.body.TotalCount, second.body.Repositories.map((r) => r.RepoName), second.body.NextToken], [2, ['other'], undefined]);

        const tags = await sdk.call<TagList>('ListAcrImageTags', { RepoId: app.RepoId });
        assert.equal(tags.body.TotalCount, 2);
        assert.deepEqual(
          tags.body.Images.map((i) => [i.Tag, i.ImageSize]),
          [
            ['v1', imageSize(one)],
            ['v2', imageSize(two)],
          ],
        );
        for (const i of tags.body.Images) {
          assert.equal(typeof i.ImageSize, 'string', 'ImageSize is a string of bytes');
          assertIsoTime(i.CreateTime, 'CreateTime');
          assertIsoTime(i.ModifiedTime, 'ModifiedTime');
        }
        const page1 = await sdk.call<TagList>('ListAcrImageTags', { RepoId: app.RepoId, MaxResults: '1' });
        assert.deepEqual(
          page1.body.Images.map((i) => i.Tag),
          ['v1'],
        );
        const page2 = await sdk.call<TagList>('ListAcrImageTags', { RepoId: app.RepoId, MaxResults: '1', NextToken: page1.body.NextToken! });
        assert.deepEqual([page2.body.Images.map((i) => i.Tag), page2.body.NextToken, page2.body.TotalCount], [['v2'], undefined, 2]);
        await sdkRejects(sdk.call('ListAcrImageTags', { RepoId: app.RepoId, NextToken: first.body.NextToken! }), 'InvalidNextToken', 400);
      });

      it('deletes a tag (its image goes with its last tag, as /v2 shows); the same ClientToken replays the first answer; other parameters with it mismatch', async () => {
        const repo = `${acrNamespace(mode)}/app`;
        await push('one', repo, 'v1');
        await push('two', repo, 'v2');
        const RepoId = await repoIdOf(repo);
        const token = randomUUID();
        const first = await sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId, Tag: 'v1', ClientToken: token });
        assert.equal(first.statusCode, 200);
        assert.deepEqual(Object.keys(first.body), ['RequestId']);
        assert.equal((await oci.get(`/v2/${repo}/manifests/v1`)).status, 404, '/v2 no longer has the tag');
        assert.equal((await oci.get(`/v2/${repo}/manifests/${one.manifestDigest}`)).status, 404, 'the image went with its last tag');
        assert.equal((await oci.get(`/v2/${repo}/manifests/v2`)).status, 200, 'the other tag stays');
        assert.deepEqual((await oci.get(`/v2/${repo}/tags/list`)).json<{ tags: string[] }>().tags, ['v2']);

        const again = await sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId, Tag: 'v1', ClientToken: token });
        assert.deepEqual([again.statusCode, again.body], [200, first.body], 'the same answer, RequestId included');
        await sdkRejects(sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId, Tag: 'v2', ClientToken: token }), 'IdempotentParameterMismatch', 400);
        assert.equal((await oci.get(`/v2/${repo}/manifests/v2`)).status, 200, 'the mismatched call deleted nothing');
        await sdkRejects(sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId, Tag: 'v1' }), 'EntityNotExist.Tag', 404);
      });

      it('deletes the repository and everything in it; a retry with the same ClientToken gets the identical answer after it is gone; other parameters mismatch', async () => {
        const repo = `${acrNamespace(mode)}/app`;
        await push('one', repo, 'v1');
        await push('two', repo, 'v2');
        const RepoId = await repoIdOf(repo);
        const token = `tok-${randomUUID()}`;
        const first = await sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token, ArtifactType: 'AcrImage' });
        assert.equal(first.statusCode, 200);
        assert.equal((await oci.get(`/v2/${repo}/tags/list`)).status, 404, '/v2 no longer knows the repository');
        assert.equal((await oci.get(`/v2/${repo}/manifests/${two.manifestDigest}`)).status, 404);
        assert.equal((await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: repo })).body.TotalCount, 0);

        const again = await sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token, ArtifactType: 'AcrImage' });
        assert.deepEqual([again.statusCode, again.body], [200, first.body]);
        const defaulted = await sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: token });
        assert.deepEqual(defaulted.body, first.body, 'ArtifactType AcrImage is the default: the same request');
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: 'cn-shanghai', RepoId, ClientToken: token }), 'IdempotentParameterMismatch', 400);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId }), 'EntityNotExist.Repo', 404);
        await push('one', repo, 'v1');
        assert.notEqual(await repoIdOf(repo), RepoId, 'a new push starts a new repository with a new id');
      });

      it('refuses an unknown RepoId, a RepoId of the other ArtifactType, a missing RegionId, bad parameters, an unknown API and a wrong secret', async () => {
        const repo = `${acrNamespace(mode)}/app`;
        await push('one', repo, 'v1');
        const RepoId = await repoIdOf(repo);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId: 'crr-0000000000000000' }), 'EntityNotExist.Repo', 404);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ArtifactType: 'HelmChart' }), 'EntityNotExist.Repo', 404);
        await sdkRejects(sdk.call('ListAcrImageTags', { RepoId, ArtifactType: 'HelmChart' }), 'EntityNotExist.Repo', 404);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RepoId }), 'MissingRegionId', 400);
        await sdkRejects(sdk.call('DeleteAcrImageTags', { RegionId: REGION, RepoId }), 'MissingTag', 400);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: 'Hangzhou!', RepoId }), 'InvalidRegionId', 400);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ArtifactType: 'File' }), 'InvalidArtifactType', 400);
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId, ClientToken: 'x'.repeat(65) }), 'InvalidClientToken', 400);
        await sdkRejects(sdk.call('ListAcrImageRepositories', { MaxResults: '101' }), 'InvalidMaxResults', 400);
        await sdkRejects(sdk.call('ListAcrImageRepositories', { NextToken: 'not-a-token' }), 'InvalidNextToken', 400);
        await sdkRejects(sdk.call('CreateAcrImageRepository', { RegionId: REGION }), 'InvalidApi.NotFound', 404);
        const wrong = acrSdk(e.berth.host, { accessKeyId: e.admin.accessKeyId, secretAccessKey: `${e.admin.secretAccessKey}x` }, mode);
        const refused = await sdkRejects(wrong.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId }), 'SignatureDoesNotMatch', 400);
        assert.ok(!refused.message.includes(e.admin.secretAccessKey), 'the message does not echo the secret');
        const unknown = acrSdk(e.berth.host, { accessKeyId: 'BKNOSUCHKEY00000000', secretAccessKey: 'x'.repeat(40) }, mode);
        await sdkRejects(unknown.call('ListAcrImageRepositories'), 'InvalidAccessKeyId.NotFound', 404);
        assert.equal((await oci.get(`/v2/${repo}/manifests/v1`)).status, 200, 'nothing was deleted by the refused calls');
      });

      it('tells Helm charts from images: each ArtifactType lists, shows and deletes only its own repositories', async () => {
        const ns = acrNamespace(mode);
        await push('one', `${ns}/app`, 'v1');
        const chart = await pushImage(oci, `${ns}/chart`, '0.1.0', { configMediaType: HELM_CONFIG });
        const images = await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: ns, ArtifactType: 'AcrImage' });
        const charts = await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: ns, ArtifactType: 'HelmChart' });
        assert.deepEqual(
          images.body.Repositories.map((r) => r.RepoName),
          ['app'],
        );
        assert.deepEqual(
          charts.body.Repositories.map((r) => r.RepoName),
          ['chart'],
        );
        assert.deepEqual(
          (await sdk.call<RepoList>('ListAcrImageRepositories', { RepoName: ns })).body.Repositories.map((r) => r.RepoName),
          ['app'],
          'AcrImage is the default',
        );
        const chartId = charts.body.Repositories[0]!.RepoId;
        const tags = await sdk.call<TagList>('ListAcrImageTags', { RepoId: chartId, ArtifactType: 'HelmChart' });
        const chartSize = chart.config.size + chart.layers.reduce((n, l) => n + l.size, 0);
        assert.deepEqual(
          tags.body.Images.map((i) => [i.Tag, i.ImageSize]),
          [['0.1.0', String(chartSize)]],
        );
        await sdkRejects(sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId: chartId }), 'EntityNotExist.Repo', 404);
        assert.equal((await sdk.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId: chartId, ArtifactType: 'HelmChart' })).statusCode, 200);
        assert.equal((await oci.get(`/v2/${ns}/chart/tags/list`)).status, 404);
        assert.equal((await oci.get(`/v2/${ns}/app/tags/list`)).status, 200);
      });

      it('GetArtifactRepositoryCredentials: skopeo pushes to the returned Path with the returned credentials, only where the key may push', async () => {
        const ns = acrNamespace(mode);
        const key = await createKey(e.berth, '--name', 'acr-pusher', '--grant', `${ns}/*:pull,push`);
        const pusher = acrSdk(e.berth.host, key, mode);
        const before = Date.now();
        const { body } = await pusher.call<{ ExpireDate: string; Credentials: Record<string, string>; AvailableResources: Array<Record<string, string>> }>(
          'GetArtifactRepositoryCredentials',
          { ArtifactType: 'AcrImage', DeployRegionId: REGION },
        );
        assert.equal(typeof body.ExpireDate, 'string');
        const expires = Number(body.ExpireDate);
        assert.ok(
          expires > before + 55 * 60_000 && expires < Date.now() + 65 * 60_000,
          `ExpireDate ${body.ExpireDate} is about an hour away (acr.credentialTtl)`,
        );
        assert.equal(body.Credentials.Username, key.accessKeyId);
        assert.ok(body.Credentials.Password && body.Credentials.Password !== key.secretAccessKey, 'a token, never the secret');
        assert.deepEqual(body.AvailableResources, [{ RegionId: REGION, RepositoryName: ns, Path: `${e.berth.host}/${ns}` }]);
        const creds = `${body.Credentials.Username}:${body.Credentials.Password}`;
        await skopeoPush('one', 'v1', `${body.AvailableResources[0]!.Path}/pushed:v1`, creds);
        const listed = await pusher.call<RepoList>('ListAcrImageRepositories', {});
        assert.deepEqual(
          listed.body.Repositories.map((r) => `${r.Namespace}/${r.RepoName}`),
          [`${ns}/pushed`],
          'a key lists only what it may pull',
        );
        const tags = await pusher.call<TagList>('ListAcrImageTags', { RepoId: listed.body.Repositories[0]!.RepoId });
        assert.deepEqual(
          tags.body.Images.map((i) => i.Tag),
          ['v1'],
        );
        const elsewhere = await toolFails(
          'skopeo',
          skopeoArgs(t, [
            'copy',
            '--dest-tls-verify=false',
            '--dest-creds',
            creds,
            `oci:${layout('one')}:v1`,
            `docker://${e.berth.host}/${acrNamespace(mode)}/x:v1`,
          ]),
          t,
        );
        assert.match(elsewhere, /denied|unauthorized|authentication required/i);
        await sdkRejects(pusher.call('DeleteAcrImageRepositories', { RegionId: REGION, RepoId: listed.body.Repositories[0]!.RepoId }), 'Forbidden.RAM', 403);
        await sdkRejects(pusher.call('GetArtifactRepositoryCredentials', { ArtifactType: 'File' }), 'InvalidArtifactType', 400);
        await sdkRejects(pusher.call('GetArtifactRepositoryCredentials', {}), 'MissingArtifactType', 400);
      });
    });
  }
});
