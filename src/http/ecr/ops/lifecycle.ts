// Put/Get/DeleteLifecyclePolicy and Start/GetLifecyclePolicyPreview over the retention use cases: the policy text is
// parsed by the translator (lifecycle/policy-text.ts), stored beside the engine form and echoed byte for byte.
import { z } from 'zod';
import {
  deleteLifecyclePolicy,
  isRegistryError,
  PREVIEW_TTL_MS,
  type RetentionPolicy,
  type StoredLifecyclePolicy,
  startLifecyclePreview,
  storeRepositoryPolicy,
} from '../../../core/index.ts';
import { type EcrCall, operation } from '../context.ts';
import { repositoryNotFound } from '../errors.ts';
import { lifecycleErrors } from '../lifecycle/errors.ts';
import { lifecyclePolicyText, parsePolicyText, policyTextOf } from '../lifecycle/policy-text.ts';
import { lifecyclePolicyAnswer, type PreviewResult, previewAnswer, startedPreview } from '../lifecycle/preview.ts';
import { decodeToken, encodeToken } from '../paging.ts';
import { base, imageIds, nextToken, repositoryName, tagStatus } from '../validate.ts';
import { epoch } from '../wire.ts';

async function existing(call: EcrCall, name: string): Promise<void> {
  if (!(await call.ctx.deps.meta.findRepository(name))) throw repositoryNotFound(name, call.ctx.ecr.registryId);
}

/**
 * The repository's own policy as ECR text: the text it was put with, or the ECR view of an expire policy set through
 * berth's API. A namespace default is not the repository's policy, and a keep (SWR) policy has no ECR form: both are
 * "no lifecycle policy" to ECR (docs/LIFECYCLE.md).
 */
async function ownPolicy(call: EcrCall, name: string): Promise<{ stored: StoredLifecyclePolicy; text: string }> {
  const stored = await call.ctx.deps.meta.findLifecyclePolicy('repository', name);
  if (stored?.policy.family !== 'expire') throw lifecycleErrors.policyNotFound(name, call.ctx.ecr.registryId);
  return { stored, text: stored.wireText ?? policyTextOf(stored.policy as RetentionPolicy & { family: 'expire' }) };
}

const ids = (call: EcrCall, name: string) => ({ registryId: call.ctx.ecr.registryId, repositoryName: name });

export const PutLifecyclePolicy = operation({
  input: z.object({ ...base, repositoryName, lifecyclePolicyText }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'admin');
    const policy = parsePolicyText(input.lifecyclePolicyText);
    try {
      await storeRepositoryPolicy(call.ctx.deps, input.repositoryName, policy, call.actor, { wireText: input.lifecyclePolicyText });
    } catch (e) {
      if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw repositoryNotFound(input.repositoryName, call.ctx.ecr.registryId);
      throw e;
    }
    return { ...ids(call, input.repositoryName), lifecyclePolicyText: input.lifecyclePolicyText };
  },
});

export const GetLifecyclePolicy = operation({
  input: z.object({ ...base, repositoryName }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'pull');
    await existing(call, input.repositoryName);
    const own = await ownPolicy(call, input.repositoryName);
    return lifecyclePolicyAnswer({ ...ids(call, input.repositoryName), lifecyclePolicyText: own.text }, own.stored.evaluatedAt);
  },
});

export const DeleteLifecyclePolicy = operation({
  input: z.object({ ...base, repositoryName }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'admin');
    await existing(call, input.repositoryName);
    const own = await ownPolicy(call, input.repositoryName);
    try {
      await deleteLifecyclePolicy(call.ctx.deps, 'repository', input.repositoryName, call.actor);
    } catch (e) {
      // Deleted by someone else between the read and the delete: ECR's "no policy".
      if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw lifecycleErrors.policyNotFound(input.repositoryName, call.ctx.ecr.registryId);
      throw e;
    }
    return lifecyclePolicyAnswer({ ...ids(call, input.repositoryName), lifecyclePolicyText: own.text }, own.stored.evaluatedAt);
  },
});

/**
 * Evaluated at once and stored (every replica then answers the same), yet answered IN_PROGRESS as AWS does; the
 * next GetLifecyclePolicyPreview finds it COMPLETE. Without a text the repository's own policy is previewed.
 */
export const StartLifecyclePolicyPreview = operation({
  input: z.object({ ...base, repositoryName, lifecyclePolicyText: lifecyclePolicyText.optional() }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'push');
    await existing(call, input.repositoryName);
    const given = input.lifecyclePolicyText;
    const policy = given === undefined ? await ownPolicy(call, input.repositoryName) : { text: given, stored: null };
    const parsed = given === undefined ? policy.stored!.policy : parsePolicyText(given);
    await startLifecyclePreview(call.ctx.deps, input.repositoryName, parsed, policy.text);
    return startedPreview({ ...ids(call, input.repositoryName), lifecyclePolicyText: policy.text });
  },
});

const PREVIEW_PAGE = 100;

export const GetLifecyclePolicyPreview = operation({
  input: z.object({
    ...base,
    repositoryName,
    imageIds: imageIds.optional(),
    nextToken: nextToken.optional(),
    maxResults: z.number().int().min(1).max(100).optional(),
    filter: z.object({ tagStatus: tagStatus.optional() }).optional(),
  }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'pull');
    await existing(call, input.repositoryName);
    const preview = await call.ctx.deps.meta.findLifecyclePreview(input.repositoryName);
    if (!preview) throw lifecycleErrors.previewNotFound(input.repositoryName, call.ctx.ecr.registryId);
    const answer = { ...ids(call, input.repositoryName), lifecyclePolicyText: preview.policyText };
    if (call.ctx.deps.clock.now().getTime() - preview.startedAt.getTime() > PREVIEW_TTL_MS) return previewAnswer(answer, 'expired');
    const status = input.filter?.tagStatus ?? 'ANY';
    const wanted = (e: { digest: string; tags: string[] }): boolean =>
      (status === 'ANY' || (status === 'TAGGED') === e.tags.length > 0) &&
      (input.imageIds === undefined || input.imageIds.some((i) => i.imageDigest === e.digest || (i.imageTag !== undefined && e.tags.includes(i.imageTag))));
    const listed = preview.expiring.filter(wanted);
    const from = input.nextToken === undefined ? 0 : Number(decodeToken('GetLifecyclePolicyPreview', input.nextToken).offset);
    const size = input.maxResults ?? PREVIEW_PAGE;
    const previewResults = listed.slice(from, from + size).map(
      (e): PreviewResult => ({
        imageTags: e.tags,
        imageDigest: e.digest,
        imagePushedAt: epoch(e.pushedAt),
        action: { type: 'EXPIRE' },
        appliedRulePriority: e.priority,
      }),
    );
    const more = from + size < listed.length ? encodeToken('GetLifecyclePolicyPreview', { offset: String(from + size) }) : undefined;
    return previewAnswer(answer, 'complete', {
      results: { previewResults, summary: { expiringImageTotalCount: preview.expiring.length } },
      nextToken: more,
    });
  },
});
