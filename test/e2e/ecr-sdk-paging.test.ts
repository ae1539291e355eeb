// The official @aws-sdk/client-ecr against a real berth process: DescribeRepositories, ListImages and DescribeImages
// paged with maxResults/nextToken and the SDK's own paginators, and the paging parameters AWS refuses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ImageIdentifier,
  ListImagesCommand,
  paginateDescribeImages,
  paginateDescribeRepositories,
  paginateListImages,
} from '@aws-sdk/client-ecr';
import { type EcrBerth, ecrRepo, sdkRejects, startEcrBerth } from './ecr-helpers.ts';
import { assertStatus, MT, pushImage, putManifest } from './oci-helpers.ts';

/** ListImages entries as comparable strings ("digest tag" or "digest"). */
const ids = (xs: ImageIdentifier[] | undefined): string[] => (xs ?? []).map((x) => `${x.imageDigest ?? '?'} ${x.imageTag ?? ''}`.trim()).sort();

describe('ECR paging through @aws-sdk/client-ecr (auth required)', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth();
  });
  after(async () => e?.dispose());

  it('pages DescribeRepositories, ListImages and DescribeImages with maxResults/nextToken and the SDK paginators; 100 entries by default', async () => {
    const prefix = ecrRepo('page');
    const names = Array.from({ length: 5 }, (_, i) => `${prefix}-${i}`);
    for (const n of names) await e.sdk.send(new CreateRepositoryCommand({ repositoryName: n }));
    const seen: string[] = [];
    let pages = 0;
    for await (const page of paginateDescribeRepositories({ client: e.sdk, pageSize: 2 }, {})) {
      assert.ok(++pages <= 100, 'the paginator ends');
      assert.ok((page.repositories ?? []).length <= 2, `a page of ${page.repositories?.length} > maxResults 2`);
      seen.push(...(page.repositories ?? []).map((r) => r.repositoryName!));
    }
    assert.equal(new Set(seen).size, seen.length, 'no repository twice');
    assert.deepEqual(seen.filter((n) => n.startsWith(`${prefix}-`)).sort(), names);
    assert.ok(pages >= 3);
    const one = await e.sdk.send(new DescribeRepositoriesCommand({ maxResults: 1 }));
    assert.equal(one.repositories?.length, 1);
    assert.equal(typeof one.nextToken, 'string');
    const two = await e.sdk.send(new DescribeRepositoriesCommand({ maxResults: 1, nextToken: one.nextToken }));
    assert.notEqual(two.repositories?.[0]?.repositoryName, one.repositories?.[0]?.repositoryName);

    const repo = names[0]!;
    const many = await pushImage(e.oci, repo, 't0');
    for (const tag of ['t1', 't2']) assertStatus((await putManifest(e.oci, repo, tag, many.bytes, MT.ociManifest)).res, 201);
    const singles = [await pushImage(e.oci, repo, 's0'), await pushImage(e.oci, repo, 's1'), await pushImage(e.oci, repo)];
    const expected = [
      ...['t0', 't1', 't2'].map((t) => `${many.digest} ${t}`),
      `${singles[0]!.digest} s0`,
      `${singles[1]!.digest} s1`,
      singles[2]!.digest,
    ].sort();
    const entries: ImageIdentifier[] = [];
    pages = 0;
    for await (const page of paginateListImages({ client: e.sdk, pageSize: 2 }, { repositoryName: repo })) {
      assert.ok(++pages <= 50, 'the paginator ends');
      assert.ok((page.imageIds ?? []).length <= 2, `ListImages page of ${page.imageIds?.length} entries > maxResults 2: ${JSON.stringify(page.imageIds)}`);
      entries.push(...(page.imageIds ?? []));
    }
    assert.deepEqual(ids(entries), expected, 'every (digest, tag) exactly once across pages');
    const tagged: ImageIdentifier[] = [];
    pages = 0;
    for await (const page of paginateListImages({ client: e.sdk, pageSize: 2 }, { repositoryName: repo, filter: { tagStatus: 'TAGGED' } })) {
      assert.ok(++pages <= 50, 'the paginator ends');
      assert.ok((page.imageIds ?? []).length <= 2);
      tagged.push(...(page.imageIds ?? []));
    }
    assert.deepEqual(
      ids(tagged),
      expected.filter((x) => x.includes(' ')),
      'a filter pages the same way',
    );
    const details: string[] = [];
    pages = 0;
    for await (const page of paginateDescribeImages({ client: e.sdk, pageSize: 2 }, { repositoryName: repo })) {
      assert.ok(++pages <= 50, 'the paginator ends');
      assert.ok((page.imageDetails ?? []).length <= 2);
      details.push(...(page.imageDetails ?? []).map((d) => d.imageDigest!));
    }
    assert.deepEqual(details.sort(), [many.digest, ...singles.map((s) => s.digest)].sort());

    const crowded = names[1]!;
    const img = await pushImage(e.oci, crowded, 'c000');
    for (let i = 1; i <= 100; i++) assertStatus((await putManifest(e.oci, crowded, `c${String(i).padStart(3, '0')}`, img.bytes, MT.ociManifest)).res, 201);
    const firstPage = await e.sdk.send(new ListImagesCommand({ repositoryName: crowded }));
    assert.equal(firstPage.imageIds?.length, 100, 'without maxResults a page holds up to 100 entries');
    assert.equal(typeof firstPage.nextToken, 'string');
    const rest = await e.sdk.send(new ListImagesCommand({ repositoryName: crowded, nextToken: firstPage.nextToken }));
    assert.deepEqual([rest.imageIds?.length, rest.nextToken], [1, undefined]);
    assert.equal(new Set([...ids(firstPage.imageIds), ...ids(rest.imageIds)]).size, 101);
  });

  it('paging parameters out of range or combined with explicit ids are InvalidParameterException', async () => {
    const repo = ecrRepo('sdk');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const bad: Array<[string, () => Promise<unknown>]> = [
      ['DescribeRepositories maxResults 0', () => e.sdk.send(new DescribeRepositoriesCommand({ maxResults: 0 }))],
      ['DescribeRepositories maxResults 1001', () => e.sdk.send(new DescribeRepositoriesCommand({ maxResults: 1001 }))],
      ['DescribeRepositories names and maxResults', () => e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo], maxResults: 5 }))],
      ['DescribeRepositories garbage nextToken', () => e.sdk.send(new DescribeRepositoriesCommand({ nextToken: '%%% not a token berth gave %%%' }))],
      ['ListImages maxResults 0', () => e.sdk.send(new ListImagesCommand({ repositoryName: repo, maxResults: 0 }))],
      ['ListImages maxResults 1001', () => e.sdk.send(new ListImagesCommand({ repositoryName: repo, maxResults: 1001 }))],
      ['ListImages garbage nextToken', () => e.sdk.send(new ListImagesCommand({ repositoryName: repo, nextToken: '%%% not a token berth gave %%%' }))],
      [
        'DescribeImages ids and maxResults',
        () => e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'x' }], maxResults: 5 })),
      ],
      ['DescribeImages maxResults 1001', () => e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, maxResults: 1001 }))],
      [
        'DescribeRepositories with a ListImages token',
        async () => {
          await pushImage(e.oci, repo, 'p1');
          await pushImage(e.oci, repo, 'p2');
          const token = (await e.sdk.send(new ListImagesCommand({ repositoryName: repo, maxResults: 1 }))).nextToken;
          assert.equal(typeof token, 'string');
          return e.sdk.send(new DescribeRepositoriesCommand({ nextToken: token }));
        },
      ],
    ];
    const wrong: string[] = [];
    for (const [what, call] of bad) {
      try {
        await sdkRejects(call(), 'InvalidParameterException');
      } catch (err) {
        wrong.push(`${what}: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
