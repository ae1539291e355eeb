// Removing blob bytes under a purge marker, shared by GC, fsck repair and upload expiry. A marker is owned by the
// batch that wrote it and leased for PURGE_LEASE_MS: a crashed sweeper's markers are taken over after the lease
// (by the next pass, or by an upload of the same digest), and a live sweeper re-checks that it still owns a marker
// right before it removes the bytes, so a slow sweeper never removes what a taker-over let an upload commit.
import { randomUUID } from 'node:crypto';
import type { Digest } from '../model/digest.ts';
import type { RegistryDeps, UsesBlobs, UsesMeta } from './deps.ts';

/**
 * Far longer than removing one file or object takes (and the owner re-checks right before each removal, so only
 * that one removal is ever at risk), and shorter than a finishing upload waits for a purge (CLAIM_WAIT_MS), so an
 * upload always gets past a dead sweeper's marker within its own request.
 */
export const PURGE_LEASE_MS = 10_000;

/** A fresh owner token for one batch of purges. */
export function newPurgeOwner(): string {
  return randomUUID();
}

/** Markers started before this are abandoned and may be taken over. */
export function purgeLeaseExpiry(at: Date): Date {
  return new Date(at.getTime() - PURGE_LEASE_MS);
}

/** Removing bytes under a purge marker: the lease check, the removal, the marker's end. */
export type PurgeDeps = UsesMeta<'ownsPurge' | 'endBlobPurge'> & UsesBlobs<'remove'> & Pick<RegistryDeps, 'clock'>;

/**
 * Removes the bytes of `digests` whose markers `owner` holds, then ends those purges. A failed removal keeps its
 * marker (uploads of that digest wait, and the lease lets a later pass retry). Returns the purges finished
 * (`removed`) and, among them, those whose bytes were really there to remove (`freed`): only those free space.
 */
export async function removePurgedBytes(
  deps: PurgeDeps,
  digests: readonly Digest[],
  owner: string,
): Promise<{ removed: Set<Digest>; freed: Set<Digest>; failed: number }> {
  const removed = new Set<Digest>();
  const freed = new Set<Digest>();
  let failed = 0;
  for (const digest of digests) {
    if (!(await deps.meta.ownsPurge(digest, owner, deps.clock.now()))) continue;
    try {
      if (await deps.blobs.remove(digest)) freed.add(digest);
      removed.add(digest);
    } catch {
      failed++;
    }
  }
  if (removed.size > 0) await deps.meta.endBlobPurge([...removed], owner);
  return { removed, freed, failed };
}
