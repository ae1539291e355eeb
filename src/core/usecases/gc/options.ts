// What one GC pass is told and what it reports; shared by the sweeper, the scheduler, the CLI and the JSON API.
import type { Digest } from '../../model/digest.ts';
import type { Actor } from '../../model/records.ts';
import type { GcClock } from '../../ports/gc-store.ts';
import type { RegistryDeps, UsesMeta } from '../deps.ts';
import type { PinPolicyDeps } from '../pin-policy.ts';
import type { PurgeDeps } from '../purge-lease.ts';

/** Who GC's own removals are recorded as in the audit trail. */
export const GC_ACTOR: Actor = { principal: 'gc', dialect: 'gc' };

export interface GcOptions {
  /** Unreferenced things must have been so for this long (ms). */
  graceMs: number;
  /** Trashed manifests stay restorable for this long before they are purged (ms). */
  restoreWindowMs: number;
  /** Report what would go, change nothing. */
  dryRun: boolean;
  /** Called after every batch; cheap, so a progress bar or metrics can follow a long pass. */
  onProgress?: ((p: GcProgress) => void) | undefined;
  /** Stops the pass between batches (shutdown). */
  signal?: AbortSignal | undefined;
}

export type GcPhase = 'pins' | 'stale-purges' | 'repositories' | 'manifests' | 'trash' | 'blobs';

export interface GcProgress {
  phase: GcPhase;
  /** Blobs (in the blobs phase) or manifests handled so far in this phase. */
  done: number;
  /** Known total for this phase, when there is one (blobs: due at the start of the pass). */
  total: number | null;
  bytes: number;
  totalBytes: number | null;
}

export interface GcReport {
  dryRun: boolean;
  startedAt: Date;
  finishedAt: Date;
  pinsExpired: number;
  stalePurgesFinished: number;
  /** Manifests moved to the trash because nothing held them past the grace period (with their referrers). */
  manifestsCollected: number;
  manifestsPinned: number;
  /** Trashed manifests purged for good after the restore window. */
  manifestsPurged: number;
  /** Manifests of deleted repositories purged, and repositories fully removed. */
  repositoryManifestsPurged: number;
  repositoriesPurged: number;
  blobsRemoved: number;
  bytesReclaimed: number;
  errors: number;
  /** Dry run: what would go (bounded lists). */
  plan?: {
    manifests: Array<{ repository: string; digest: Digest; size: number }>;
    trash: Array<{ repository: string; digest: Digest }>;
    blobs: Array<{ digest: Digest; size: number }>;
    deletedRepositories: number;
  };
}

/** What a dry run reads (and asks collectManifest with dryRun, which changes nothing). */
export type GcPlanDeps = UsesMeta<'gcStats' | 'dueManifests' | 'collectManifest' | 'dueTrash' | 'dueBlobs' | 'forecastBlobs'> &
  Pick<RegistryDeps, 'clock'> &
  PinPolicyDeps;
/** A real pass: the plan's reads plus every GC write and the byte removals under purge markers. */
export type GcDeps = GcPlanDeps & PurgeDeps & UsesMeta<'expirePins' | 'takeOverPurges' | 'purgeDeletedRepositories' | 'purgeTrash' | 'beginBlobPurge'>;

export function emptyReport(dryRun: boolean, startedAt: Date): GcReport {
  return {
    dryRun,
    startedAt,
    finishedAt: startedAt,
    pinsExpired: 0,
    stalePurgesFinished: 0,
    manifestsCollected: 0,
    manifestsPinned: 0,
    manifestsPurged: 0,
    repositoryManifestsPurged: 0,
    repositoriesPurged: 0,
    blobsRemoved: 0,
    bytesReclaimed: 0,
    errors: 0,
  };
}

export function gcClock(deps: Pick<RegistryDeps, 'clock'>, o: Pick<GcOptions, 'graceMs' | 'restoreWindowMs'>): GcClock {
  const at = deps.clock.now();
  // A zero restore window makes deletes final: what this very pass trashes (at `at`) is purged in the same pass.
  const trashedBefore = o.restoreWindowMs === 0 ? new Date(at.getTime() + 1) : new Date(at.getTime() - o.restoreWindowMs);
  return { at, releasedBefore: new Date(at.getTime() - o.graceMs), trashedBefore };
}
