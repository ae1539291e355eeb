// The engine's decisions in the shapes of ECR's lifecycle answers (preview results and summary, the preview status,
// GetLifecyclePolicy), so the operations only read the store and page.
import type { Decision, LifecycleImage } from '../../../core/lifecycle/decision.ts';
import { epoch } from '../wire.ts';

export interface PreviewResult {
  imageTags: string[];
  imageDigest: string;
  imagePushedAt: number;
  action: { type: 'EXPIRE' };
  appliedRulePriority: number;
}

export interface PreviewResults {
  previewResults: PreviewResult[];
  summary: { expiringImageTotalCount: number };
}

/** GetLifecyclePolicyPreview's `filter.tagStatus`: which expiring images to list (the summary still counts all). */
export type PreviewTagFilter = 'TAGGED' | 'UNTAGGED' | 'ANY';

/**
 * ECR lists only what the policy expires: one result per expiring image, oldest push first, with the rule that
 * expires it. Kept images are not listed, pinned ones included (berth's own preview names the pins that kept them);
 * the never-pulled warning has no ECR field either. Decisions of images not in `images` are a caller bug: thrown.
 */
export function previewResultsOf(
  decisions: Iterable<Decision>,
  images: Iterable<Pick<LifecycleImage, 'digest' | 'pushedAt'>>,
  filter: PreviewTagFilter = 'ANY',
): PreviewResults {
  const pushed = new Map<string, Date>();
  for (const i of images) pushed.set(i.digest, i.pushedAt);
  const expiring = [...decisions].filter((d) => d.verdict === 'expire' && d.by.kind === 'rule').sort((a, b) => a.seq - b.seq);
  const previewResults: PreviewResult[] = [];
  for (const d of expiring) {
    const at = pushed.get(d.digest);
    if (at === undefined) throw new Error(`no image for the decision on ${d.digest}`);
    if ((filter === 'TAGGED' && d.tags.length === 0) || (filter === 'UNTAGGED' && d.tags.length > 0)) continue;
    const priority = d.by.kind === 'rule' ? d.by.priority : 0;
    previewResults.push({ imageTags: [...d.tags], imageDigest: d.digest, imagePushedAt: epoch(at), action: { type: 'EXPIRE' }, appliedRulePriority: priority });
  }
  return { previewResults, summary: { expiringImageTotalCount: expiring.length } };
}

/** A preview's state in berth's store, and the status ECR reports for it. */
export type PreviewState = 'running' | 'complete' | 'expired' | 'failed';

export const PREVIEW_STATUS: Readonly<Record<PreviewState, 'IN_PROGRESS' | 'COMPLETE' | 'EXPIRED' | 'FAILED'>> = {
  running: 'IN_PROGRESS',
  complete: 'COMPLETE',
  expired: 'EXPIRED',
  failed: 'FAILED',
};

export interface PolicyAnswerInput {
  registryId: string;
  repositoryName: string;
  lifecyclePolicyText: string;
}

/** StartLifecyclePolicyPreview's answer: the preview has started; GetLifecyclePolicyPreview reports it. */
export function startedPreview(p: PolicyAnswerInput): PolicyAnswerInput & { status: 'IN_PROGRESS' } {
  return { registryId: p.registryId, repositoryName: p.repositoryName, lifecyclePolicyText: p.lifecyclePolicyText, status: 'IN_PROGRESS' };
}

/**
 * GetLifecyclePolicy's answer. `lastEvaluatedAt` is the last time a run applied the policy; a policy never run answers
 * epoch 0, as AWS does (clients show 1970-01-01).
 */
export function lifecyclePolicyAnswer(p: PolicyAnswerInput, lastEvaluatedAt: Date | null): PolicyAnswerInput & { lastEvaluatedAt: number } {
  return {
    registryId: p.registryId,
    repositoryName: p.repositoryName,
    lifecyclePolicyText: p.lifecyclePolicyText,
    lastEvaluatedAt: lastEvaluatedAt ? epoch(lastEvaluatedAt) : 0,
  };
}

/** GetLifecyclePolicyPreview's answer for one page; results and summary only once the preview is complete. */
export function previewAnswer(
  p: PolicyAnswerInput,
  state: PreviewState,
  page?: { results: PreviewResults; nextToken?: string | undefined },
): Record<string, unknown> {
  const base = { registryId: p.registryId, repositoryName: p.repositoryName, lifecyclePolicyText: p.lifecyclePolicyText, status: PREVIEW_STATUS[state] };
  if (state !== 'complete' || page === undefined) return base;
  return {
    ...base,
    ...(page.nextToken !== undefined ? { nextToken: page.nextToken } : {}),
    previewResults: page.results.previewResults,
    summary: page.results.summary,
  };
}
