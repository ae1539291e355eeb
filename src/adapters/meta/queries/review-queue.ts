// The GC review queue: whatever a mutation leaves without references is queued with the time it lost them, in
// the same transaction, and whatever gains a use is taken off again; the sweeper applies its grace period to that
// time and re-checks everything before it removes anything.
import { get, type Q, run, textList, traits } from '../sql/query.ts';

export type QueueKind = 'blob' | 'manifest';

/** SQL over a manifest row `m`: no tag, no index (trashed ones included) and no live subject holds it. */
export const NOT_HELD = `NOT EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)
  AND NOT EXISTS (SELECT 1 FROM manifest_children c WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest)
  AND NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repo_id = m.repo_id AND s.digest = m.subject AND s.deleted_at IS NULL)`;

/** How far up a chain of subjects a released referrer re-queues. */
const MAX_SUBJECT_DEPTH = 8;

/** Queues a review, or postpones a queued one (never DO NOTHING: a fresh loss restarts the grace period). */
export function* add(kind: QueueKind, repoId: string, digest: string, at: Date): Q<void> {
  yield* run(
    `INSERT INTO gc_review_queue (kind, repo_id, digest, released_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (kind, repo_id, digest) DO UPDATE SET released_at = excluded.released_at`,
    kind,
    repoId,
    digest,
    at.getTime(),
  );
}

/** Something gained a use: it is no longer a candidate. */
export function* remove(kind: QueueKind, repoId: string, digest: string): Q<void> {
  yield* run('DELETE FROM gc_review_queue WHERE kind = $1 AND repo_id = $2 AND digest = $3', kind, repoId, digest);
}

/**
 * Several gained a use, in one statement. PostgreSQL's index scan of `= ANY` visits the rows in digest order, as a
 * loop over sorted digests did, so pushes sharing layers lock the rows they both delete in one order; should another
 * plan ever deadlock two of them, the transaction is retried (postgres/transaction.ts).
 */
export function* removeMany(kind: QueueKind, repoId: string, digests: readonly string[]): Q<void> {
  if (digests.length === 0) return;
  const e = yield* traits();
  yield* run(`DELETE FROM gc_review_queue WHERE kind = $1 AND repo_id = $2 AND ${e.inList('digest', '$3')}`, kind, repoId, textList(digests));
}

const blobUsed = (digest: string): Q<unknown> => get('SELECT 1 FROM manifest_blobs WHERE blob_digest = $1 LIMIT 1', digest);

/** Queues each blob that no manifest (of any repository, trashed ones included) uses any more. */
export function* releaseBlobs(digests: Iterable<string>, at: Date): Q<void> {
  for (const d of digests) if (!(yield* blobUsed(d))) yield* add('blob', '', d, at);
}

/**
 * Queues each unused blob as of the time (ms) it lost its last reference, which may lie before now (trash whose window
 * ended before the pass came by). An entry already queued later keeps its time: a grace period is never shortened.
 */
export function* releaseBlobsAsOf(lostAt: ReadonlyMap<string, number>): Q<void> {
  for (const [d, at] of lostAt) {
    if (yield* blobUsed(d)) continue;
    yield* run(
      `INSERT INTO gc_review_queue (kind, repo_id, digest, released_at) VALUES ('blob', '', $1, $2)
               ON CONFLICT (kind, repo_id, digest) DO UPDATE SET released_at = CASE
                 WHEN excluded.released_at > gc_review_queue.released_at THEN excluded.released_at ELSE gc_review_queue.released_at END`,
      d,
      at,
    );
  }
}

/**
 * A blob was just linked (upload or mount): unused by any manifest, it is queued from now, so a layer pushed for
 * a manifest that never comes is reclaimed one grace period later, while a push in progress is never touched.
 */
export function* linked(digest: string, at: Date): Q<void> {
  if (yield* blobUsed(digest)) yield* remove('blob', '', digest);
  else yield* add('blob', '', digest, at);
}

/**
 * Queues each live manifest of the repository that no tag and no index (trashed ones included) holds any more. A
 * referrer whose subject is live is never queued: it goes with its subject (the delete cascade), never on its own.
 */
export function* releaseManifests(repoId: string, digests: Iterable<string>, at: Date): Q<void> {
  for (const d of digests) {
    // A referrer that lost its last tag may have been what kept its subject (and the subject's own subject) from GC.
    let current: string | null = d;
    for (let depth = 0; current !== null && depth <= MAX_SUBJECT_DEPTH; depth++) {
      if (yield* get(`SELECT 1 FROM manifests m WHERE m.repo_id = $1 AND m.digest = $2 AND m.deleted_at IS NULL AND ${NOT_HELD}`, repoId, current)) {
        yield* add('manifest', repoId, current, at);
      }
      current =
        (yield* get<{ subject: string | null }>('SELECT subject FROM manifests WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL', repoId, current))
          ?.subject ?? null;
    }
  }
}
