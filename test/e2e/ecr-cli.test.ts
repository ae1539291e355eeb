// The real `aws ecr` CLI (every distinct one on this machine: Debian's v2, and a pip v1 when present) against a real
// berth process with auth required: log in with get-login-password, push with skopeo and docker's HTTP sequence,
// list (the CLI following nextToken itself), describe, delete tag by tag and by digest, and the repository deletes,
// with AWS's exit codes and error lines. Each CLI works on its own repository, and the CLIs run side by side.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, AuthClient, arnOf, aws, awsClisOrSkip, basic, cliFails, cliOk, type EcrBerth, ecrRepo, messages, startEcrBerth } from './ecr-helpers.ts';
import { type BuiltImage, buildImageLayout } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, skipUnless, skopeoArgs, type ToolEnv, tool } from './fixtures/tools.ts';
import { ACCEPT_MANIFESTS, assertStatus, MT, pushImage, putManifest } from './oci-helpers.ts';

const { clis, skip: noCli } = awsClisOrSkip();
const skip = noCli || skipUnless('skopeo');

interface Repository {
  repositoryName: string;
  repositoryArn: string;
  registryId: string;
  repositoryUri: string;
  imageTagMutability: string;
  imageScanningConfiguration?: { scanOnPush: boolean };
}
interface ImageId {
  imageDigest?: string;
  imageTag?: string;
}
interface Failure {
  imageId: ImageId;
  failureCode: string;
  failureReason: string;
}

const idStrings = (xs: ImageId[]): string[] => xs.map((x) => `${x.imageDigest ?? '?'} ${x.imageTag ?? ''}`.trim()).sort();

