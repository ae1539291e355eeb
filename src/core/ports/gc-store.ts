// The garbage collector's side of the metadata store. Every step is a compare-and-act transaction that re-checks
// references, pins and upload claims at the moment it acts, so a sweep can race pushes, mounts, deletes and other
// sweepers (the CLI and the server, several replicas) and still never remove anything that is in use.
import type { Digest } from '../model/digest.ts';
import type { Actor, BlobLink } from '../model/records.ts';
import type { PinPolicy } from './metadata-store.ts';

export interface GcClock {
  /** Now. */
  at: Date;
  /** Unreferenced since before this instant: past the grace period. */
  releasedBefore: Date;
  /** Deleted before this instant: past the restore window. */
  trashedBefore: Date;
}

export interface ManifestReview {
  repository: string;
  repoId: string;
  digest: Digest;
  releasedAt: Date;
}

export type CollectOutcome =
  /** Moved to the trash (with the referrers whose subject it is), or would be in a dry run. */
  | { kind: 'collected'; manifests: Digest[]; size: number }
  /** Tagged or held by an index again, or already gone: dropped from the queue. */
  | { kind: 'referenced' }
  /** A pin or a recent pull protects it: kept; it comes back when the pin goes. */
  | { kind: 'pinned' };

export interface GcStats {
  blobsQueued: number;
  blobsDue: number;
  bytesDue: number;
  manifestsQueued: number;
  manifestsDue: number;
  trashedManifests: number;
  trashDue: number;
  deletedRepositories: number;
  purging: number;
}

/** A manifest row, by repository id and digest. */
export interface ManifestRef {
  repoId: string;
  digest: Digest;
}

/** What a pass's blob step will remove (dry run): counts and bytes of all of it, the first `limit` listed. */
export interface BlobForecast {
  blobs: number;
  bytes: number;
  listed: BlobLink[];
}

export interface IntegrityIssue {
  kind: 'dangling-tag' | 'dangling-blob-reference' | 'missing-blob-link' | 'manifest-digest-mismatch' | 'stale-purge';
  repository: string | null;
  target: string;
  message: string;
}

export interface StoredBody {
  repository: string;
  digest: Digest;
  body: Uint8Array;
}

export interface GcStore {
  /** Manifest reviews past the grace period, oldest first, of live repositories. */
  dueManifests(releasedBefore: Date, limit: number): Promise<ManifestReview[]>;
  /**
   * Trashes a queued manifest (restorable until the restore window ends) only if it is still untagged, held by no
   * index and not pinned; `dryRun` answers the same question without changing anything.
   */
  collectManifest(review: ManifestReview, clock: GcClock, pins: PinPolicy, actor: Actor, dryRun: boolean): Promise<CollectOutcome>;
  /** Trashed manifests past the restore window, oldest first (dry run). */
  dueTrash(trashedBefore: Date, limit: number): Promise<ManifestReview[]>;
  /**
   * Purges up to `limit` trashed manifests and up to `limit` deleted-tag records past the window for good; what the
   * manifests held is queued. Returns how many of each went (the caller repeats until both are 0).
   */
  purgeTrash(trashedBefore: Date, limit: number, at: Date): Promise<{ manifests: number; tags: number }>;
  /** Purges up to `limit` manifests, then up to `limit` blob links, of a deleted repository, then its row once empty. */
  purgeDeletedRepositories(limit: number, at: Date): Promise<{ manifests: number; links: number; repositories: number }>;
  /** Removes pins that expired before `at`; what they protected is queued for review. Returns how many. */
  expirePins(at: Date, limit: number): Promise<number>;
  /** Blobs past the grace period that nothing uses (dry run and progress totals), by digest after `after`. */
  dueBlobs(releasedBefore: Date, limit: number, after?: Digest): Promise<BlobLink[]>;
  /**
   * Compare-and-delete of blob metadata: each digest still queued past the grace period, used by no manifest and
   * claimed by no upload loses its rows and gets a purge marker held by `owner`. The caller then removes the bytes
   * (checking ownsPurges right before each removal) and ends the purges.
   */
  beginBlobPurge(digests: Digest[], releasedBefore: Date, at: Date, owner: string): Promise<BlobLink[]>;
  /** The same for files no metadata knows (fsck --repair, abandoned commits): only digests with no blob row, claim or marker. */
  beginOrphanPurge(digests: Digest[], at: Date, owner: string): Promise<Digest[]>;
  /**
   * Which of `digests` still have their purge marker held by `owner` (a stale one may have been taken over), in the
   * order given; those markers' leases are renewed to `at` in the same statement, so the removal that follows has a
   * whole fresh lease however long the batch took.
   */
  ownsPurges(digests: Digest[], owner: string, at: Date): Promise<Digest[]>;
  /** Removes the markers `owner` holds among `digests`. */
  endBlobPurge(digests: Digest[], owner: string): Promise<void>;
  /** Takes over up to `limit` markers begun before `staleBefore` (their sweeper died) for `owner`; returns them. */
  takeOverPurges(staleBefore: Date, owner: string, at: Date, limit: number): Promise<Digest[]>;
  gcStats(clock: GcClock): Promise<GcStats>;
  /**
   * The blobs a pass at `clock` will remove (dry run): those due now, plus those it frees by purging deleted
   * repositories and the trash past the window, and (zero window) the `collected` manifests it trashes and purges.
   */
  forecastBlobs(clock: GcClock, collected: readonly ManifestRef[], limit: number): Promise<BlobForecast>;

  /** Every committed blob the metadata knows, by digest after `after` (fsck). */
  listBlobRecords(after: Digest | undefined, limit: number): Promise<BlobLink[]>;
  /** What the metadata says of a digest with bytes in storage (fsck tells orphans from in-flight work). */
  blobState(digest: Digest): Promise<'known' | 'purging' | 'claimed' | 'unknown'>;
  /** Broken references in the index itself (should never happen; fsck reports them). */
  integrityIssues(limit: number): Promise<IntegrityIssue[]>;
  /** Stored manifest bodies of live and trashed manifests, for digest verification (fsck); paged by an opaque cursor. */
  listManifestBodies(after: string | undefined, limit: number): Promise<{ items: StoredBody[]; next: string | undefined }>;
}
