// `berth gc --dry-run`: what a pass would remove now and how many bytes, computed with the same compare checks
// the real pass uses (pins included), without changing anything.
import type { Digest } from '../../model/digest.ts';
import { pinPolicy } from '../pin-policy.ts';
import { emptyReport, GC_ACTOR, type GcOptions, type GcPlanDeps, type GcReport, gcClock } from './options.ts';

/** A dry run lists at most this many entries per kind; the counts and byte totals cover everything. */
const MAX_LISTED = 10_000;
const PAGE = 1_000;

export async function planGc(deps: GcPlanDeps, o: GcOptions): Promise<GcReport> {
  const clock = gcClock(deps, o);
  const report = emptyReport(true, clock.at);
  const stats = await deps.meta.gcStats(clock);
  const pins = pinPolicy(deps, clock.at, false);
  const plan: NonNullable<GcReport['plan']> = { manifests: [], trash: [], blobs: [], deletedRepositories: stats.deletedRepositories };

  for (const review of await deps.meta.dueManifests(clock.releasedBefore, MAX_LISTED)) {
    const outcome = await deps.meta.collectManifest(review, clock, pins, GC_ACTOR, true);
    if (outcome.kind === 'pinned') report.manifestsPinned++;
    if (outcome.kind !== 'collected') continue;
    report.manifestsCollected++;
    plan.manifests.push({ repository: review.repository, digest: review.digest, size: outcome.size });
  }
  plan.trash = (await deps.meta.dueTrash(clock.trashedBefore, MAX_LISTED)).map((t) => ({ repository: t.repository, digest: t.digest }));
  report.manifestsPurged = stats.trashDue;

  let after: Digest | undefined;
  while (plan.blobs.length < MAX_LISTED) {
    const page = await deps.meta.dueBlobs(clock.releasedBefore, PAGE, after);
    if (page.length === 0) break;
    plan.blobs.push(...page);
    after = page.at(-1)!.digest;
  }
  report.blobsRemoved = stats.blobsDue;
  report.bytesReclaimed = stats.bytesDue;
  report.plan = plan;
  report.finishedAt = deps.clock.now();
  return report;
}
