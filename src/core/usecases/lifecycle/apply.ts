// Preview and run of a repository's retention policy share one evaluation (same images, same pins, same clock), so
// a run expires exactly what its preview showed; the run then deletes through the ordinary delete use case, which
// re-checks pins in its own transaction, trashes (restorable) and audits each delete with the policy and rule.
import { RegistryError } from '../../errors.ts';
import type { Decision, LifecycleImage, PinLookup } from '../../lifecycle/decision.ts';
import { evaluateStreamAsync } from '../../lifecycle/evaluate.ts';
import { type RemovalRecord, removalsOf } from '../../lifecycle/history.ts';
import type { RetentionPolicy } from '../../lifecycle/rules.ts';
import type { Digest } from '../../model/digest.ts';
import type { Actor, Pin } from '../../model/records.ts';
import { deleteManifest } from '../delete-manifest.ts';
import { reclaimableBy } from '../delete-preview.ts';
import type { RegistryDeps, UsesMeta } from '../deps.ts';
import { yieldToOthers } from '../yield-to-others.ts';
import { type EffectivePolicy, effectivePolicy } from './policies.ts';

export type LifecycleDeps = UsesMeta<
  | 'findRepository'
  | 'findLifecyclePolicy'
  | 'listLifecycleImages'
  | 'lifecycleProtection'
  | 'pullsRecordedSince'
  | 'deleteManifest'
  | 'deleteTag'
  | 'deletePreviewFacts'
> &
  Pick<RegistryDeps, 'clock' | 'deletion'>;

/** Rows of the push-order stream read per query: bounded, so no read holds the database for long. */
export const IMAGE_PAGE = 1000;
/** Deletes in a row before the run yields to the event loop (pushes and pulls waiting for the single writer). */
export const DELETE_BATCH = 100;
/** Removal records kept per repository (SWR's ListRetentionHistories): older ones are dropped as runs add more. */
export const HISTORY_KEEP = 10_000;

export interface PlanCounts {
  images: number;
  expire: number;
  untag: number;
  keep: number;
  pinned: number;
}

export interface LifecyclePreview {
  repository: string;
  at: Date;
  /** Null: no policy applies (nothing would change). */
  policy: EffectivePolicy | null;
  pullsRecordedSince: Date;
  /** Every expire and untag decision and every image kept by pins, in push order; plain keeps are only counted. */
  decisions: Decision[];
  counts: PlanCounts;
  /** What GC gets back once the expired images are deleted, and from when: the delete preview's figure (delete-preview.ts). */
  bytes: { reclaimable: number; from: Date };
}

export interface Evaluation {
  policy: EffectivePolicy;
  /** Decided as the store's pages arrive: only the count rules' windows and the page being read are held. */
  decisions: AsyncIterable<Decision>;
  since: Date;
}

/**
 * The repository's live images in push order, a page at a time. The cursor is the last image's (push time, digest),
 * a value, so a run deleting images it has already read never shifts it.
 */
async function* imagePages(deps: LifecycleDeps, repository: string): AsyncGenerator<LifecycleImage[]> {
  let after: { pushedAt: Date; digest: Digest } | undefined;
  for (;;) {
    const page = await deps.meta.listLifecycleImages(repository, { after, limit: IMAGE_PAGE });
    if (page.length > 0) yield page;
    const last = page.at(-1);
    if (page.length < IMAGE_PAGE || !last) return;
    after = { pushedAt: last.pushedAt, digest: last.digest };
    await yieldToOthers();
  }
}

/**
 * The decisions at `now` under the repository's effective policy, or under `given` (an ECR preview of a text not
 * stored: it stands in as the repository's own policy, id 0, never run).
 */
export async function evaluation(deps: LifecycleDeps, repository: string, now: Date, given?: RetentionPolicy): Promise<Evaluation | null> {
  if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  const stand = (policy: RetentionPolicy): EffectivePolicy => ({
    source: 'repository',
    stored: { id: 0, scope: 'repository', name: repository, policy, updatedAt: now, updatedBy: '', evaluatedAt: null, wireText: null },
  });
  const policy = given ? stand(given) : await effectivePolicy(deps, repository);
  if (!policy) return null;
  const window = deps.deletion.autoPinPulledWithinMs;
  // The same pins the delete path would see at `now`: explicit ones through indexes and referrers, and recent pulls.
  const protection = await deps.meta.lifecycleProtection(repository, now, window > 0 ? new Date(now.getTime() - window) : null);
  const pins: PinLookup = new Map<Digest, Pin[]>(protection.map((p) => [p.digest, p.pins]));
  const since = await deps.meta.pullsRecordedSince();
  const decisions = evaluateStreamAsync(imagePages(deps, repository), policy.stored.policy, { now, pins, pullsRecordedSince: since });
  return { policy, decisions, since };
}

const shown = (d: Decision): boolean => d.verdict !== 'keep' || d.by.kind === 'pinned';

function count(counts: PlanCounts, d: Decision): void {
  counts.images++;
  counts[d.verdict]++;
  if (d.by.kind === 'pinned') counts.pinned++;
}

