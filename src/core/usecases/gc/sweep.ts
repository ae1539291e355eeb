// One online GC pass. No mark phase and no lock: it works only from the review queue, the trash and tombstones,
// in short batches, and every removal is a compare-and-act transaction in the metadata store, so pushes, pulls and
// deletes carry on at full speed while it runs, and a crash at any point leaves nothing inconsistent.
import type { Digest } from '../../model/digest.ts';
import type { GcClock } from '../../ports/gc-store.ts';
import { pinPolicy } from '../pin-policy.ts';
import { newPurgeOwner, purgeLeaseExpiry, removePurgedBytes } from '../purge-lease.ts';
import { yieldToOthers } from '../yield-to-others.ts';
import { emptyReport, GC_ACTOR, type GcDeps, type GcOptions, type GcProgress, type GcReport, gcClock } from './options.ts';
import { planGc } from './plan.ts';

/** Rows per transaction: big enough for thousands of blobs a second, small enough that a push never waits long. */
export const BATCH = 256;

/**
 * Blobs per batch of the sweep: twice BATCH, since with the blob tables in key order (SQLite schema 18) a batch of
 * 512 neighbouring digests is marked in ~11 ms, and fewer batches write less (`node bench/gc-sweep.ts --seed http`,
 * 5,000 blobs, 3 interleaved pairs: 9,496-12,825 vs 8,147-11,187 blobs/s, 13.3 vs 17.4 MiB written; 1,024 held the
 * event loop ~20 ms a batch and gained nothing more). On PostgreSQL + S3 (the test servers, 5,000 blobs, 2 pairs) 400-552
 * vs 328-374 blobs/s; a batch's S3 removal took 0.8-1.2 s of the 3 s each removal call may run. Removal stays
 * REMOVAL_BATCH (1,000) at most per ownership check.
 */
export const BLOB_BATCH = 512;

/** Upper bound on batches per phase, so a pass always ends even if writers keep refilling the queue. */
const MAX_BATCHES = 100_000;
/** Rounds of (collect manifests, purge trash) per pass: one per level of index nesting that a pass can free. */
const MAX_ROUNDS = 4;

export async function runGc(deps: GcDeps, o: GcOptions): Promise<GcReport> {
  if (o.dryRun) return planGc(deps, o);
  const clock = gcClock(deps, o);
  const report = emptyReport(false, clock.at);
  const stopped = (): boolean => o.signal?.aborted === true;
  const progress = (p: GcProgress): void => o.onProgress?.(p);

  for (let i = 0, n = -1; n !== 0 && i < MAX_BATCHES && !stopped(); i++) {
    await yieldToOthers();
    n = await deps.meta.expirePins(clock.at, BATCH);
    report.pinsExpired += n;
  }
  progress({ phase: 'pins', done: report.pinsExpired, total: null, bytes: 0, totalBytes: null });

  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    await yieldToOthers();
    const owner = newPurgeOwner();
    const taken = await deps.meta.takeOverPurges(purgeLeaseExpiry(clock.at), owner, clock.at, BATCH);
    if (taken.length === 0) break;
    report.stalePurgesFinished += (await removeBytes(deps, taken, owner, report)).removed.size;
  }
  progress({ phase: 'stale-purges', done: report.stalePurgesFinished, total: null, bytes: 0, totalBytes: null });

  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    await yieldToOthers();
    const r = await deps.meta.purgeDeletedRepositories(BATCH, clock.at);
    if (r.manifests === 0 && r.links === 0 && r.repositories === 0) break;
    report.repositoryManifestsPurged += r.manifests;
    report.repositoriesPurged += r.repositories;
    progress({ phase: 'repositories', done: report.repositoryManifestsPurged, total: null, bytes: 0, totalBytes: null });
  }

  // A purged index releases its children and a purged trash releases blobs; with a zero grace period those are due
  // at once, so the manifest and trash steps repeat (a few rounds, one per level of nesting) until nothing moves.
  for (let round = 0; round < MAX_ROUNDS && !stopped(); round++) {
    const moved = (await collectManifests(deps, clock, report, progress, stopped)) + (await purgeTrash(deps, clock, report, progress, stopped));
    if (moved === 0) break;
  }

  await sweepBlobs(deps, clock, report, o, stopped);
  report.finishedAt = deps.clock.now();
  return report;
}

