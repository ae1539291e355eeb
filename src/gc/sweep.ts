// One online GC pass. No mark phase and no lock: it works only from the review queue, the trash and tombstones,
// in short batches, and every removal is a compare-and-act transaction in the metadata store, so pushes, pulls and
// deletes carry on at full speed while it runs, and a crash at any point leaves nothing inconsistent.
import { pinPolicy, type Digest, type GcClock, type RegistryDeps } from '../core/index.ts';
import { emptyReport, GC_ACTOR, gcClock, type GcOptions, type GcProgress, type GcReport } from './options.ts';
import { planGc } from './plan.ts';

/** Rows per transaction: big enough for thousands of blobs a second, small enough that a push never waits long. */
export const BATCH = 256;
/** A purge marker older than this was left by a sweeper that died (a live one removes a file in milliseconds). */
export const STALE_PURGE_MS = 10 * 60 * 1000;
/** Upper bound on batches per phase, so a pass always ends even if writers keep refilling the queue. */
const MAX_BATCHES = 100_000;

export async function runGc(deps: RegistryDeps, o: GcOptions): Promise<GcReport> {
  if (o.dryRun) return planGc(deps, o);
  const clock = gcClock(deps, o);
  const report = emptyReport(false, clock.at);
  const stopped = (): boolean => o.signal?.aborted === true;
  const progress = (p: GcProgress): void => o.onProgress?.(p);

  for (let i = 0, n = -1; n !== 0 && i < MAX_BATCHES && !stopped(); i++) {
    n = await deps.meta.expirePins(clock.at, BATCH);
    report.pinsExpired += n;
  }
  progress({ phase: 'pins', done: report.pinsExpired, total: null, bytes: 0, totalBytes: null });

  const stale = await deps.meta.stalePurges(new Date(clock.at.getTime() - STALE_PURGE_MS), BATCH);
  report.stalePurgesFinished = (await removeBytes(deps, stale, report)).size;
  progress({ phase: 'stale-purges', done: report.stalePurgesFinished, total: stale.length, bytes: 0, totalBytes: null });

  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    const r = await deps.meta.purgeDeletedRepositories(BATCH, clock.at);
    if (r.manifests === 0 && r.repositories === 0) break;
    report.repositoryManifestsPurged += r.manifests;
    report.repositoriesPurged += r.repositories;
    progress({ phase: 'repositories', done: report.repositoryManifestsPurged, total: null, bytes: 0, totalBytes: null });
  }

  const pins = pinPolicy(deps, clock.at, false);
  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    const due = await deps.meta.dueManifests(clock.releasedBefore, BATCH);
    if (due.length === 0) break;
    for (const review of due) {
      const outcome = await deps.meta.collectManifest(review, clock, pins, GC_ACTOR, false);
      if (outcome.kind === 'collected') report.manifestsCollected += outcome.manifests.length;
      if (outcome.kind === 'pinned') report.manifestsPinned++;
    }
    progress({ phase: 'manifests', done: report.manifestsCollected, total: null, bytes: 0, totalBytes: null });
  }

  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    const n = await deps.meta.purgeTrash(clock.trashedBefore, BATCH, clock.at);
    if (n.manifests === 0 && n.tags === 0) break;
    report.manifestsPurged += n.manifests;
    progress({ phase: 'trash', done: report.manifestsPurged, total: null, bytes: 0, totalBytes: null });
  }

  await sweepBlobs(deps, clock, report, o, stopped);
  report.finishedAt = deps.clock.now();
  return report;
}

async function sweepBlobs(deps: RegistryDeps, clock: GcClock, report: GcReport, o: GcOptions, stopped: () => boolean): Promise<void> {
  const stats = await deps.meta.gcStats(clock);
  const total = { items: stats.blobsDue, bytes: stats.bytesDue };
  let after: Digest | undefined;
  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    const due = await deps.meta.dueBlobs(clock.releasedBefore, BATCH, after);
    if (due.length === 0) break;
    after = due.at(-1)!.digest;
    const approved = await deps.meta.beginBlobPurge(due.map((b) => b.digest), clock.releasedBefore, clock.at);
    const removed = await removeBytes(deps, approved.map((b) => b.digest), report);
    report.blobsRemoved += removed.size;
    // Only bytes actually removed count: a failed removal keeps its marker and is finished (and counted) later.
    report.bytesReclaimed += approved.reduce((sum, b) => sum + (removed.has(b.digest) ? b.size : 0), 0);
    o.onProgress?.({ phase: 'blobs', done: report.blobsRemoved, total: Math.max(total.items, report.blobsRemoved), bytes: report.bytesReclaimed, totalBytes: Math.max(total.bytes, report.bytesReclaimed) });
  }
}

/**
 * Removes the bytes of digests whose purge has begun, then ends their purges. A failed removal keeps its marker,
 * so uploads of that digest keep waiting and the next pass (or a later stale-purge sweep) retries it.
 */
async function removeBytes(deps: RegistryDeps, digests: readonly Digest[], report: GcReport): Promise<Set<Digest>> {
  const done: Digest[] = [];
  for (const digest of digests) {
    try {
      await deps.blobs.remove(digest);
      done.push(digest);
    } catch {
      report.errors++;
    }
  }
  if (done.length > 0) await deps.meta.endBlobPurge(done);
  return new Set(done);
}
