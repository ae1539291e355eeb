// The GC review queue: whatever a mutation leaves without references is queued with a grace period, in the
// same transaction, and whatever gains a reference is taken off again; the sweeper only ever reads this table.
import type { Db } from './db.ts';

export type QueueKind = 'blob' | 'manifest';

/** How long something that lost its last reference waits before GC may review it. */
export const DEFAULT_REVIEW_DELAY_MS = 60 * 60 * 1000;

export class ReviewQueue {
  readonly #db: Db;
  readonly #delayMs: number;

  constructor(db: Db, delayMs: number) {
    this.#db = db;
    this.#delayMs = delayMs;
  }

  /** Queues a review, or postpones a queued one (never DO NOTHING: a fresh loss restarts the grace period). */
  add(kind: QueueKind, repoId: string, digest: string, at: Date): void {
    this.#db.q(`INSERT INTO gc_review_queue (kind, repo_id, digest, review_after) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, repo_id, digest) DO UPDATE SET review_after = excluded.review_after`)
      .run(kind, repoId, digest, at.getTime() + this.#delayMs);
  }

  /** Something gained a reference: it is no longer a candidate. */
  remove(kind: QueueKind, repoId: string, digest: string): void {
    this.#db.q('DELETE FROM gc_review_queue WHERE kind = ? AND repo_id = ? AND digest = ?').run(kind, repoId, digest);
  }

  /** Queues each blob that no manifest (of any repository) uses any more. */
  releaseBlobs(digests: Iterable<string>, at: Date): void {
    const used = this.#db.q('SELECT 1 FROM manifest_blobs WHERE blob_digest = ? LIMIT 1');
    for (const d of digests) if (!used.get(d)) this.add('blob', '', d, at);
  }

  /** Queues each manifest of the repository that still exists but that no tag and no index holds any more. */
  releaseManifests(repoId: string, digests: Iterable<string>, at: Date): void {
    const orphan = this.#db.q(`SELECT 1 FROM manifests m WHERE m.repo_id = ? AND m.digest = ?
                                 AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)
                                 AND NOT EXISTS (SELECT 1 FROM manifest_children c WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest)`);
    for (const d of digests) if (orphan.get(repoId, d)) this.add('manifest', repoId, d, at);
  }
}