async function collectManifests(deps: GcDeps, clock: GcClock, report: GcReport, progress: (p: GcProgress) => void, stopped: () => boolean): Promise<number> {
  const pins = pinPolicy(deps, clock.at, false);
  let collected = 0;
  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    await yieldToOthers();
    const due = await deps.meta.dueManifests(clock.releasedBefore, BATCH);
    if (due.length === 0) break;
    for (const [n, review] of due.entries()) {
      // Each collect is its own transaction (a cascade and a pin walk): yield every few so requests keep flowing.
      if (n % 32 === 31) await yieldToOthers();
      const outcome = await deps.meta.collectManifest(review, clock, pins, GC_ACTOR, false);
      if (outcome.kind === 'collected') collected += outcome.manifests.length;
      if (outcome.kind === 'pinned') report.manifestsPinned++;
    }
    progress({ phase: 'manifests', done: report.manifestsCollected + collected, total: null, bytes: 0, totalBytes: null });
  }
  report.manifestsCollected += collected;
  return collected;
}

async function purgeTrash(deps: GcDeps, clock: GcClock, report: GcReport, progress: (p: GcProgress) => void, stopped: () => boolean): Promise<number> {
  let purged = 0;
  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    await yieldToOthers();
    const n = await deps.meta.purgeTrash(clock.trashedBefore, BATCH, clock.at);
    if (n.manifests === 0 && n.tags === 0) break;
    purged += n.manifests;
    progress({ phase: 'trash', done: report.manifestsPurged + purged, total: null, bytes: 0, totalBytes: null });
  }
  report.manifestsPurged += purged;
  return purged;
}

async function sweepBlobs(deps: GcDeps, clock: GcClock, report: GcReport, o: GcOptions, stopped: () => boolean): Promise<void> {
  const stats = await deps.meta.gcStats(clock);
  const total = { items: stats.blobsDue, bytes: stats.bytesDue };
  let after: Digest | undefined;
  for (let i = 0; i < MAX_BATCHES && !stopped(); i++) {
    await yieldToOthers();
    const due = await deps.meta.dueBlobs(clock.releasedBefore, BLOB_BATCH, after);
    if (due.length === 0) break;
    after = due.at(-1)!.digest;
    const owner = newPurgeOwner();
    // Stamped now, not at the pass's start: a long pass must never write markers whose lease is already over.
    const approved = await deps.meta.beginBlobPurge(
      due.map((b) => b.digest),
      clock.releasedBefore,
      deps.clock.now(),
      owner,
    );
    const { removed, freed } = await removeBytes(
      deps,
      approved.map((b) => b.digest),
      owner,
      report,
    );
    report.blobsRemoved += removed.size;
    // Only bytes actually removed count: a failed removal keeps its marker and is finished (and counted) later, and
    // a blob whose file was already gone frees nothing. Batches never repeat a digest (the pages move past it).
    report.bytesReclaimed += approved.reduce((sum, b) => sum + (freed.has(b.digest) ? b.size : 0), 0);
    o.onProgress?.({
      phase: 'blobs',
      done: report.blobsRemoved,
      total: Math.max(total.items, report.blobsRemoved),
      bytes: report.bytesReclaimed,
      totalBytes: Math.max(total.bytes, report.bytesReclaimed),
    });
  }
}

/** A failed removal keeps its marker: uploads of that digest wait, and a pass after the lease retries it. */
async function removeBytes(deps: GcDeps, digests: readonly Digest[], owner: string, report: GcReport): Promise<{ removed: Set<Digest>; freed: Set<Digest> }> {
  const { removed, freed, failed } = await removePurgedBytes(deps, digests, owner);
  report.errors += failed;
  return { removed, freed };
}
