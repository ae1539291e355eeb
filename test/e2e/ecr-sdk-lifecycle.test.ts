// ECR lifecycle policies through @aws-sdk/client-ecr against a real berth process: put/get/delete with the text echoed
// byte for byte, a preview whose results are exactly the digests and rule priorities a run then expires, AWS's
// validation messages and not-found exceptions, and one policy seen alike through ECR and berth's API.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand,
  DeleteRepositoryCommand,
  GetLifecyclePolicyCommand,
  GetLifecyclePolicyPreviewCommand,
  ListImagesCommand,
  PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand,
} from '@aws-sdk/client-ecr';
import { api, okJson } from './berth-api-helpers.ts';
import { ACCOUNT, type EcrBerth, ecrRepo, messages, LIFECYCLE_POLICY as POLICY, sdkRejects, startEcrBerth } from './ecr-helpers.ts';
import { pushImage } from './oci-helpers.ts';

const notFound = (repo: string): string => `Lifecycle policy does not exist for the repository with name '${repo}' in the registry with id '${ACCOUNT}'`;

describe('ECR lifecycle policies through @aws-sdk/client-ecr (auth required)', () => {
  let e: EcrBerth;
  before(async () => {
    e = await startEcrBerth();
  });
  after(async () => e?.dispose());

  /** u1, u2 untagged, then v1..v4, a few milliseconds apart so the push order is unambiguous. */
  async function pushSeries(repo: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const name of ['u1', 'u2', 'v1', 'v2', 'v3', 'v4']) {
      out[name] = (await pushImage(e.oci, repo, name.startsWith('v') ? name : undefined)).digest;
      await sleep(5);
    }
    return out;
  }

  it('put/get echo the text; preview COMPLETE lists exactly what a run expires; lastEvaluatedAt advances; delete', async () => {
    const repo = ecrRepo('lc');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const d = await pushSeries(repo);
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo })), 'LifecyclePolicyPreviewNotFoundException');
    const put = await e.sdk.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: POLICY }));
    assert.deepEqual([put.registryId, put.repositoryName, put.lifecyclePolicyText], [ACCOUNT, repo, POLICY]);
    const got = await e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo }));
    assert.equal(got.lifecyclePolicyText, POLICY, 'byte for byte');
    assert.equal(got.lastEvaluatedAt?.getTime(), 0, 'never run');

    const started = await e.sdk.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo }));
    assert.deepEqual([started.status, started.lifecyclePolicyText], ['IN_PROGRESS', POLICY]);
    const preview = await e.sdk.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo }));
    assert.equal(preview.status, 'COMPLETE');
    const expected = [
      { digest: d.u1!, tags: [], priority: 1 },
      { digest: d.v1!, tags: ['v1'], priority: 2 },
      { digest: d.v2!, tags: ['v2'], priority: 2 },
    ];
    assert.deepEqual(
      preview.previewResults?.map((r) => ({ digest: r.imageDigest, tags: r.imageTags ?? [], priority: r.appliedRulePriority, action: r.action?.type })),
      expected.map((x) => ({ ...x, action: 'EXPIRE' })),
    );
    assert.ok(preview.previewResults!.every((r) => r.imagePushedAt instanceof Date && r.imagePushedAt.getTime() > 0));
    assert.equal(preview.summary?.expiringImageTotalCount, 3);
    const tagged = await e.sdk.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo, filter: { tagStatus: 'TAGGED' }, maxResults: 1 }));
    assert.deepEqual([tagged.previewResults?.map((r) => r.imageDigest), tagged.summary?.expiringImageTotalCount], [[d.v1], 3]);
    const next = await e.sdk.send(
      new GetLifecyclePolicyPreviewCommand({ repositoryName: repo, filter: { tagStatus: 'TAGGED' }, maxResults: 1, nextToken: tagged.nextToken }),
    );
    assert.deepEqual([next.previewResults?.map((r) => r.imageDigest), next.nextToken], [[d.v2], undefined]);

    const run = okJson<{ expired: string[] }>(await api(e.oci, 'POST', `/berth/v1/repositories/${repo}/lifecycle/run`));
    assert.deepEqual([...run.expired].sort(), expected.map((x) => x.digest).sort(), 'the run expires exactly the preview');
    const left = await e.sdk.send(new ListImagesCommand({ repositoryName: repo }));
    assert.deepEqual(left.imageIds?.map((i) => i.imageDigest).sort(), [d.u2, d.v3, d.v4].sort());
    const after = await e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo }));
    assert.ok((after.lastEvaluatedAt?.getTime() ?? 0) > Date.now() - 600_000, `lastEvaluatedAt ${after.lastEvaluatedAt?.toISOString()}`);

    const deleted = await e.sdk.send(new DeleteLifecyclePolicyCommand({ repositoryName: repo }));
    assert.equal(deleted.lifecyclePolicyText, POLICY);
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
    await sdkRejects(e.sdk.send(new DeleteLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
  });

  it("AWS's validation messages; unknown repositories; a preview of a given text without storing it", async () => {
    const repo = ecrRepo('lc-bad');
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    await sdkRejects(
      e.sdk.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: '{"rules":[]}' })),
      'InvalidParameterException',
      "1 validation error detected: Value '{\"rules\":[]}' at 'lifecyclePolicyText' failed to satisfy constraint: Member must have length greater than or equal to 100",
    );
    const noList = `{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","countType":"imageCountMoreThan","countNumber":3},"action":{"type":"expire"}}]}`;
    await sdkRejects(
      e.sdk.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: noList })),
      'InvalidParameterException',
      "Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.'",
    );
    await sdkRejects(e.sdk.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
    const gone = ecrRepo('lc-none');
    await sdkRejects(
      e.sdk.send(new PutLifecyclePolicyCommand({ repositoryName: gone, lifecyclePolicyText: POLICY })),
      'RepositoryNotFoundException',
      messages.notFound(gone),
    );
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: gone })), 'RepositoryNotFoundException', messages.notFound(gone));
    await pushImage(e.oci, repo, 'v1');
    const started = await e.sdk.send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repo, lifecyclePolicyText: POLICY }));
    assert.equal(started.status, 'IN_PROGRESS');
    const preview = await e.sdk.send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repo }));
    assert.deepEqual([preview.status, preview.previewResults, preview.summary?.expiringImageTotalCount], ['COMPLETE', [], 0]);
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
  });

  it("one policy for ECR and berth's API; a namespace default or an SWR-style policy is no ECR policy; DeleteRepository drops it", async () => {
    const repo = ecrRepo('lc-both');
    const ns = repo.split('/')[0]!;
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    const keepTwo = {
      family: 'expire',
      rules: [{ priority: 1, tagStatus: 'any', count: { type: 'imageCountMoreThan', n: 2 } }],
    };
    okJson(await api(e.oci, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, keepTwo));
    const text = (await e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo }))).lifecyclePolicyText!;
    assert.deepEqual(JSON.parse(text), {
      rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
    });
    okJson(await api(e.oci, 'PUT', `/berth/v1/repositories/${repo}/lifecycle`, { family: 'keep', rules: [{ kind: 'tag_rule', n: 3 }] }));
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
    okJson(await api(e.oci, 'DELETE', `/berth/v1/repositories/${repo}/lifecycle`), 200);
    okJson(await api(e.oci, 'PUT', `/berth/v1/namespaces/${ns}/lifecycle`, keepTwo));
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
    await e.sdk.send(new PutLifecyclePolicyCommand({ repositoryName: repo, lifecyclePolicyText: POLICY }));
    const berth = okJson<{ source: string; policy: { family: string; rules: unknown[] } }>(await api(e.oci, 'GET', `/berth/v1/repositories/${repo}/lifecycle`));
    assert.deepEqual([berth.source, berth.policy.family, berth.policy.rules.length], ['repository', 'expire', 2]);
    await e.sdk.send(new DeleteRepositoryCommand({ repositoryName: repo, force: true }));
    await e.sdk.send(new CreateRepositoryCommand({ repositoryName: repo }));
    await sdkRejects(e.sdk.send(new GetLifecyclePolicyCommand({ repositoryName: repo })), 'LifecyclePolicyNotFoundException', notFound(repo));
  });
});
