// GC's blob steps. A purge is compare-and-delete: inside one transaction the blob must still be queued past its
// grace period, used by no manifest (trashed ones included) and claimed by no finishing upload; its rows go and a
// purge marker stays until the bytes are gone. Uploads cannot claim a digest while its marker exists, which closes
// the race between "sweep" and "new push of the same layer" without any lock held across I/O: a purge (reads the
// claims, writes the marker) and a claim (reads the marker, writes the claim) both lock the digest (the purge
// exclusively, the claim shared; SQLite's one writer holds everything), so one runs entirely before the other and the
// second sees the first. Renewing and ending markers are single
// compare-and-set statements on the marker rows and take no lock. Every step is a few set-based statements per batch,
// however many digests it holds, so the registry lock is held for a handful of statements, not thousands.
import type { BlobLink, Digest, UploadAdvance } from '../../../core/index.ts';
import { all, get, type Q, run, textList, traits } from '../sql/query.ts';
import { lockTouched } from './row-locks.ts';
import { advanceUpload } from './uploads.ts';

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

/** Keeps `digests` in their given order, restricted to those a statement returned. */
function inOrder(digests: readonly Digest[], rows: readonly { digest: Digest }[]): Digest[] {
  const hit = new Set(rows.map((r) => r.digest));
  return [...new Set(digests)].filter((d) => hit.has(d));
}

/**
 * Writes (or takes over) the purge markers of the digests `$1` lists for owner `$3`, stamped `$2`, and returns them.
 * `WHERE true` lets SQLite tell the upsert's ON CONFLICT from a join constraint of the SELECT.
 */
const markPurges = (list: string, where = 'true'): string =>
  `INSERT INTO blob_purges (digest, started_at, owner)
     SELECT l.v, CAST($2 AS BIGINT), CAST($3 AS TEXT) FROM (${list}) l WHERE ${where}
     ON CONFLICT (digest) DO UPDATE SET started_at = excluded.started_at, owner = excluded.owner
     RETURNING digest`;

/**
 * The compare-and-delete of a whole batch in five statements, whatever its size (one per digest and table before):
 * the approved digests are read once under the registry lock, and every later statement acts on exactly that list.
 */
export function* beginBlobPurge(digests: readonly Digest[], releasedBefore: Date, at: Date, owner: string): Q<BlobLink[]> {
  yield* lockTouched({ digests });
  const e = yield* traits();
  const list = e.textList('$1');
  // Probing from the batch (orderedJoin): SQLite would otherwise walk every due entry of the queue for each batch.
  const approved = yield* all<BlobLink>(
    `SELECT q.digest, b.size FROM (${list}) l ${e.orderedJoin} gc_review_queue q ON q.kind = 'blob' AND q.repo_id = '' AND q.digest = l.v
                JOIN blobs b ON b.digest = q.digest
                WHERE q.released_at <= $2
                  AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
                  AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = q.digest)
                ORDER BY q.digest`,
    textList(digests),
    releasedBefore.getTime(),
  );
  if (approved.length > 0) {
    const ok = textList(approved.map((b) => b.digest));
    yield* run(`DELETE FROM repository_blobs WHERE ${e.inList('digest', '$1')}`, ok);
    yield* run(`DELETE FROM blobs WHERE ${e.inList('digest', '$1')}`, ok);
    yield* all(markPurges(list), ok, at.getTime(), owner);
  }
  // The approved entries, and stale ones: used again, or their link went while queued with nothing left to remove.
  yield* run(
    `DELETE FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND ${e.inList('digest', '$1')}
       AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = gc_review_queue.digest)`,
    textList(digests),
  );
  return approved;
}

export function* beginOrphanPurge(digests: readonly Digest[], at: Date, owner: string): Q<Digest[]> {
  yield* lockTouched({ digests });
  const list = (yield* traits()).textList('$1');
  const marked = yield* all<{ digest: Digest }>(
    markPurges(list, 'NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = l.v) AND NOT EXISTS (SELECT 1 FROM uploads u WHERE u.digest = l.v)'),
    textList(digests),
    at.getTime(),
    owner,
  );
  return inOrder(digests, marked);
}

/**
 * Renew-and-check of a batch in one statement: returns the digests whose marker `owner` still holds, each now leased
 * from `at` (on PostgreSQL a claim that locked a marker row makes this wait for it, then skip the row it dropped).
 */
export function* ownsPurges(digests: readonly Digest[], owner: string, at: Date): Q<Digest[]> {
  const inList = (yield* traits()).inList('digest', '$3');
  const owned = yield* all<{ digest: Digest }>(
    `UPDATE blob_purges SET started_at = $1 WHERE owner = $2 AND ${inList} RETURNING digest`,
    at.getTime(),
    owner,
    textList(digests),
  );
  return inOrder(digests, owned);
}

export function* endBlobPurge(digests: readonly Digest[], owner: string): Q<void> {
  const inList = (yield* traits()).inList('digest', '$2');
  yield* run(`DELETE FROM blob_purges WHERE owner = $1 AND ${inList}`, owner, textList(digests));
}

/**
 * Compare-and-set of the owner on markers older than the lease, in one statement: the UPDATE re-tests the age of
 * every row it changes (on PostgreSQL after waiting for any other writer of the row), so only one taker wins each.
 */
export function* takeOverPurges(staleBefore: Date, owner: string, at: Date, limit: number): Q<Digest[]> {
  const taken = yield* all<{ digest: Digest }>(
    `UPDATE blob_purges SET owner = $1, started_at = $2
       WHERE started_at < $3 AND digest IN (SELECT digest FROM blob_purges WHERE started_at < $3 ORDER BY started_at LIMIT $4)
       RETURNING digest`,
    owner,
    at.getTime(),
    staleBefore.getTime(),
    limit,
  );
  return taken.map((r) => r.digest).sort();
}

/**
 * Claims the digest for a finishing upload unless a purge of it is under way (see the file comment). A marker past
 * its lease belongs to a sweeper that died: the claim drops it (the bytes may still be there; the upload commits
 * them again either way), and a sweeper that was only slow sees it no longer owns the marker and leaves the bytes.
 */
export function* claimUploadDigest(
  id: string,
  digest: Digest,
  at: Date,
  staleBefore: Date,
  advance?: UploadAdvance,
): Q<'claimed' | 'purging' | 'unknown-session' | 'moved'> {
  // Shared: claims of one digest may run together (the marker's row lock orders them); a purge of it may not.
  yield* lockTouched({ sharedDigests: [digest] });
  // The closing chunk's offset first, as its own advanceUpload would have committed it just before.
  if (advance && !(yield* advanceUpload(id, advance.from, advance.to, at, advance.ref))) return 'moved';
  // FOR UPDATE: a sweeper's unlocked lease renewal (ownsPurges) waits for this decision and then finds the marker
  // gone, instead of renewing it between this read and the delete below (both sides would think they own the digest).
  const marker = yield* get<{ started_at: number }>(`SELECT started_at FROM blob_purges WHERE digest = $1${(yield* traits()).forUpdate}`, digest);
  if (marker && marker.started_at >= staleBefore.getTime()) return 'purging';
  if ((yield* run('UPDATE uploads SET digest = $1, updated_at = $2 WHERE id = $3', digest, at.getTime(), id)) !== 1) return 'unknown-session';
  if (marker) yield* run('DELETE FROM blob_purges WHERE digest = $1', digest);
  return 'claimed';
}
