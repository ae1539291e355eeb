// `berth gc --dry-run`: what a pass would remove now and how many bytes, computed with the same compare checks
// the real pass uses (pins included), without changing anything. The blob figures include what the same pass frees
// by purging the trash and deleted repositories: a preview that left those out said 0 bytes before a pass that
// freed megabytes.
import type { ManifestRef } from '../../ports/gc-store.ts';
import { pinPolicy } from '../pin-policy.ts';
import { emptyReport, GC_ACTOR, type GcOptions, type GcPlanDeps, type GcReport, gcClock } from './options.ts';

/** A dry run lists at most this many entries per kind; the counts and byte totals cover everything. */
const MAX_LISTED = 10_000;

export async function planGc(deps: GcPlanDeps, o: GcOptions): Promise<GcReport> {
  const clock = gcClock(deps, o);
  const report = emptyReport(true, clock.at);
  const stats = await deps.meta.gcStats(clock);
  const pins = pinPolicy(deps, clock.at, false);
  const plan: NonNullable<GcReport['plan']> = { manifests: [], trash: [], blobs: [], deletedRepositories: stats.deletedRepositories };

  const collected = new Map<string, ManifestRef>();
  for (const review of await deps.meta.dueManifests(clock.releasedBefore, MAX_LISTED)) {
    const outcome = await deps.meta.collectManifest(review, clock, pins, GC_ACTOR, true);
    if (outcome.kind === 'pinned') report.manifestsPinned++;
    if (outcome.kind !== 'collected') continue;
    report.manifestsCollected += outcome.manifests.length;
    plan.manifests.push({ repository: review.repository, digest: review.digest, size: outcome.size });
    for (const digest of outcome.manifests) collected.set(`${review.repoId} ${digest}`, { repoId: review.repoId, digest });
  }
  plan.trash = (await deps.meta.dueTrash(clock.trashedBefore, MAX_LISTED)).map((t) => ({ repository: t.repository, digest: t.digest }));
  // With a zero window the pass purges what it has just trashed, in the same pass.
  report.manifestsPurged = stats.trashDue + (clock.trashedBefore > clock.at ? collected.size : 0);

  const blobs = await deps.meta.forecastBlobs(clock, [...collected.values()], MAX_LISTED);
  plan.blobs = blobs.listed;
  report.blobsRemoved = blobs.blobs;
  report.bytesReclaimed = blobs.bytes;
  report.plan = plan;
  report.finishedAt = deps.clock.now();
  return report;
}
