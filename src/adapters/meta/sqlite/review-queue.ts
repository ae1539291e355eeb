// The GC review queue: whatever a mutation leaves without references is queued with the time it lost them, in
// the same transaction, and whatever gains a use is taken off again; the sweeper applies its grace period to that
// time and re-checks everything before it removes anything.
import type { Db } from './db.ts';

export type QueueKind = 'blob' | 'manifest';

/** SQL over a manifest row `m`: no tag, no index (trashed ones included) and no live subject holds it. */
export const NOT_HELD = `NOT EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)
  AND NOT EXISTS (SELECT 1 FROM manifest_children c WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest)
  AND NOT EXISTS (SELECT 1 FROM manifests s WHERE s.repo_id = m.repo_id AND s.digest = m.subject AND s.deleted_at IS NULL)`;

/** How far up a chain of subjects a released referrer re-queues. */
const MAX_SUBJECT_DEPTH = 8;

export class ReviewQueue {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Queues a review, or postpones a queued one (never DO NOTHING: a fresh loss restarts the grace period). */
  add(kind: QueueKind, repoId: string, digest: string, at: Date): void {
    this.#db.q(`INSERT INTO gc_review_queue (kind, repo_id, digest, released_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, repo_id, digest) DO UPDATE SET released_at = excluded.released_at`)
      .run(kind, repoId, digest, at.getTime());
  }

  /** Something gained a use: it is no longer a candidate. */
  remove(kind: QueueKind, repoId: string, digest: string): void {
    this.#db.q('DELETE FROM gc_review_queue WHERE kind = ? AND repo_id = ? AND digest = ?').run(kind, repoId, digest);
  }

  /** Queues each blob that no manifest (of any repository, trashed ones included) uses any more. */
  releaseBlobs(digests: Iterable<string>, at: Date): void {
    const used = this.#db.q('SELECT 1 FROM manifest_blobs WHERE blob_digest = ? LIMIT 1');
    for (const d of digests) if (!used.get(d)) this.add('blob', '', d, at);
  }

  /**
   * A blob was just linked (upload or mount): unused by any manifest, it is queued from now, so a layer pushed for
   * a manifest that never comes is reclaimed one grace period later, while a push in progress is never touched.
   */
  linked(digest: string, at: Date): void {
    if (this.#db.q('SELECT 1 FROM manifest_blobs WHERE blob_digest = ? LIMIT 1').get(digest)) this.remove('blob', '', digest);
    else this.add('blob', '', digest, at);
  }

  /**
   * Queues each live manifest of the repository that no tag and no index (trashed ones included) holds any more. A
   * referrer whose subject is live is never queued: it goes with its subject (the delete cascade), never on its own.
   */
  releaseManifests(repoId: string, digests: Iterable<string>, at: Date): void {
    const orphan = this.#db.q(`SELECT 1 FROM manifests m WHERE m.repo_id = ? AND m.digest = ? AND m.deleted_at IS NULL AND ${NOT_HELD}`);
    const subjectOf = this.#db.q('SELECT subject FROM manifests WHERE repo_id = ? AND digest = ? AND deleted_at IS NULL');
    for (const d of digests) {
      // A referrer that lost its last tag may have been what kept its subject (and the subject's own subject) from GC.
      let current: string | null = d;
      for (let depth = 0; current !== null && depth <= MAX_SUBJECT_DEPTH; depth++) {
        if (orphan.get(repoId, current)) this.add('manifest', repoId, current, at);
        current = (subjectOf.get(repoId, current) as { subject: string | null } | undefined)?.subject ?? null;
      }
    }
  }
}
