// One visibility rule for every listing (docs/DESIGN.md, "Visibility"): a repository whose policy denies a key pull
// is refused by name in every dialect, so no listing may show it either, and paging over the rest stays whole.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DescribeRepositoriesCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { acrSdk } from './acr-helpers.ts';
import { api } from './berth-api-helpers.ts';
import { AuthClient, createKey, ecrClient, type Key, keyBasic } from './ecr-helpers.ts';
import { type RunningBerth, startBerth } from './harness.ts';
import { API, ncr } from './ncr-helpers.ts';
import { Client, pushImage, randomHex } from './oci-helpers.ts';
import { swrRaw } from './swr-helpers.ts';

describe('a policy Deny hides a repository from every listing', () => {
  let berth: RunningBerth;
  let admin: Key;
  let reader: Key;
  let raw: Client;
  const ns = `vis${randomHex(3)}`;
  // Sorted so the denied one sits inside the pages, not at an end: a filter must not end a listing early.
  const names = ['a1', 'a2', 'db', 'z1', 'z2'].map((n) => `${ns}/${n}`);
  const secret = `${ns}/db`;
  const shown = names.filter((n) => n !== secret);

  before(async () => {
    berth = await startBerth({ args: ['--auth', 'required'] });
    admin = await createKey(berth, '--name', 'vis-admin', '--admin');
    reader = await createKey(berth, '--name', 'vis-reader', '--grant', '*:pull');
    raw = new Client(berth.url);
    const oci = new AuthClient(berth.url, keyBasic(admin));
    for (const name of names) await pushImage(oci, name, 'v1', { layers: 1, layerSize: 10 });
    await ecrClient(berth.url, admin).send(
      new SetRepositoryPolicyCommand({
        repositoryName: secret,
        policyText: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: [reader.accessKeyId] }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }],
        }),
      }),
    );
  });
  after(async () => berth?.dispose());

  const mine = (list: string[]): string[] => list.filter((n) => n.startsWith(`${ns}/`)).sort();

  it('the per-repository calls refuse it (the premise)', async () => {
    const oci = new AuthClient(berth.url, keyBasic(reader));
    assert.equal((await oci.get(`/v2/${secret}/manifests/v1`)).status, 403);
    assert.equal((await ncr(raw, 'GET', `${API}/repositories/${ns}/db`, reader)).status, 403);
    assert.equal((await swrRaw(raw, 'GET', `/v2/manage/namespaces/${ns}/repos/db`, { key: reader })).status, 403);
  });

  it('the berth API: pins of it are refused like the repository; the registry-wide pin and audit lists are admin-only', async () => {
    const oci = new AuthClient(berth.url, keyBasic(reader));
    assert.equal((await api(oci, 'GET', `/berth/v1/pins?repository=${secret}`)).status, 403, 'the Deny holds');
    assert.equal((await api(oci, 'GET', `/berth/v1/pins?repository=${shown[0]}`)).status, 200);
    assert.equal((await api(oci, 'GET', '/berth/v1/pins')).status, 403);
    assert.equal((await api(oci, 'GET', '/berth/v1/audit')).status, 403);
    assert.equal((await api(new AuthClient(berth.url, keyBasic(admin)), 'GET', '/berth/v1/audit')).status, 200, 'the admin sees all');
  });

  it('ECR DescribeRepositories hides it, and pages of one keep going past it', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const out = await ecrClient(berth.url, reader).send(new DescribeRepositoriesCommand({ maxResults: 1, nextToken: token }));
      seen.push(...(out.repositories ?? []).map((r) => r.repositoryName!));
      token = out.nextToken;
      if (token === undefined) break;
    }
    assert.deepEqual(mine(seen), shown);
  });

  it('/v2/_catalog hides it, whole listing and paged by one', async () => {
    const oci = new AuthClient(berth.url, keyBasic(reader));
    const all = await oci.get('/v2/_catalog');
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(mine((all.json() as { repositories: string[] }).repositories), shown);
    const seen: string[] = [];
    let path: string | null = '/v2/_catalog?n=1';
    for (let i = 0; i < 50 && path !== null; i++) {
      const res = await oci.get(path);
      assert.equal(res.status, 200, res.text);
      seen.push(...(res.json() as { repositories: string[] }).repositories);
      const link = res.headers.link;
      path = typeof link === 'string' ? (/<([^>]+)>/.exec(link)?.[1] ?? null) : null;
    }
    assert.deepEqual(mine(seen), shown);
    // docker's way: a Bearer token from /token for registry:catalog:* (no per-repository scopes in it).
    const got = await raw.req('GET', '/token?scope=registry:catalog:*', { headers: { authorization: keyBasic(reader) } });
    assert.equal(got.status, 200, got.text);
    const bearer = new AuthClient(berth.url, `Bearer ${(got.json() as { token: string }).token}`);
    const viaToken = await bearer.get('/v2/_catalog');
    assert.equal(viaToken.status, 200, viaToken.text);
    assert.deepEqual(mine((viaToken.json() as { repositories: string[] }).repositories), shown);
    const adminAll = await new AuthClient(berth.url, keyBasic(admin)).get('/v2/_catalog');
    assert.deepEqual(mine((adminAll.json() as { repositories: string[] }).repositories), names, 'the admin, not denied, sees it');
  });

  it('SWR v2 and v3 repository listings hide it (entries, count, paging)', async () => {
    const v2 = await swrRaw(raw, 'GET', '/v2/manage/repos', { key: reader, query: { namespace: ns } });
    assert.equal(v2.status, 200, v2.text);
    const entries = v2.json() as Array<{ name: string; namespace: string; total_range: number }>;
    assert.deepEqual(entries.map((e) => `${e.namespace}/${e.name}`).sort(), shown);
    assert.equal(entries[0]!.total_range, shown.length);
    assert.equal(v2.headers['content-range'], `0-${shown.length}/${shown.length}`);
    const seen: string[] = [];
    let marker: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await swrRaw(raw, 'GET', '/v3/manage/repos', { key: reader, query: { namespace: ns, limit: '1', ...(marker ? { marker } : {}) } });
      assert.equal(res.status, 200, res.text);
      const body = res.json() as { repos: Array<{ name: string; namespace: string }>; nextMarker?: string };
      seen.push(...body.repos.map((r) => `${r.namespace}/${r.name}`));
      marker = body.nextMarker;
      if (marker === undefined) break;
    }
    assert.deepEqual(seen.sort(), shown);
  });

  it('the NCR image listing hides it: count and pages are over the visible ones', async () => {
    const all = await ncr(raw, 'GET', `${API}/repositories/${ns}?pagesize=100`, reader);
    assert.equal(all.status, 200, all.text);
    const body = all.json() as { count: number; results: Array<{ name: string }> };
    assert.deepEqual(body.results.map((r) => `${ns}/${r.name}`).sort(), shown);
    assert.equal(body.count, shown.length);
    const seen: string[] = [];
    for (let page = 1; page <= shown.length + 1; page++) {
      const res = await ncr(raw, 'GET', `${API}/repositories/${ns}?page=${page}&pagesize=1`, reader);
      assert.equal(res.status, 200, res.text);
      seen.push(...(res.json() as { results: Array<{ name: string }> }).results.map((r) => `${ns}/${r.name}`));
    }
    assert.deepEqual(seen.sort(), shown, 'page by page, nothing lost and nothing hidden shows');
  });

  it('ACR ListAcrImageRepositories hides it (TotalCount too, and paging)', async () => {
    const acr = acrSdk(berth.host, reader, 'ACS3');
    const all = await acr.call<{ TotalCount: number; Repositories: Array<{ RepoName: string; Namespace: string }> }>('ListAcrImageRepositories', {
      RepoName: `${ns}/`,
    });
    assert.deepEqual(all.body.Repositories.map((r) => `${r.Namespace}/${r.RepoName}`).sort(), shown);
    assert.equal(all.body.TotalCount, shown.length);
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await acr.call<{ NextToken?: string; Repositories: Array<{ RepoName: string; Namespace: string }> }>('ListAcrImageRepositories', {
        RepoName: `${ns}/`,
        MaxResults: '1',
        ...(token ? { NextToken: token } : {}),
      });
      seen.push(...res.body.Repositories.map((r) => `${r.Namespace}/${r.RepoName}`));
      token = res.body.NextToken;
      if (token === undefined) break;
    }
    assert.deepEqual(seen.sort(), shown);
  });
});
