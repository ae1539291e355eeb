// GC's blob steps. A purge is compare-and-delete: inside one transaction the blob must still be queued past its
// grace period, used by no manifest (trashed ones included) and claimed by no finishing upload; its rows go and a
// purge marker stays until the bytes are gone. Uploads cannot claim a digest while its marker exists, which closes
// the race between "sweep" and "new push of the same layer" without any lock held across I/O.
import type { BlobLink, Digest } from '../../../core/index.ts';
import type { Db } from './db.ts';

export function dueBlobs(db: Db, releasedBefore: Date, limit: number, after?: Digest): BlobLink[] {
  return (db.q(`SELECT q.digest, b.size FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                WHERE q.kind = 'blob' AND q.repo_id = '' AND q.released_at <= ? AND q.digest > ?
                  AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                ORDER BY q.digest LIMIT ?`).all(releasedBefore.getTime(), after ?? '', limit) as Array<{ digest: Digest; size: number }>);
}

/** Writes (or takes over) the digest's purge marker for `owner`, stamped `at`. */
function markPurge(db: Db, digest: Digest, at: Date, owner: string): void {
  db.q(`INSERT INTO blob_purges (digest, started_at, owner) VALUES (?, ?, ?)
        ON CONFLICT (digest) DO UPDATE SET started_at = excluded.started_at, owner = excluded.owner`).run(digest, at.getTime(), owner);
}

export function beginBlobPurge(db: Db, digests: readonly Digest[], releasedBefore: Date, at: Date, owner: string): BlobLink[] {
  return db.tx(() => {
    const approved: BlobLink[] = [];
    const check = db.q(`SELECT b.size FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                        WHERE q.kind = 'blob' AND q.repo_id = '' AND q.digest = ? AND q.released_at <= ?
                          AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                          AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = q.digest)`);
    for (const digest of digests) {
      const row = check.get(digest, releasedBefore.getTime()) as { size: number } | undefined;
      if (!row) {
        // Used again, or its link went while queued with nothing left to remove: a stale entry goes.
        if (!db.q('SELECT 1 FROM blobs WHERE digest = ?').get(digest)) db.q("DELETE FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND digest = ?").run(digest);
        continue;
      }
      db.q('DELETE FROM repository_blobs WHERE digest = ?').run(digest);
      db.q('DELETE FROM blobs WHERE digest = ?').run(digest);
      db.q("DELETE FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND digest = ?").run(digest);
      markPurge(db, digest, at, owner);
      approved.push({ digest, size: row.size });
    }
    return approved;
  });
}

export function beginOrphanPurge(db: Db, digests: readonly Digest[], at: Date, owner: string): Digest[] {
  return db.tx(() => {
    const approved: Digest[] = [];
    for (const digest of digests) {
      if (db.q('SELECT 1 FROM blobs WHERE digest = ?').get(digest) || db.q('SELECT 1 FROM uploads WHERE digest = ?').get(digest)) continue;
      markPurge(db, digest, at, owner);
      approved.push(digest);
    }
    return approved;
  });
}

/** Renew-and-check in one statement: only the owner's marker gets a fresh lease. */
export function ownsPurge(db: Db, digest: Digest, owner: string, at: Date): boolean {
  return db.q('UPDATE blob_purges SET started_at = ? WHERE digest = ? AND owner = ?').run(at.getTime(), digest, owner).changes === 1;
}

export function endBlobPurge(db: Db, digests: readonly Digest[], owner: string): void {
  db.tx(() => {
    const remove = db.q('DELETE FROM blob_purges WHERE digest = ? AND owner = ?');
    for (const d of digests) remove.run(d, owner);
  });
}

/** Compare-and-set of the owner on markers older than the lease: only one taker wins each. */
export function takeOverPurges(db: Db, staleBefore: Date, owner: string, at: Date, limit: number): Digest[] {
  return db.tx(() => {
    const stale = db.q('SELECT digest FROM blob_purges WHERE started_at < ? ORDER BY started_at LIMIT ?').all(staleBefore.getTime(), limit) as Array<{ digest: Digest }>;
    const take = db.q('UPDATE blob_purges SET owner = ?, started_at = ? WHERE digest = ? AND started_at < ?');
    return stale.filter((r) => take.run(owner, at.getTime(), r.digest, staleBefore.getTime()).changes === 1).map((r) => r.digest);
  });
}

/**
 * Claims the digest for a finishing upload unless a purge of it is under way (see the file comment). A marker past
 * its lease belongs to a sweeper that died: the claim drops it (the bytes may still be there; the upload commits
 * them again either way), and a sweeper that was only slow sees it no longer owns the marker and leaves the bytes.
 */
export function claimUploadDigest(db: Db, id: string, digest: Digest, at: Date, staleBefore: Date): 'claimed' | 'purging' | 'unknown-session' {
  return db.tx(() => {
    const marker = db.q('SELECT started_at FROM blob_purges WHERE digest = ?').get(digest) as { started_at: number } | undefined;
    if (marker && marker.started_at >= staleBefore.getTime()) return 'purging';
    if (db.q('UPDATE uploads SET digest = ?, updated_at = ? WHERE id = ?').run(digest, at.getTime(), id).changes !== 1) return 'unknown-session';
    if (marker) db.q('DELETE FROM blob_purges WHERE digest = ?').run(digest);
    return 'claimed';
  });
}
