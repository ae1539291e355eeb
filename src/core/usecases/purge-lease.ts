// Removing blob bytes under a purge marker, shared by GC, fsck repair and upload expiry. A marker is owned by the
// batch that wrote it and leased for PURGE_LEASE_MS: a crashed sweeper's markers are taken over after the lease
// (by the next pass, or by an upload of the same digest), and a live sweeper re-checks that it still owns a marker
// right before it removes the bytes (a batch of markers in one statement, right before one batched removal that must
// end well inside the lease), so a slow sweeper never removes what a taker-over let an upload commit.
import { randomUUID } from 'node:crypto';
import type { Digest } from '../model/digest.ts';
import type { RemoveOutcome } from '../ports/blob-store.ts';
import type { RegistryDeps, UsesBlobs, UsesMeta } from './deps.ts';

/**
 * Far longer than a batch of removals takes (the owner re-checks right before each batch's removal and the removal
 * stops within REMOVAL_BUDGET_MS of that check, so only that one batch is ever at risk), and shorter than a finishing
 * upload waits for a purge (CLAIM_WAIT_MS), so an upload always gets past a dead sweeper's marker within its request.
 */
export const PURGE_LEASE_MS = 10_000;

/**
 * How long a batch's removal may run after its ownership check renewed the leases: no removal starts later than this
 * (the rest keep their markers for a later pass), which leaves half the lease for one already in flight to end (the
 * S3 store cuts each call off 3 s after it starts) and for clocks that differ a little between replicas.
 */
export const REMOVAL_BUDGET_MS = PURGE_LEASE_MS / 2;

/** Digests per ownership check and removal: S3's DeleteObjects takes 1,000 keys, and GC's batches are smaller. */
export const REMOVAL_BATCH = 1_000;

/** A fresh owner token for one batch of purges. */
export function newPurgeOwner(): string {
  return randomUUID();
}

/** Markers started before this are abandoned and may be taken over. */
export function purgeLeaseExpiry(at: Date): Date {
  return new Date(at.getTime() - PURGE_LEASE_MS);
}

/** Removing bytes under a purge marker: the lease check, the removal, the marker's end. */
export type PurgeDeps = UsesMeta<'ownsPurges' | 'endBlobPurge'> & UsesBlobs<'removeMany'> & Pick<RegistryDeps, 'clock'>;

/**
 * Removes the bytes of `digests` whose markers `owner` holds, then ends those purges, REMOVAL_BATCH at a time: one
 * statement renews the batch's leases and says which markers are still ours, one batched removal follows at once
 * (cut off REMOVAL_BUDGET_MS after the check), one statement ends the purges it finished. A failed removal keeps its
 * marker (uploads of that digest wait, and the lease lets a later pass retry). Returns the purges finished
 * (`removed`), among them those whose bytes were really there to remove (`freed`: only those free space), and how
 * many removals failed.
 */
export async function removePurgedBytes(
  deps: PurgeDeps,
  digests: readonly Digest[],
  owner: string,
): Promise<{ removed: Set<Digest>; freed: Set<Digest>; failed: number }> {
  const removed = new Set<Digest>();
  const freed = new Set<Digest>();
  let failed = 0;
  for (let i = 0; i < digests.length; i += REMOVAL_BATCH) {
    // Started before the check: the budget counts from the moment the leases are renewed, not from when it answered.
    const budget = AbortSignal.timeout(REMOVAL_BUDGET_MS);
    const owned = await deps.meta.ownsPurges(digests.slice(i, i + REMOVAL_BATCH), owner, deps.clock.now());
    if (owned.length === 0) continue;
    let outcomes: Map<Digest, RemoveOutcome>;
    try {
      outcomes = await deps.blobs.removeMany(owned, budget);
    } catch {
      outcomes = new Map();
    }
    const finished: Digest[] = [];
    for (const digest of owned) {
      const outcome = outcomes.get(digest) ?? 'failed';
      if (outcome === 'failed') {
        failed++;
        continue;
      }
      if (outcome === 'removed') freed.add(digest);
      removed.add(digest);
      finished.push(digest);
    }
    if (finished.length > 0) await deps.meta.endBlobPurge(finished, owner);
  }
  return { removed, freed, failed };
}