/** What a run at `now` would do, changing nothing. */
export async function previewLifecycle(deps: LifecycleDeps, repository: string, now: Date = deps.clock.now()): Promise<LifecyclePreview> {
  const e = await evaluation(deps, repository, now);
  const counts: PlanCounts = { images: 0, expire: 0, untag: 0, keep: 0, pinned: 0 };
  const decisions: Decision[] = [];
  if (e)
    for await (const d of e.decisions) {
      count(counts, d);
      if (shown(d)) decisions.push(d);
    }
  decisions.sort((a, b) => a.seq - b.seq);
  const expired = decisions.filter((d) => d.verdict === 'expire').map((d) => d.digest);
  const bytes = await reclaimableBy(deps, repository, expired, now);
  return { repository, at: now, policy: e?.policy ?? null, pullsRecordedSince: e?.since ?? new Date(0), decisions, counts, bytes };
}

export interface RunProgress {
  repository: string;
  /** Images read so far: the run streams the repository, so the total is known only at the end. */
  images: number;
  /** Decisions acted on (or found nothing to do) so far. */
  done: number;
}

export interface LifecycleRunResult {
  repository: string;
  at: Date;
  policy: EffectivePolicy | null;
  counts: PlanCounts;
  /** Manifests that went (the expired images and the referrers that went with them). */
  expired: Digest[];
  untagged: string[];
  /** Decided to expire but refused by a pin at delete time (a pin added since the evaluation wins). */
  refused: Array<{ digest: Digest; pins: Array<{ id: string; reason: string }> }>;
  /** Already gone when the run reached them (deleted meanwhile). */
  vanished: Digest[];
}

export interface RunOptions {
  now?: Date;
  onProgress?: (p: RunProgress) => void;
  /** Deletes between yields (default DELETE_BATCH). */
  batch?: number;
}

function note(policy: EffectivePolicy, d: Decision): Record<string, unknown> {
  const rule = d.by.kind === 'rule' ? { priority: d.by.priority } : d.by.kind === 'keep-rules' ? { rules: d.by.rules } : {};
  return { lifecycle: { policy: `${policy.source}:${policy.stored.name}`, family: policy.stored.policy.family, ...rule, verdict: d.verdict } };
}

/**
 * Applies the policy: evaluates as the preview does and deletes each decision as it comes (yielding every `batch`
 * writes), so a run holds no more than a preview's windows; what a pin refuses stays.
 */
export async function runLifecycle(
  deps: LifecycleDeps & UsesMeta<'markLifecycleEvaluated' | 'recordLifecycleRemovals'>,
  repository: string,
  actor: Actor,
  options: RunOptions = {},
): Promise<LifecycleRunResult> {
  const now = options.now ?? deps.clock.now();
  const batch = Math.max(1, options.batch ?? DELETE_BATCH);
  const e = await evaluation(deps, repository, now);
  const counts: PlanCounts = { images: 0, expire: 0, untag: 0, keep: 0, pinned: 0 };
  const result: LifecycleRunResult = { repository, at: now, policy: e?.policy ?? null, counts, expired: [], untagged: [], refused: [], vanished: [] };
  if (!e) return result;
  let done = 0;
  let writes = 0;
  // What really went, for the history (a pin found now, or a vanished image, is no removal).
  let removed: Omit<RemovalRecord, 'id'>[] = [];
  const context = { repository, policyId: e.policy.stored.id, at: now };
  const flush = async (): Promise<void> => {
    if (removed.length > 0) await deps.meta.recordLifecycleRemovals(removed, HISTORY_KEEP);
    removed = [];
  };
  for await (const d of e.decisions) {
    count(counts, d);
    done++;
    if (d.verdict === 'keep') continue;
    const why = note(e.policy, d);
    try {
      if (d.verdict === 'expire') {
        const out = await deleteManifest(deps, repository, d.digest, actor, { note: why });
        result.expired.push(...out.manifests);
        removed.push(...removalsOf(d, e.policy.stored.policy, context));
        writes++;
      } else {
        for (const tag of d.removeTags) {
          await deleteManifest(deps, repository, tag, actor, { note: why });
          result.untagged.push(tag);
          removed.push(...removalsOf({ ...d, removeTags: [tag] }, e.policy.stored.policy, context));
          writes++;
        }
      }
    } catch (err) {
      if (!(err instanceof RegistryError)) throw err;
      if (err.code === 'IMAGE_IN_USE') {
        const pins = (err.detail?.pins as Array<{ id: string; reason: string }> | undefined) ?? [];
        result.refused.push({ digest: d.digest, pins: pins.map((p) => ({ id: p.id, reason: p.reason })) });
      } else if (err.code === 'MANIFEST_UNKNOWN') result.vanished.push(d.digest);
      else throw err;
    }
    if (writes >= batch) {
      writes = 0;
      await flush();
      options.onProgress?.({ repository, images: counts.images, done });
      await yieldToOthers();
    }
  }
  options.onProgress?.({ repository, images: counts.images, done });
  await flush();
  await deps.meta.markLifecycleEvaluated(e.policy.source, e.policy.stored.name, now);
  return result;
}
