// GC's blob steps. A purge is compare-and-delete: inside one transaction the blob must still be queued past its
// grace period, used by no manifest (trashed ones included) and claimed by no finishing upload; its rows go and a
// purge marker stays until the bytes are gone. Uploads cannot claim a digest while its marker exists, which closes
// the race between "sweep" and "new push of the same layer" without any lock held across I/O: a purge (reads the
// claims, writes the marker) and a claim (reads the marker, writes the claim) both hold the registry lock, so one
// runs entirely before the other and the second sees the first. Renewing and ending markers are single
// compare-and-set statements on the marker row and take no lock.
import type { BlobLink, Digest } from '../../../core/index.ts';
import type { Db, Sql } from './db.ts';

export async function dueBlobs(db: Sql, releasedBefore: Date, limit: number, after?: Digest): Promise<BlobLink[]> {
  return db.all<BlobLink>(`SELECT q.digest, b.size FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                WHERE q.kind = 'blob' AND q.repo_id = '' AND q.released_at <= $1 AND q.digest > $2
                  AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                ORDER BY q.digest LIMIT $3`, releasedBefore.getTime(), after ?? '', limit);
}

/** Writes (or takes over) the digest's purge marker for `owner`, stamped `at`. */
async function markPurge(t: Sql, digest: Digest, at: Date, owner: string): Promise<void> {
  await t.run(`INSERT INTO blob_purges (digest, started_at, owner) VALUES ($1, $2, $3)
               ON CONFLICT (digest) DO UPDATE SET started_at = excluded.started_at, owner = excluded.owner`, digest, at.getTime(), owner);
}

const DELETE_QUEUED_BLOB = "DELETE FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND digest = $1";

export function beginBlobPurge(db: Db, digests: readonly Digest[], releasedBefore: Date, at: Date, owner: string): Promise<BlobLink[]> {
  return db.tx(async (t) => {
    const approved: BlobLink[] = [];
    for (const digest of digests) {
      const row = await t.get<{ size: number }>(`SELECT b.size FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                        WHERE q.kind = 'blob' AND q.repo_id = '' AND q.digest = $1 AND q.released_at <= $2
                          AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                          AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = q.digest)`, digest, releasedBefore.getTime());
      if (!row) {
        // Used again, or its link went while queued with nothing left to remove: a stale entry goes.
        if (!(await t.get('SELECT 1 FROM blobs WHERE digest = $1', digest))) await t.run(DELETE_QUEUED_BLOB, digest);
        continue;
      }
      await t.run('DELETE FROM repository_blobs WHERE digest = $1', digest);
      await t.run('DELETE FROM blobs WHERE digest = $1', digest);
      await t.run(DELETE_QUEUED_BLOB, digest);
      await markPurge(t, digest, at, owner);
      approved.push({ digest, size: row.size });
    }
    return approved;
  });
}

export function beginOrphanPurge(db: Db, digests: readonly Digest[], at: Date, owner: string): Promise<Digest[]> {
  return db.tx(async (t) => {
    const approved: Digest[] = [];
    for (const digest of digests) {
      if (await t.get('SELECT 1 FROM blobs WHERE digest = $1', digest) || await t.get('SELECT 1 FROM uploads WHERE digest = $1', digest)) continue;
      await markPurge(t, digest, at, owner);
      approved.push(digest);
    }
    return approved;
  });
}

/** Renew-and-check in one statement: only the owner's marker gets a fresh lease. */
export function ownsPurge(db: Db, digest: Digest, owner: string, at: Date): Promise<boolean> {
  return db.tx(async (t) => (await t.run('UPDATE blob_purges SET started_at = $1 WHERE digest = $2 AND owner = $3', at.getTime(), digest, owner)) === 1, null);
}

export function endBlobPurge(db: Db, digests: readonly Digest[], owner: string): Promise<void> {
  return db.tx(async (t) => {
    for (const d of digests) await t.run('DELETE FROM blob_purges WHERE digest = $1 AND owner = $2', d, owner);
  }, null);
}

/** Compare-and-set of the owner on markers older than the lease: only one taker wins each. */
export function takeOverPurges(db: Db, staleBefore: Date, owner: string, at: Date, limit: number): Promise<Digest[]> {
  return db.tx(async (t) => {
    const stale = await t.all<{ digest: Digest }>('SELECT digest FROM blob_purges WHERE started_at < $1 ORDER BY started_at LIMIT $2', staleBefore.getTime(), limit);
    const taken: Digest[] = [];
    for (const r of stale) {
      const changed = await t.run('UPDATE blob_purges SET owner = $1, started_at = $2 WHERE digest = $3 AND started_at < $4', owner, at.getTime(), r.digest, staleBefore.getTime());
      if (changed === 1) taken.push(r.digest);
    }
    return taken;
  });
}

/**
 * Claims the digest for a finishing upload unless a purge of it is under way (see the file comment). A marker past
 * its lease belongs to a sweeper that died: the claim drops it (the bytes may still be there; the upload commits
 * them again either way), and a sweeper that was only slow sees it no longer owns the marker and leaves the bytes.
 */
export function claimUploadDigest(db: Db, id: string, digest: Digest, at: Date, staleBefore: Date): Promise<'claimed' | 'purging' | 'unknown-session'> {
  return db.tx(async (t) => {
    // FOR UPDATE: a sweeper's unlocked lease renewal (ownsPurge) waits for this decision and then finds the marker
    // gone, instead of renewing it between this read and the delete below (both sides would think they own the digest).
    const marker = await t.get<{ started_at: number }>('SELECT started_at FROM blob_purges WHERE digest = $1 FOR UPDATE', digest);
    if (marker && marker.started_at >= staleBefore.getTime()) return 'purging';
    if (await t.run('UPDATE uploads SET digest = $1, updated_at = $2 WHERE id = $3', digest, at.getTime(), id) !== 1) return 'unknown-session';
    if (marker) await t.run('DELETE FROM blob_purges WHERE digest = $1', digest);
    return 'claimed';
  });
}