describe('aws ecr CLI against berth (auth required)', { skip, concurrency: true }, () => {
  let e: EcrBerth;
  let t: ToolEnv;
  let app: BuiltImage;
  before(async () => {
    e = await startEcrBerth();
    t = await isolatedToolEnv([e.berth.host]);
    app = await buildImageLayout(join(t.dir, 'app'), 'v1', { seed: 'ecr-cli' });
  });
  after(async () => {
    await e?.dispose();
    await t?.dispose();
  });

  for (const cli of clis) {
    it(`${cli.version} (${cli.path}): the whole repository flow`, async (ctx) => {
      const run = (...args: string[]) => aws(cli, e.berth.url, e.admin, args);
      const repo = ecrRepo(`cli${cli.major}`);
      const status = async (ref: string): Promise<number> =>
        (await e.oci.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } })).status;
      let broken = false;
      /** Steps build on each other: after a failure the rest are skipped rather than failing for the same reason. */
      const step = (name: string, fn: () => Promise<void>) =>
        ctx.test(name, { skip: broken ? 'an earlier step failed' : false }, async () => {
          try {
            await fn();
          } catch (err) {
            broken = true;
            throw err;
          }
        });
      let password = '';
      let b = '';
      let c = '';

      await step('create-repository echoes the repository', async () => {
        const out = cliOk<{ repository: Repository }>(
          await run(
            'create-repository',
            '--repository-name',
            repo,
            '--image-scanning-configuration',
            '{"scanOnPush":true}',
            '--tags',
            '[{"Key":"team","Value":"cli"}]',
          ),
        );
        const r = out.repository;
        assert.deepEqual(
          [r.repositoryName, r.repositoryArn, r.registryId, r.repositoryUri, r.imageTagMutability, r.imageScanningConfiguration],
          [repo, arnOf(repo), ACCOUNT, `${e.berth.host}/${repo}`, 'MUTABLE', { scanOnPush: true }],
        );
      });

      await step('get-login-password logs skopeo in as AWS; skopeo pushes; more tags and images through /v2', async () => {
        const login = await run('get-login-password');
        assert.equal(login.code, 0, login.describe());
        password = login.stdout.trim();
        assert.ok(password.length >= 20 && !password.includes(':'), `password "${password.slice(0, 8)}..."`);
        assert.equal((await fetch(`${e.berth.url}/v2/`, { headers: { authorization: basic('AWS', password) } })).status, 200);
        await tool(
          'skopeo',
          skopeoArgs(t, ['login', '--tls-verify=false', '--authfile', join(t.dir, `auth-${cli.major}.json`), '-u', 'AWS', '-p', password, e.berth.host]),
          t,
        );
        await tool(
          'skopeo',
          skopeoArgs(t, [
            'copy',
            '--dest-tls-verify=false',
            '--dest-authfile',
            join(t.dir, `auth-${cli.major}.json`),
            `oci:${join(t.dir, 'app')}:v1`,
            `docker://${e.berth.host}/${repo}:v1`,
          ]),
          t,
        );
        const asAws = new AuthClient(e.berth.url, basic('AWS', password));
        assertStatus((await putManifest(asAws, repo, 'v2', app.manifest, MT.ociManifest)).res, 201);
        b = (await pushImage(asAws, repo, 'b')).digest;
        c = (await pushImage(asAws, repo)).digest;
      });

      await step('describe-repositories, list-images page by page (the CLI follows nextToken), describe-images', async () => {
        const described = cliOk<{ repositories: Repository[] }>(await run('describe-repositories', '--repository-names', repo));
        assert.deepEqual(
          described.repositories.map((r) => r.repositoryName),
          [repo],
        );
        const listed = cliOk<{ imageIds: ImageId[] }>(await run('list-images', '--repository-name', repo, '--page-size', '1'));
        assert.deepEqual(idStrings(listed.imageIds), [`${app.manifestDigest} v1`, `${app.manifestDigest} v2`, `${b} b`, c].sort());
        const details = cliOk<{ imageDetails: Array<{ imageDigest: string; imageTags?: string[]; imageManifestMediaType: string; imageSizeInBytes: number }> }>(
          await run('describe-images', '--repository-name', repo, '--image-ids', 'imageTag=v1'),
        );
        assert.equal(details.imageDetails.length, 1);
        const [d] = details.imageDetails;
        assert.deepEqual([d!.imageDigest, [...(d!.imageTags ?? [])].sort(), d!.imageManifestMediaType], [app.manifestDigest, ['v1', 'v2'], MT.ociManifest]);
        assert.ok(d!.imageSizeInBytes > 0);
      });

      await step('batch-delete-image: one of two tags (a miss in failures[]), then the last tag (image gone) and a digest at once', async () => {
        const first = cliOk<{ imageIds: ImageId[]; failures: Failure[] }>(
          await run('batch-delete-image', '--repository-name', repo, '--image-ids', JSON.stringify([{ imageTag: 'v1' }, { imageTag: 'nope' }])),
        );
        assert.deepEqual(first.imageIds, [{ imageDigest: app.manifestDigest, imageTag: 'v1' }]);
        assert.deepEqual(first.failures, [{ imageId: { imageTag: 'nope' }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
        assert.equal(await status(app.manifestDigest), 200, 'v2 still holds it');
        const rest = cliOk<{ imageIds: ImageId[]; failures: Failure[] }>(
          await run('batch-delete-image', '--repository-name', repo, '--image-ids', JSON.stringify([{ imageTag: 'v2' }, { imageDigest: b }])),
        );
        assert.deepEqual(rest.failures, []);
        assert.deepEqual(
          rest.imageIds.filter((x) => x.imageDigest === app.manifestDigest),
          [{ imageDigest: app.manifestDigest, imageTag: 'v2' }],
        );
        assert.ok(
          rest.imageIds.some((x) => x.imageDigest === b) && rest.imageIds.every((x) => x.imageDigest === b || x.imageDigest === app.manifestDigest),
          JSON.stringify(rest.imageIds),
        );
        assert.equal(await status(app.manifestDigest), 404, 'the last tag took the image with it');
        for (const ref of ['b', b]) assert.equal(await status(ref), 404, `${ref} went with the digest`);
      });

      await step('delete-repository: refused while not empty (exit code and message), forced, then gone', async () => {
        const refused = await run('delete-repository', '--repository-name', repo);
        cliFails(cli, refused, 'RepositoryNotEmptyException', 'DeleteRepository', messages.notEmpty(repo));
        assert.equal(await status(c), 200, 'the refused delete deleted nothing');
        const forced = cliOk<{ repository: Repository }>(await run('delete-repository', '--repository-name', repo, '--force'));
        assert.deepEqual([forced.repository.repositoryName, forced.repository.repositoryArn], [repo, arnOf(repo)]);
        assert.equal(await status(c), 404);
        cliFails(
          cli,
          await run('describe-repositories', '--repository-names', repo),
          'RepositoryNotFoundException',
          'DescribeRepositories',
          messages.notFound(repo),
        );
      });

      await step('create-repository again starts empty; delete-repository of an empty one needs no --force', async () => {
        cliOk(await run('create-repository', '--repository-name', repo));
        assert.equal(await status(c), 404, 'the old images do not come back');
        const empty = cliOk<{ repository: Repository }>(await run('delete-repository', '--repository-name', repo));
        assert.equal(empty.repository.repositoryName, repo);
      });
    });
  }
});
