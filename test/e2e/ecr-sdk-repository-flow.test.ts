// The official @aws-sdk/client-ecr against a real berth process: the repository and image flow an ECR user
// runs (create, push through /v2, list, describe, delete by tag and digest, delete the repository; paging with
// the SDK's paginators in ecr-sdk-paging.test.ts), tag immutability seen from both APIs, BatchGetImage and PutImage.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ImageIdentifier,
  ListImagesCommand,
  PutImageCommand,
  PutImageTagMutabilityCommand,
} from '@aws-sdk/client-ecr';
import { ACCOUNT, arnOf, type EcrBerth, ecrOk, ecrRaw, ecrRepo, messages, REGION, sdkRejects, startEcrBerth } from './ecr-helpers.ts';
import { ACCEPT_MANIFESTS, assertStatus, MT, pushImage, putManifest, sha256 } from './oci-helpers.ts';

/** ListImages entries as comparable strings ("digest tag" or "digest"). */
const ids = (xs: ImageIdentifier[] | undefined): string[] => (xs ?? []).map((x) => `${x.imageDigest ?? '?'} ${x.imageTag ?? ''}`.trim()).sort();
const failuresOf = (xs: Array<{ imageId?: ImageIdentifier; failureCode?: string; failureReason?: string }> | undefined) =>
  (xs ?? []).map((f) => JSON.stringify([f.imageId, f.failureCode, f.failureReason])).sort();
const NOT_FOUND = 'Requested image not found';

