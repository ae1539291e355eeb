// The real `aws ecr` CLI against berth for lifecycle policies: put-lifecycle-policy from a file, get-lifecycle-policy
// echoing the text byte for byte, and the not-found error line with AWS's exit code, for every CLI on the machine.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACCOUNT, aws, awsClisOrSkip, cliFails, cliOk, type EcrBerth, ecrRepo, LIFECYCLE_POLICY as POLICY, startEcrBerth } from './ecr-helpers.ts';

const { clis, skip } = awsClisOrSkip();

describe('aws ecr put/get-lifecycle-policy against berth (auth required)', { skip }, () => {
  let e: EcrBerth;
  let dir = '';
  before(async () => {
    e = await startEcrBerth();
    dir = await mkdtemp(join(tmpdir(), 'berth-lc-cli-'));
  });
  after(async () => {
    await e?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const cli of clis) {
    it(`${cli.version}: put-lifecycle-policy file://, get-lifecycle-policy, then the not-found error`, async () => {
      const run = (...args: string[]) => aws(cli, e.berth.url, e.admin, args);
      const repo = ecrRepo(`lc-cli${cli.major}`);
      cliOk(await run('create-repository', '--repository-name', repo));
      const file = join(dir, `policy-${cli.major}.json`);
      await writeFile(file, POLICY);
      const put = cliOk<{ lifecyclePolicyText: string; repositoryName: string }>(
        await run('put-lifecycle-policy', '--repository-name', repo, '--lifecycle-policy-text', `file://${file}`),
      );
      assert.deepEqual([put.repositoryName, put.lifecyclePolicyText], [repo, POLICY]);
      const got = cliOk<{ lifecyclePolicyText: string; registryId: string; lastEvaluatedAt: unknown }>(
        await run('get-lifecycle-policy', '--repository-name', repo),
      );
      assert.deepEqual([got.registryId, got.lifecyclePolicyText], [ACCOUNT, POLICY]);
      assert.ok(got.lastEvaluatedAt !== undefined, 'lastEvaluatedAt is answered');
      cliOk(await run('delete-lifecycle-policy', '--repository-name', repo));
      cliFails(
        cli,
        await run('get-lifecycle-policy', '--repository-name', repo),
        'LifecyclePolicyNotFoundException',
        'GetLifecyclePolicy',
        `Lifecycle policy does not exist for the repository with name '${repo}' in the registry with id '${ACCOUNT}'`,
      );
    });
  }
});
