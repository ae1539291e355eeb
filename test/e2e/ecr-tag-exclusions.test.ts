// Tag-mutability exclusions (IMMUTABLE_WITH_EXCLUSION / MUTABLE_WITH_EXCLUSION) through the official SDK and the aws
// CLIs against a real berth: the filtered tags are the exception on ECR's PutImage and on an OCI PUT alike.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateRepositoryCommand,
  DescribeRepositoriesCommand,
  type ImageTagMutabilityExclusionFilter,
  PutImageCommand,
  PutImageTagMutabilityCommand,
} from '@aws-sdk/client-ecr';
import { ACCOUNT, aws, awsClisOrSkip, cliFails, cliOk, type EcrBerth, ecrRepo, sdkRejects, startEcrBerth } from './ecr-helpers.ts';
import { ACCEPT_MANIFESTS, assertStatus, MT, type PushedImage, pushImage, putManifest } from './oci-helpers.ts';

const wild = (...filters: string[]): ImageTagMutabilityExclusionFilter[] => filters.map((filter) => ({ filterType: 'WILDCARD', filter }));
const FILTERS_AT = "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint:";
const { clis, skip: noCli } = awsClisOrSkip();

describe('ECR tag-mutability exclusions (auth required)', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth();
  });
  after(async () => e?.dispose());

  const putImage = (repo: string, img: PushedImage, tag: string) =>
    e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: img.bytes.toString(), imageManifestMediaType: MT.ociManifest, imageTag: tag }));
  const tagTarget = async (repo: string, tag: string) =>
    (await e.oci.get(`/v2/${repo}/manifests/${tag}`, { headers: { accept: ACCEPT_MANIFESTS } })).header('docker-content-digest');
  /** Two different images in `repo`, untagged, so each case decides the tags. */
  const twoImages = async (repo: string): Promise<[PushedImage, PushedImage]> => [await pushImage(e.oci, repo), await pushImage(e.oci, repo)];
  /** `tag` moves from a to b through both APIs, or is refused by both (OCI 409 DENIED, ECR ImageTagAlreadyExistsException). */
  const assertMoves = async (repo: string, [a, b]: [PushedImage, PushedImage], tag: string, moves: boolean) => {
    await putImage(repo, a, tag);
    if (moves) {
      assert.equal((await putImage(repo, b, tag)).image?.imageId?.imageDigest, b.digest, `${tag} moves through PutImage`);
      assertStatus((await putManifest(e.oci, repo, tag, a.bytes, MT.ociManifest)).res, 201);
      assert.equal(await tagTarget(repo, tag), a.digest, `${tag} moves through /v2`);
      return;
    }
    await sdkRejects(putImage(repo, b, tag), 'ImageTagAlreadyExistsException');
    const oci = (await putManifest(e.oci, repo, tag, b.bytes, MT.ociManifest)).res;
    assert.equal(oci.status, 409, oci.describe());
    assert.equal(oci.json<{ errors: Array<{ code: string }> }>().errors[0]?.code, 'DENIED', oci.describe());
    assert.equal(await tagTarget(repo, tag), a.digest, `${tag} still points at the first image`);
  };

  it('IMMUTABLE_WITH_EXCLUSION with filter latest: latest moves, v1 does not; create and describe echo the filters', async () => {
    const repo = ecrRepo('excl');
    const created = await e.sdk.send(
      new CreateRepositoryCommand({ repositoryName: repo, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: wild('latest') }),
    );
    assert.deepEqual(
      [created.repository?.imageTagMutability, created.repository?.imageTagMutabilityExclusionFilters],
      ['IMMUTABLE_WITH_EXCLUSION', wild('latest')],
    );
    const described = (await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories?.[0];
    assert.deepEqual([described?.imageTagMutability, described?.imageTagMutabilityExclusionFilters], ['IMMUTABLE_WITH_EXCLUSION', wild('latest')]);
    const images = await twoImages(repo);
    await assertMoves(repo, images, 'latest', true);
    await assertMoves(repo, images, 'v1', false);
    await assertMoves(repo, images, 'Latest', false);
  });

  it('MUTABLE_WITH_EXCLUSION with filter release-*: release-1 stays, latest and pre-release-1 move', async () => {
    const repo = ecrRepo('excl');
    await e.sdk.send(
      new CreateRepositoryCommand({
        repositoryName: repo,
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: wild('release-*'),
      }),
    );
    const images = await twoImages(repo);
    await assertMoves(repo, images, 'release-1', false);
    await assertMoves(repo, images, 'latest', true);
    await assertMoves(repo, images, 'pre-release-1', true);
  });

  it('PutImageTagMutability switches the mode and replaces or drops the filters', async () => {
    const repo = ecrRepo('excl');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const images = await twoImages(repo);
    await putImage(repo, images[0], 'v1');
    const put = await e.sdk.send(
      new PutImageTagMutabilityCommand({
        repositoryName: repo,
        imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: wild('dev-*', '*-rc'),
      }),
    );
    assert.deepEqual(
      [put.registryId, put.repositoryName, put.imageTagMutability, put.imageTagMutabilityExclusionFilters],
      [ACCOUNT, repo, 'IMMUTABLE_WITH_EXCLUSION', wild('dev-*', '*-rc')],
    );
    await sdkRejects(putImage(repo, images[1], 'v1'), 'ImageTagAlreadyExistsException', /v1/);
    await assertMoves(repo, images, 'v2-rc', true);
    const flipped = await e.sdk.send(
      new PutImageTagMutabilityCommand({
        repositoryName: repo,
        imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
        imageTagMutabilityExclusionFilters: wild('v2-rc'),
      }),
    );
    assert.deepEqual(flipped.imageTagMutabilityExclusionFilters, wild('v2-rc'));
    assert.equal((await putImage(repo, images[1], 'v1')).image?.imageId?.imageDigest, images[1].digest, 'v1 moves now');
    await sdkRejects(putImage(repo, images[1], 'v2-rc'), 'ImageTagAlreadyExistsException');
    const plain = await e.sdk.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: 'MUTABLE' }));
    assert.deepEqual([plain.imageTagMutability, plain.imageTagMutabilityExclusionFilters], ['MUTABLE', undefined]);
    const described = (await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories?.[0];
    assert.deepEqual([described?.imageTagMutability, described?.imageTagMutabilityExclusionFilters], ['MUTABLE', undefined]);
    assert.equal((await putImage(repo, images[1], 'v2-rc')).image?.imageId?.imageDigest, images[1].digest);
  });

  it('validation: filters need a *_WITH_EXCLUSION mode and it needs them; 1-5 filters of the model pattern; nothing is created or changed', async () => {
    const repo = ecrRepo('excl');
    const create = (mode: 'MUTABLE' | 'IMMUTABLE' | 'IMMUTABLE_WITH_EXCLUSION' | undefined, filters?: ImageTagMutabilityExclusionFilter[]) =>
      e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo, imageTagMutability: mode, imageTagMutabilityExclusionFilters: filters }));
    const change = (mode: 'IMMUTABLE' | 'MUTABLE_WITH_EXCLUSION', filters?: ImageTagMutabilityExclusionFilter[]) =>
      e.sdk.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: mode, imageTagMutabilityExclusionFilters: filters }));
    await sdkRejects(
      create('IMMUTABLE', wild('latest')),
      'InvalidParameterException',
      `${FILTERS_AT} 'imageTagMutabilityExclusionFilters can only be specified with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not IMMUTABLE'`,
    );
    await sdkRejects(create(undefined, wild('latest')), 'InvalidParameterException', /not MUTABLE'$/);
    await sdkRejects(
      create('IMMUTABLE_WITH_EXCLUSION'),
      'InvalidParameterException',
      `${FILTERS_AT} 'imageTagMutabilityExclusionFilters must be specified with IMMUTABLE_WITH_EXCLUSION'`,
    );
    await sdkRejects(
      create('IMMUTABLE_WITH_EXCLUSION', wild('v?')),
      'InvalidParameterException',
      "1 validation error detected: Value 'v?' at 'imageTagMutabilityExclusionFilters.1.member.filter' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z._*-]{1,128}$",
    );
    await sdkRejects(
      create('IMMUTABLE_WITH_EXCLUSION', wild('a', 'b', 'c', 'd', 'e', 'f')),
      'InvalidParameterException',
      /at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: Member must have length less than or equal to 5/,
    );
    await sdkRejects(create('IMMUTABLE_WITH_EXCLUSION', []), 'InvalidParameterException', /Member must have length greater than or equal to 1/);
    await sdkRejects(
      create('IMMUTABLE_WITH_EXCLUSION', [{ filterType: 'REGEX' as 'WILDCARD', filter: 'x' }]),
      'InvalidParameterException',
      /at 'imageTagMutabilityExclusionFilters.1.member.filterType' failed to satisfy constraint: Member must satisfy enum value set: \[WILDCARD\]/,
    );
    await sdkRejects(e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] })), 'RepositoryNotFoundException');

    await e.sdk.send(
      new CreateRepositoryCommand({ repositoryName: repo, imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION', imageTagMutabilityExclusionFilters: wild('latest') }),
    );
    await sdkRejects(change('IMMUTABLE', wild('x')), 'InvalidParameterException', /not IMMUTABLE'$/);
    await sdkRejects(change('MUTABLE_WITH_EXCLUSION'), 'InvalidParameterException', /must be specified with MUTABLE_WITH_EXCLUSION'$/);
    const described = (await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories?.[0];
    assert.deepEqual([described?.imageTagMutability, described?.imageTagMutabilityExclusionFilters], ['IMMUTABLE_WITH_EXCLUSION', wild('latest')]);
  });

  for (const cli of clis) {
    it(`${cli.version}: put-image-tag-mutability (with --image-tag-mutability-exclusion-filters when this CLI has it)`, { skip: noCli }, async () => {
      const run = (...args: string[]) => aws(cli, e.berth.url, e.admin, args);
      const repo = ecrRepo(`excl-cli${cli.major}`);
      await e.sdk.send(
        new CreateRepositoryCommand({
          repositoryName: repo,
          imageTagMutability: 'MUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: wild('release-*'),
        }),
      );
      const skeleton = cliOk(await run('put-image-tag-mutability', '--generate-cli-skeleton', 'input'));
      if ('imageTagMutabilityExclusionFilters' in skeleton) {
        const out = cliOk(
          await run(
            'put-image-tag-mutability',
            ...['--repository-name', repo, '--image-tag-mutability', 'IMMUTABLE_WITH_EXCLUSION'],
            ...['--image-tag-mutability-exclusion-filters', 'filterType=WILDCARD,filter=latest', 'filterType=WILDCARD,filter=dev-*'],
          ),
        );
        assert.deepEqual(out, {
          registryId: ACCOUNT,
          repositoryName: repo,
          imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
          imageTagMutabilityExclusionFilters: wild('latest', 'dev-*'),
        });
        const [a, b] = await twoImages(repo);
        await putImage(repo, a, 'dev-1');
        assert.equal((await putImage(repo, b, 'dev-1')).image?.imageId?.imageDigest, b.digest);
      } else {
        // An older CLI (Debian's 2.9) has no filters option; its older shape still works and reads a repository with filters.
        cliFails(
          cli,
          await run('put-image-tag-mutability', '--repository-name', repo, '--image-tag-mutability', 'IMMUTABLE_WITH_EXCLUSION'),
          'InvalidParameterException',
          'PutImageTagMutability',
        );
      }
      const listed = cliOk<{ repositories: Array<{ imageTagMutability: string }> }>(await run('describe-repositories', '--repository-names', repo));
      assert.match(listed.repositories[0]!.imageTagMutability, /_WITH_EXCLUSION$/);
      const plain = cliOk(await run('put-image-tag-mutability', '--repository-name', repo, '--image-tag-mutability', 'IMMUTABLE'));
      assert.deepEqual(plain, { registryId: ACCOUNT, repositoryName: repo, imageTagMutability: 'IMMUTABLE' });
    });
  }
});
