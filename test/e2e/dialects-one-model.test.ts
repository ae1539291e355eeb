// One repository, five dialects: what docker pushes through /v2 is the same thing ECR, ACR, NCR and SWR list, size and
// delete, and a delete or pin in one dialect is seen at once by every other. The per-dialect suites prove each wire
// contract; this one proves they share one model.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BatchDeleteImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { REGION as ACR_REGION, acrSdk } from './acr-helpers.ts';
import { api, createPin } from './berth-api-helpers.ts';
import { AuthClient, createKey, ecrClient, type Key, keyBasic } from './ecr-helpers.ts';
import { type RunningBerth, startBerth } from './harness.ts';
import { API, ncr } from './ncr-helpers.ts';
import { Client, pushImage, randomHex } from './oci-helpers.ts';
import { swrRaw } from './swr-helpers.ts';

interface AcrTag {
  Tag: string;
  ImageSize: string;
}
interface NcrTag {
  name: string;
  digest: string;
  full_size: number;
}
interface SwrTag {
  Tag: string;
  digest: string;
  size: number;
}

describe('one model behind every dialect', () => {
  let berth: RunningBerth;
  let admin: Key;
  let oci: AuthClient;
  let raw: Client;
  const ns = `one${randomHex(3)}`;
  const repo = `${ns}/team/app`;
  let firstDigest = '';

  before(async () => {
    berth = await startBerth({ args: ['--auth', 'required'] });
    admin = await createKey(berth, '--name', 'one-model', '--admin');
    oci = new AuthClient(berth.url, keyBasic(admin));
    raw = new Client(berth.url);
  });
  after(async () => berth?.dispose());

  const ecr = () => ecrClient(berth.url, admin);
  const acr = () => acrSdk(berth.host, admin, 'ACS3');
  const ocTags = async (): Promise<string[]> => {
    const res = await oci.get(`/v2/${repo}/tags/list`);
    return res.status === 200 ? ((res.json() as { tags: string[] }).tags ?? []).sort() : [];
  };
  const ecrTags = async (): Promise<string[]> => {
    const out = await ecr().send(new DescribeImagesCommand({ repositoryName: repo }));
    return (out.imageDetails ?? []).flatMap((d) => d.imageTags ?? []).sort();
  };
  const repoId = async (): Promise<string | undefined> => {
    const listed = await acr().call<{ Repositories: Array<{ RepoId: string; RepoName: string; Namespace: string }> }>('ListAcrImageRepositories', {
      RepoName: repo,
    });
    return listed.body.Repositories.find((r) => `${r.Namespace}/${r.RepoName}` === repo)?.RepoId;
  };
  const acrTags = async (): Promise<AcrTag[]> => {
    const id = await repoId();
    if (id === undefined) return [];
    return (await acr().call<{ Images: AcrTag[] }>('ListAcrImageTags', { RepoId: id, MaxResults: '100' })).body.Images;
  };
  const ncrTags = async (): Promise<NcrTag[]> => {
    const res = await ncr(raw, 'GET', `${API}/repositories/${ns}/${encodeURIComponent('team/app')}/tags?pagesize=100`, admin);
    return res.status === 200 ? (res.json() as { results: NcrTag[] }).results : [];
  };
  const swrTags = async (): Promise<SwrTag[]> => {
    const res = await swrRaw(raw, 'GET', `/v2/manage/namespaces/${ns}/repos/team$app/tags`, { key: admin });
    return res.status === 200 ? (res.json() as SwrTag[]) : [];
  };
  const everyDialect = async () => ({
    oci: await ocTags(),
    ecr: await ecrTags(),
    acr: (await acrTags()).map((t) => t.Tag).sort(),
    ncr: (await ncrTags()).map((t) => t.name).sort(),
    swr: (await swrTags()).map((t) => t.Tag).sort(),
  });
  const same = (tags: string[]) => ({ oci: tags, ecr: tags, acr: tags, ncr: tags, swr: tags });

  it('a pushed repository shows the same tags and the same image size in every dialect', async () => {
    const one = await pushImage(oci, repo, 'v1', { layers: 2, layerSize: 3000 });
    await pushImage(oci, repo, 'v2', { layers: 1, layerSize: 777 });
    await pushImage(oci, repo, 'v3', { layers: 1, layerSize: 55 });
    assert.deepEqual(await everyDialect(), same(['v1', 'v2', 'v3']));

    const described = await ecr().send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] }));
    const size = described.imageDetails?.[0]?.imageSizeInBytes;
    assert.ok(size !== undefined && size > 6000, `config plus layers (${size})`);
    assert.equal((await acrTags()).find((t) => t.Tag === 'v1')?.ImageSize, String(size));
    const ncrV1 = (await ncrTags()).find((t) => t.name === 'v1');
    assert.equal(ncrV1?.digest, one.digest);
    assert.equal(ncrV1?.full_size, size);
    const swrV1 = (await swrTags()).find((t) => t.Tag === 'v1');
    assert.equal(swrV1?.digest, one.digest);
    assert.equal(swrV1?.size, size);
    assert.match((await repoId()) ?? '', /^crr-[a-z0-9]{16}$/);
    firstDigest = one.digest;
  });

  it('a delete in one dialect is seen at once by all the others', async () => {
    assert.equal((await ncr(raw, 'DELETE', `${API}/repositories/${ns}/${encodeURIComponent('team/app')}/tags/v1`, admin)).status, 204);
    assert.deepEqual(await everyDialect(), same(['v2', 'v3']), 'NCR removed a tag');
    assert.equal((await swrRaw(raw, 'DELETE', `/v2/manage/namespaces/${ns}/repos/team$app/tags/v2`, { key: admin })).status, 204);
    assert.deepEqual(await everyDialect(), same(['v3']), 'SWR removed a tag');
    const out = await ecr().send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v3' }] }));
    assert.deepEqual(out.failures, []);
    assert.deepEqual(await everyDialect(), same([]), 'ECR removed the last tag');
    const left = await ecr().send(new DescribeImagesCommand({ repositoryName: repo }));
    assert.deepEqual(
      left.imageDetails?.map((d) => [d.imageDigest, d.imageTags ?? []]),
      [[firstDigest, []]],
      'SWR and ECR took their images along with the last tag; the one NCR untagged stays, untagged, for GC',
    );
  });

  it('a pin set through the berth API holds in every dialect; the repository delete of one is seen by all', async () => {
    const img = await pushImage(oci, repo, 'prod', { layers: 1, layerSize: 99 });
    const pin = await createPin(oci, repo, 'prod', 'runs in production');
    const id = (await repoId())!;
    const ecrOut = await ecr().send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'prod' }] }));
    assert.equal(ecrOut.failures?.[0]?.failureCode, 'ImageInUse');
    await assert.rejects(
      acr().call('DeleteAcrImageRepositories', { RegionId: ACR_REGION, RepoId: id }),
      (e: { code?: string }) => e.code === 'OperationDenied.ImageInUse',
    );
    const ncrRes = await ncr(raw, 'DELETE', `${API}/repositories/${ns}/${encodeURIComponent('team/app')}`, admin);
    assert.equal(ncrRes.status, 409);
    assert.match(ncrRes.text, new RegExp(pin.id));
    const swrRes = await swrRaw(raw, 'DELETE', `/v2/manage/namespaces/${ns}/repos/team$app/tags/prod`, { key: admin });
    assert.equal(swrRes.status, 409);
    assert.match(swrRes.text, new RegExp(pin.id));
    assert.equal((await oci.get(`/v2/${repo}/manifests/${img.digest}`)).status, 200, 'nothing was deleted');

    assert.equal((await api(oci, 'DELETE', `/berth/v1/pins/${pin.id}`)).status, 200);
    const deleted = await acr().call('DeleteAcrImageRepositories', { RegionId: ACR_REGION, RepoId: id });
    assert.equal(deleted.statusCode, 200);
    assert.equal((await oci.get(`/v2/${repo}/tags/list`)).status, 404);
    await assert.rejects(ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [repo] })), (e: Error) => e.name === 'RepositoryNotFoundException');
    assert.equal((await ncr(raw, 'GET', `${API}/repositories/${ns}/${encodeURIComponent('team/app')}`, admin)).status, 404);
    assert.equal((await swrRaw(raw, 'GET', `/v2/manage/namespaces/${ns}/repos/team$app`, { key: admin })).status, 404);
  });

  it('a repository policy Deny set through ECR holds in ACR, NCR and SWR too: no side door around it', async () => {
    const locked = `${ns}/locked/app`;
    await pushImage(oci, locked, 'v1', { layers: 1, layerSize: 10 });
    const deleter = await createKey(berth, '--name', 'deleter', '--grant', `${ns}/*:pull,push,delete`);
    await ecr().send(
      new SetRepositoryPolicyCommand({
        repositoryName: locked,
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: [deleter.accessKeyId] }, Action: ['ecr:BatchDeleteImage', 'ecr:DeleteRepository'] }],
        }),
      }),
    );
    const listed = await acrSdk(berth.host, deleter, 'ACS3').call<{ Repositories: Array<{ RepoId: string; RepoName: string }> }>('ListAcrImageRepositories', {
      RepoName: locked,
    });
    const id = listed.body.Repositories.find((r) => r.RepoName === 'locked/app')!.RepoId;
    for (const call of [
      () => acrSdk(berth.host, deleter, 'v2').call('DeleteAcrImageTags', { RegionId: ACR_REGION, RepoId: id, Tag: 'v1' }),
      () => acrSdk(berth.host, deleter, 'ACS3').call('DeleteAcrImageRepositories', { RegionId: ACR_REGION, RepoId: id }),
    ])
      await assert.rejects(call(), (e: { code?: string; message?: string }) => e.code === 'Forbidden.RAM' && /policy/.test(e.message ?? ''));
    const encoded = encodeURIComponent('locked/app');
    assert.equal((await ncr(raw, 'DELETE', `${API}/repositories/${ns}/${encoded}/tags/v1`, deleter)).status, 403);
    assert.equal((await ncr(raw, 'DELETE', `${API}/repositories/${ns}/${encoded}`, deleter)).status, 403);
    assert.equal((await swrRaw(raw, 'DELETE', `/v2/manage/namespaces/${ns}/repos/locked$app/tags/v1`, { key: deleter })).status, 403);
    assert.equal((await swrRaw(raw, 'DELETE', `/v2/manage/namespaces/${ns}/repos/locked$app`, { key: deleter })).status, 403);
    assert.equal((await oci.get(`/v2/${locked}/manifests/v1`)).status, 200, 'nothing was deleted');
    assert.equal((await ncr(raw, 'GET', `${API}/repositories/${ns}/${encoded}/tags`, deleter)).status, 200, 'reads are not denied');
  });

  it('namespaces are shared: an SWR namespace is an NCR registry, and deleting it in NCR removes it from SWR', async () => {
    const other = `${ns}x`;
    assert.equal((await swrRaw(raw, 'POST', '/v2/manage/namespaces', { key: admin, body: { namespace: other } })).status, 201);
    const registries = await ncr(raw, 'GET', `${API}/repositories?pagesize=100`, admin);
    assert.ok(
      (registries.json() as { results: Array<{ name: string }> }).results.some((r) => r.name === other),
      registries.text,
    );
    assert.equal((await ncr(raw, 'POST', `${API}/repositories/${other}`, admin, { body: { bucket: 'b' } })).status, 409, 'it exists already');
    assert.equal((await ncr(raw, 'DELETE', `${API}/repositories/${other}`, admin)).status, 204);
    assert.equal((await swrRaw(raw, 'GET', `/v2/manage/namespaces/${other}`, { key: admin })).status, 404);
  });
});
