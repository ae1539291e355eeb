// GC's blob steps. A purge is compare-and-delete: inside one transaction the blob must still be queued past its
// grace period, used by no manifest (trashed ones included) and claimed by no finishing upload; its rows go and a
// purge marker stays until the bytes are gone. Uploads cannot claim a digest while its marker exists, which closes
// the race between "sweep" and "new push of the same layer" without any lock held across I/O: a purge (reads the
// claims, writes the marker) and a claim (reads the marker, writes the claim) both hold the registry lock, so one
// runs entirely before the other and the second sees the first. Renewing and ending markers are single
// compare-and-set statements on the marker row and take no lock.
import type { BlobLink, Digest } from '../../../core/index.ts';
import { all, get, type Q, run, traits } from '../sql/query.ts';

export function* dueBlobs(releasedBefore: Date, limit: number, after?: Digest): Q<BlobLink[]> {
  return yield* all<BlobLink>(
    `SELECT q.digest, b.size FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                WHERE q.kind = 'blob' AND q.repo_id = '' AND q.released_at <= $1 AND q.digest > $2
                  AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                ORDER BY q.digest LIMIT $3`,
    releasedBefore.getTime(),
    after ?? '',
    limit,
  );
}

/** Writes (or takes over) the digest's purge marker for `owner`, stamped `at`. */
function* markPurge(digest: Digest, at: Date, owner: string): Q<void> {
  yield* run(
    `INSERT INTO blob_purges (digest, started_at, owner) VALUES ($1, $2, $3)
               ON CONFLICT (digest) DO UPDATE SET started_at = excluded.started_at, owner = excluded.owner`,
    digest,
    at.getTime(),
    owner,
  );
}

const DELETE_QUEUED_BLOB = "DELETE FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND digest = $1";

export function* beginBlobPurge(digests: readonly Digest[], releasedBefore: Date, at: Date, owner: string): Q<BlobLink[]> {
  const approved: BlobLink[] = [];
  for (const digest of digests) {
    const row = yield* get<{ size: number }>(
      `SELECT b.size FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                      WHERE q.kind = 'blob' AND q.repo_id = '' AND q.digest = $1 AND q.released_at <= $2
                        AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                        AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = q.digest)`,
      digest,
      releasedBefore.getTime(),
    );
    if (!row) {
      // Used again, or its link went while queued with nothing left to remove: a stale entry goes.
      if (!(yield* get('SELECT 1 FROM blobs WHERE digest = $1', digest))) yield* run(DELETE_QUEUED_BLOB, digest);
      continue;
    }
    yield* run('DELETE FROM repository_blobs WHERE digest = $1', digest);
    yield* run('DELETE FROM blobs WHERE digest = $1', digest);
    yield* run(DELETE_QUEUED_BLOB, digest);
    yield* markPurge(digest, at, owner);
    approved.push({ digest, size: row.size });
  }
  return approved;
}

export function* beginOrphanPurge(digests: readonly Digest[], at: Date, owner: string): Q<Digest[]> {
  const approved: Digest[] = [];
  for (const digest of digests) {
    if ((yield* get('SELECT 1 FROM blobs WHERE digest = $1', digest)) || (yield* get('SELECT 1 FROM uploads WHERE digest = $1', digest))) continue;
    yield* markPurge(digest, at, owner);
    approved.push(digest);
  }
  return approved;
}

/** Renew-and-check in one statement: only the owner's marker gets a fresh lease. */
export function* ownsPurge(digest: Digest, owner: string, at: Date): Q<boolean> {
  return (yield* run('UPDATE blob_purges SET started_at = $1 WHERE digest = $2 AND owner = $3', at.getTime(), digest, owner)) === 1;
}

export function* endBlobPurge(digests: readonly Digest[], owner: string): Q<void> {
  for (const d of digests) yield* run('DELETE FROM blob_purges WHERE digest = $1 AND owner = $2', d, owner);
}

/** Compare-and-set of the owner on markers older than the lease: only one taker wins each. */
export function* takeOverPurges(staleBefore: Date, owner: string, at: Date, limit: number): Q<Digest[]> {
  const stale = yield* all<{ digest: Digest }>(
    'SELECT digest FROM blob_purges WHERE started_at < $1 ORDER BY started_at LIMIT $2',
    staleBefore.getTime(),
    limit,
  );
  const taken: Digest[] = [];
  for (const r of stale) {
    const changed = yield* run(
      'UPDATE blob_purges SET owner = $1, started_at = $2 WHERE digest = $3 AND started_at < $4',
      owner,
      at.getTime(),
      r.digest,
      staleBefore.getTime(),
    );
    if (changed === 1) taken.push(r.digest);
  }
  return taken;
}

/**
 * Claims the digest for a finishing upload unless a purge of it is under way (see the file comment). A marker past
 * its lease belongs to a sweeper that died: the claim drops it (the bytes may still be there; the upload commits
 * them again either way), and a sweeper that was only slow sees it no longer owns the marker and leaves the bytes.
 */
export function* claimUploadDigest(id: string, digest: Digest, at: Date, staleBefore: Date): Q<'claimed' | 'purging' | 'unknown-session'> {
  // FOR UPDATE: a sweeper's unlocked lease renewal (ownsPurge) waits for this decision and then finds the marker
  // gone, instead of renewing it between this read and the delete below (both sides would think they own the digest).
  const marker = yield* get<{ started_at: number }>(`SELECT started_at FROM blob_purges WHERE digest = $1${(yield* traits()).forUpdate}`, digest);
  if (marker && marker.started_at >= staleBefore.getTime()) return 'purging';
  if ((yield* run('UPDATE uploads SET digest = $1, updated_at = $2 WHERE id = $3', digest, at.getTime(), id)) !== 1) return 'unknown-session';
  if (marker) yield* run('DELETE FROM blob_purges WHERE digest = $1', digest);
  return 'claimed';
}