describe('ECR repository flow through @aws-sdk/client-ecr (auth required)', () => {
  let e: EcrBerth;
  /** An image pulled once at the start: pulls are recorded in batches, so the last case finds its pull time. */
  let pulled: { repo: string; digest: string; at: number };
  before(async () => {
    e = await startEcrBerth();
    const repo = ecrRepo('pulled');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const img = await pushImage(e.oci, repo, 'v1');
    pulled = { repo, digest: img.digest, at: Date.now() };
    assertStatus(await e.oci.get(`/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT_MANIFESTS } }), 200);
  });
  after(async () => e?.dispose());

  const manifestStatus = async (repo: string, ref: string): Promise<number> =>
    (await e.oci.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } })).status;

  it('CreateRepository echoes name, ARN, URI, mutability, scanning, encryption and tags; defaults are MUTABLE/AES256; a second create is RepositoryAlreadyExistsException', async () => {
    const name = ecrRepo('sdk');
    const plain = ecrRepo('sdk');
    const out = await e.sdk.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: { encryptionType: 'KMS', kmsKey: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k-1` },
        tags: [{ Key: 'team', Value: 'web' }],
      }),
    );
    assert.ok(out.$metadata.requestId, 'x-amzn-RequestId is sent (the SDK reads $metadata.requestId from it)');
    const r = out.repository!;
    assert.deepEqual(
      [r.repositoryArn, r.registryId, r.repositoryName, r.repositoryUri, r.imageTagMutability, r.imageScanningConfiguration, r.encryptionConfiguration],
      [
        arnOf(name),
        ACCOUNT,
        name,
        `${e.berth.host}/${name}`,
        'IMMUTABLE',
        { scanOnPush: true },
        { encryptionType: 'KMS', kmsKey: `arn:aws:kms:${REGION}:${ACCOUNT}:key/k-1` },
      ],
    );
    assert.ok(r.createdAt instanceof Date && Math.abs(r.createdAt.getTime() - Date.now()) < 600_000, `createdAt ${String(r.createdAt)}`);

    const d = (await e.sdk.send(new CreateRepositoryCommand({ repositoryName: plain }))).repository!;
    assert.deepEqual(
      [d.imageTagMutability, d.imageScanningConfiguration, d.encryptionConfiguration],
      ['MUTABLE', { scanOnPush: false }, { encryptionType: 'AES256' }],
    );

    const described = await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [name, plain] }));
    const byName = new Map((described.repositories ?? []).map((x) => [x.repositoryName, x]));
    assert.deepEqual(byName.get(name), r, 'DescribeRepositories says what CreateRepository said');
    assert.deepEqual(byName.get(plain), d);
    const raw = ecrOk<{ repositories: Array<{ createdAt: unknown }> }>(
      await ecrRaw(e.raw, 'DescribeRepositories', { repositoryNames: [name] }, { key: e.admin }),
    );
    assert.equal(typeof raw.repositories[0]!.createdAt, 'number', 'timestamps are JSON numbers of epoch seconds');

    await sdkRejects(e.sdk.send(new CreateRepositoryCommand({ repositoryName: name })), 'RepositoryAlreadyExistsException', messages.exists(name));
    const pushed = ecrRepo('sdk-pushed');
    await pushImage(e.oci, pushed, 'v1');
    await sdkRejects(e.sdk.send(new CreateRepositoryCommand({ repositoryName: pushed })), 'RepositoryAlreadyExistsException', messages.exists(pushed));
    const implicit = (await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [pushed] }))).repositories?.[0];
    assert.deepEqual(
      [implicit?.repositoryName, implicit?.imageTagMutability, implicit?.repositoryUri],
      [pushed, 'MUTABLE', `${e.berth.host}/${pushed}`],
      'a repository docker created by pushing is an ECR repository like any other',
    );
    const missing = ecrRepo('sdk-missing');
    await sdkRejects(
      e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [name, missing] })),
      'RepositoryNotFoundException',
      messages.notFound(missing),
    );
  });

  it('lists and describes what docker pushed, then deletes one of two tags, the last tag (image gone), by digest, and reports misses in failures[]', async () => {
    const repo = ecrRepo('sdk');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const a = await pushImage(e.oci, repo, 'v1');
    assertStatus((await putManifest(e.oci, repo, 'v2', a.bytes, MT.ociManifest)).res, 201);
    const b = await pushImage(e.oci, repo, 'b');
    assertStatus((await putManifest(e.oci, repo, 'b2', b.bytes, MT.ociManifest)).res, 201);
    const c = await pushImage(e.oci, repo);
    const pushedAround = Date.now();

    const listed = await e.sdk.send(new ListImagesCommand({ repositoryName: repo }));
    assert.deepEqual(
      ids(listed.imageIds),
      [`${a.digest} v1`, `${a.digest} v2`, `${b.digest} b`, `${b.digest} b2`, c.digest].sort(),
      'one entry per (digest, tag); untagged by digest only',
    );
    assert.equal(listed.nextToken, undefined);
    assert.deepEqual(ids((await e.sdk.send(new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: 'UNTAGGED' } }))).imageIds), [c.digest]);
    assert.deepEqual(
      ids((await e.sdk.send(new ListImagesCommand({ repositoryName: repo, filter: { tagStatus: 'TAGGED' } }))).imageIds),
      [`${a.digest} v1`, `${a.digest} v2`, `${b.digest} b`, `${b.digest} b2`].sort(),
    );

    const [detail] = (await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }] }))).imageDetails ?? [];
    assert.ok(detail);
    assert.deepEqual(
      [
        detail.registryId,
        detail.repositoryName,
        detail.imageDigest,
        [...(detail.imageTags ?? [])].sort(),
        detail.imageManifestMediaType,
        detail.artifactMediaType,
      ],
      [ACCOUNT, repo, a.digest, ['v1', 'v2'], MT.ociManifest, MT.ociConfig],
    );
    assert.ok(Number.isInteger(detail.imageSizeInBytes) && detail.imageSizeInBytes! > 0, `imageSizeInBytes ${detail.imageSizeInBytes}`);
    assert.equal(detail.lastRecordedPullTime, undefined, 'never pulled');
    assert.ok(
      detail.imagePushedAt instanceof Date && Math.abs(detail.imagePushedAt.getTime() - pushedAround) < 120_000,
      `imagePushedAt ${String(detail.imagePushedAt)}`,
    );
    const all = (await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo }))).imageDetails ?? [];
    assert.deepEqual(all.map((x) => x.imageDigest).sort(), [a.digest, b.digest, c.digest].sort());
    const untagged = (await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, filter: { tagStatus: 'UNTAGGED' } }))).imageDetails ?? [];
    assert.deepEqual(
      untagged.map((x) => [x.imageDigest, x.imageTags ?? []]),
      [[c.digest, []]],
    );
    const notFound = await sdkRejects(
      e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }] })),
      'ImageNotFoundException',
    );
    assert.match(
      notFound.message,
      /^The image with imageId \{.*imageTag:'nope'\} does not exist within the repository with name '([^']+)' in the registry with id '000000000000'$/,
    );
    assert.ok(notFound.message.includes(`repository with name '${repo}'`), notFound.message);

    const unknownDigest = sha256(Buffer.from('never pushed'));
    const first = await e.sdk.send(
      new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }, { imageDigest: unknownDigest }] }),
    );
    assert.deepEqual(first.imageIds, [{ imageDigest: a.digest, imageTag: 'v1' }], 'the deleted tag, with its digest filled in');
    assert.deepEqual(
      failuresOf(first.failures),
      failuresOf([
        { imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: NOT_FOUND },
        { imageId: { imageDigest: unknownDigest }, failureCode: 'ImageNotFound', failureReason: NOT_FOUND },
      ]),
      'misses come back as sent',
    );
    assert.equal(await manifestStatus(repo, 'v1'), 404);
    assert.equal(await manifestStatus(repo, a.digest), 200, 'v2 still holds the image');

    const last = await e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v2' }] }));
    assert.deepEqual([last.imageIds, last.failures], [[{ imageDigest: a.digest, imageTag: 'v2' }], []]);
    assert.equal(await manifestStatus(repo, a.digest), 404, 'removing the last tag deletes the image');
    await sdkRejects(e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageDigest: a.digest }] })), 'ImageNotFoundException');

    const byDigest = await e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageDigest: b.digest }] }));
    assert.deepEqual(byDigest.failures, []);
    assert.ok((byDigest.imageIds ?? []).length > 0 && byDigest.imageIds!.every((x) => x.imageDigest === b.digest), JSON.stringify(byDigest.imageIds));
    for (const ref of ['b', 'b2', b.digest]) assert.equal(await manifestStatus(repo, ref), 404, `${ref} is gone with the digest`);
    const tags = await e.oci.get(`/v2/${repo}/tags/list`);
    assert.deepEqual(tags.json<{ tags: string[] | null }>().tags ?? [], []);
    assert.deepEqual(ids((await e.sdk.send(new ListImagesCommand({ repositoryName: repo }))).imageIds), [c.digest]);
  });

  it('BatchDeleteImage: a tag and digest that disagree, neither, a malformed digest and an index child are failures; nothing is deleted', async () => {
    const repo = ecrRepo('sdk');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const x = await pushImage(e.oci, repo, 'x');
    const _y = await pushImage(e.oci, repo, 'y');
    const amd = await pushImage(e.oci, repo);
    const arm = await pushImage(e.oci, repo);
    const index = await e.oci.req('PUT', `/v2/${repo}/manifests/multi`, {
      body: JSON.stringify({ schemaVersion: 2, mediaType: MT.ociIndex, manifests: [amd.descriptor, arm.descriptor] }),
      headers: { 'content-type': MT.ociIndex },
    });
    assertStatus(index, 201);

    const out = await e.sdk.send(
      new BatchDeleteImageCommand({
        repositoryName: repo,
        imageIds: [{ imageDigest: x.digest, imageTag: 'y' }, {}, { imageDigest: 'sha256:not-hex' }, { imageDigest: arm.digest }],
      }),
    );
    assert.deepEqual(out.imageIds, []);
    const codes = new Map((out.failures ?? []).map((f) => [JSON.stringify(f.imageId ?? {}), f]));
    assert.equal(codes.get(JSON.stringify({ imageDigest: x.digest, imageTag: 'y' }))?.failureCode, 'ImageTagDoesNotMatchDigest', JSON.stringify(out.failures));
    assert.equal(codes.get('{}')?.failureCode, 'MissingDigestAndTag', JSON.stringify(out.failures));
    assert.equal(codes.get(JSON.stringify({ imageDigest: 'sha256:not-hex' }))?.failureCode, 'InvalidImageDigest', JSON.stringify(out.failures));
    const referenced = codes.get(JSON.stringify({ imageDigest: arm.digest }));
    assert.equal(referenced?.failureCode, 'ImageReferencedByManifestList', JSON.stringify(out.failures));
    assert.equal(out.failures?.length, 4);
    for (const ref of ['x', 'y', arm.digest, 'multi']) assert.equal(await manifestStatus(repo, ref), 200, `${ref} is untouched`);

    const [indexDetail] = (await e.sdk.send(new DescribeImagesCommand({ repositoryName: repo, imageIds: [{ imageTag: 'multi' }] }))).imageDetails ?? [];
    assert.equal(indexDetail?.imageManifestMediaType, MT.ociIndex);
    const gone = await e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'multi' }] }));
    assert.deepEqual(gone.failures, []);
    const freed = await e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageDigest: arm.digest }] }));
    assert.deepEqual([freed.failures, freed.imageIds?.map((i) => i.imageDigest)], [[], [arm.digest]], 'once the index is gone its child can go');
  });

  it('DeleteRepository: not empty without force is RepositoryNotEmptyException and changes nothing; force returns it; recreated it starts empty; empty needs no force', async () => {
    const repo = ecrRepo('sdk');
    const created = (await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }))).repository!;
    const img = await pushImage(e.oci, repo, 'v1');
    await sdkRejects(e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo })), 'RepositoryNotEmptyException', messages.notEmpty(repo));
    await sdkRejects(e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: false })), 'RepositoryNotEmptyException', messages.notEmpty(repo));
    assert.equal(await manifestStatus(repo, 'v1'), 200, 'nothing was deleted');
    assert.equal((await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories?.length, 1);

    assertStatus(await e.oci.req('DELETE', `/v2/${repo}/manifests/v1`), 202);
    assert.equal(await manifestStatus(repo, img.digest), 200, 'an OCI tag delete leaves the image, untagged');
    await sdkRejects(e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo })), 'RepositoryNotEmptyException', messages.notEmpty(repo));
    const deleted = (await e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true }))).repository;
    assert.deepEqual(
      [deleted?.repositoryName, deleted?.repositoryArn, deleted?.registryId, deleted?.repositoryUri],
      [repo, arnOf(repo), ACCOUNT, created.repositoryUri],
    );
    await sdkRejects(e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] })), 'RepositoryNotFoundException', messages.notFound(repo));
    assert.equal((await e.oci.get(`/v2/${repo}/tags/list`)).status, 404);
    await sdkRejects(e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true })), 'RepositoryNotFoundException', messages.notFound(repo));
    await sdkRejects(e.sdk.send(new ListImagesCommand({ repositoryName: repo })), 'RepositoryNotFoundException', messages.notFound(repo));

    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    assert.deepEqual((await e.sdk.send(new ListImagesCommand({ repositoryName: repo }))).imageIds, []);
    assert.equal(await manifestStatus(repo, img.digest), 404, 'the recreated repository does not see the old image');
    const empty = await e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo }));
    assert.equal(empty.repository?.repositoryName, repo);
  });

  it('PutImageTagMutability IMMUTABLE: /v2 refuses moving a tag, PutImage is ImageTagAlreadyExistsException; new tags work; MUTABLE again allows it', async () => {
    const repo = ecrRepo('sdk');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const a = await pushImage(e.oci, repo, 'v1');
    const b = await pushImage(e.oci, repo);
    const put = await e.sdk.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: 'IMMUTABLE' }));
    assert.deepEqual([put.registryId, put.repositoryName, put.imageTagMutability], [ACCOUNT, repo, 'IMMUTABLE']);
    assert.equal((await e.sdk.send(new DescribeRepositoriesCommand({ repositoryNames: [repo] }))).repositories?.[0]?.imageTagMutability, 'IMMUTABLE');

    const moved = await putManifest(e.oci, repo, 'v1', b.bytes, MT.ociManifest);
    assert.ok(moved.res.status >= 400 && moved.res.status < 500, `${moved.res.describe()}: an immutable tag cannot move through /v2`);
    assertStatus((await putManifest(e.oci, repo, 'v1', a.bytes, MT.ociManifest)).res, 201);
    await sdkRejects(
      e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: b.bytes.toString(), imageTag: 'v1' })),
      'ImageTagAlreadyExistsException',
    );
    const head = await e.oci.get(`/v2/${repo}/manifests/v1`, { headers: { accept: ACCEPT_MANIFESTS } });
    assert.equal(head.header('docker-content-digest'), a.digest, 'v1 still points at the first image');

    const fresh = await e.sdk.send(
      new PutImageCommand({ repositoryName: repo, imageManifest: b.bytes.toString(), imageManifestMediaType: MT.ociManifest, imageTag: 'v2' }),
    );
    assert.deepEqual(fresh.image?.imageId, { imageDigest: b.digest, imageTag: 'v2' });
    const c = await pushImage(e.oci, repo, 'c1');
    const dropped = await e.sdk.send(new BatchDeleteImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'c1' }] }));
    assert.deepEqual(dropped.imageIds, [{ imageDigest: c.digest, imageTag: 'c1' }], 'an immutable tag can still be deleted');
    assertStatus((await putManifest(e.oci, repo, 'c1', b.bytes, MT.ociManifest)).res, 201);
    assert.equal(
      (await e.oci.get(`/v2/${repo}/manifests/c1`, { headers: { accept: ACCEPT_MANIFESTS } })).header('docker-content-digest'),
      b.digest,
      'and once deleted, the name is free for another image',
    );
    await e.sdk.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: 'MUTABLE' }));
    assertStatus((await putManifest(e.oci, repo, 'v1', b.bytes, MT.ociManifest)).res, 201);

    await sdkRejects(
      e.sdk.send(new PutImageTagMutabilityCommand({ repositoryName: repo, imageTagMutability: 'FROZEN' as 'MUTABLE' })),
      'InvalidParameterException',
    );
    const missing = ecrRepo('sdk-missing');
    await sdkRejects(
      e.sdk.send(new PutImageTagMutabilityCommand({ repositoryName: missing, imageTagMutability: 'IMMUTABLE' })),
      'RepositoryNotFoundException',
      messages.notFound(missing),
    );
  });

  it('BatchGetImage returns the exact manifest (acceptedMediaTypes honoured, misses in failures[]); PutImage retags by manifest and checks it', async () => {
    const repo = ecrRepo('sdk');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const a = await pushImage(e.oci, repo, 'v1');
    const got = await e.sdk.send(new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }, { imageTag: 'nope' }] }));
    assert.equal(got.images?.length, 1);
    const [image] = got.images!;
    assert.deepEqual(
      [image!.registryId, image!.repositoryName, image!.imageId, image!.imageManifestMediaType],
      [ACCOUNT, repo, { imageDigest: a.digest, imageTag: 'v1' }, MT.ociManifest],
    );
    assert.equal(image!.imageManifest, a.bytes.toString(), 'the manifest exactly as pushed');
    assert.deepEqual(failuresOf(got.failures), failuresOf([{ imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: NOT_FOUND }]));
    const byDigest = await e.sdk.send(
      new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageDigest: a.digest }], acceptedMediaTypes: [MT.ociManifest, MT.dockerManifest] }),
    );
    assert.equal(byDigest.images?.[0]?.imageManifest, a.bytes.toString());
    const refused = await e.sdk.send(new BatchGetImageCommand({ repositoryName: repo, imageIds: [{ imageTag: 'v1' }], acceptedMediaTypes: [MT.dockerList] }));
    assert.deepEqual(refused.images, [], 'an OCI manifest is not returned to a client that only accepts Docker manifest lists');
    assert.equal(refused.failures?.length, 1, `the refused id is reported: ${JSON.stringify(refused.failures)}`);

    const retag = await e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: a.bytes.toString(), imageTag: 'release' }));
    assert.deepEqual(
      [retag.image?.imageId, retag.image?.imageManifest, retag.image?.repositoryName],
      [{ imageDigest: a.digest, imageTag: 'release' }, a.bytes.toString(), repo],
    );
    const pulled = await e.oci.get(`/v2/${repo}/manifests/release`, { headers: { accept: ACCEPT_MANIFESTS } });
    assert.ok(pulled.body.equals(a.bytes), 'the new tag serves the same bytes through /v2');
    await sdkRejects(
      e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: a.bytes.toString(), imageTag: 'release' })),
      'ImageAlreadyExistsException',
    );
    await sdkRejects(
      e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: a.bytes.toString(), imageTag: 'd', imageDigest: sha256(Buffer.from('other')) })),
      'ImageDigestDoesNotMatchException',
    );
    const dangling = JSON.stringify({ ...a.manifest, layers: [{ mediaType: MT.ociLayer, digest: sha256(Buffer.from('no such layer')), size: 13 }] });
    await sdkRejects(e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: dangling, imageTag: 'dangling' })), 'LayersNotFoundException');
    await sdkRejects(e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: '{not json', imageTag: 'broken' })), 'InvalidParameterException');
    const huge = JSON.stringify({ ...a.manifest, annotations: { pad: 'x'.repeat(5 * 1024 * 1024) } });
    await sdkRejects(e.sdk.send(new PutImageCommand({ repositoryName: repo, imageManifest: huge, imageTag: 'huge' })), [
      'InvalidParameterException',
      'LimitExceededException',
    ]);
    assert.equal(await manifestStatus(repo, 'dangling'), 404);
  });

  it('DescribeImages reports lastRecordedPullTime after a /v2 pull (recorded in batches)', async () => {
    let time: Date | undefined;
    for (let i = 0; i < 48 && time === undefined; i++) {
      const [detail] =
        (await e.sdk.send(new DescribeImagesCommand({ repositoryName: pulled.repo, imageIds: [{ imageDigest: pulled.digest }] }))).imageDetails ?? [];
      time = detail?.lastRecordedPullTime;
      if (time === undefined) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(time instanceof Date, 'lastRecordedPullTime appears within 12 s of the pull');
    assert.ok(Math.abs(time.getTime() - pulled.at) < 60_000, `lastRecordedPullTime ${time.toISOString()} is the pull's time`);
  });
});
