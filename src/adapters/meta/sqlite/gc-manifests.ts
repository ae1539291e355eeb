// GC's manifest steps: trash queued orphans (compare-and-trash under the pin rules), purge the trash once the
// restore window is over, empty deleted repositories in bounded batches, and let expired pins go. Each call is one
// short transaction, so pushes and pulls never wait behind a sweep.
import type { Actor, CollectOutcome, GcClock, ManifestReview, PinPolicy } from '../../../core/index.ts';
import type { Digest } from '../../../core/index.ts';
import type { Db } from './db.ts';
import { cascade, cascadeHeld, purgeManifestRows, trashManifest } from './manifest-delete.ts';
import { protectingPins, releaseProtected } from './pins.ts';
import { NOT_HELD, type ReviewQueue } from './review-queue.ts';

interface ReviewRow { repository: string; repo_id: string; digest: string; at: number }

const toReview = (r: ReviewRow): ManifestReview => ({ repository: r.repository, repoId: r.repo_id, digest: r.digest as Digest, releasedAt: new Date(r.at) });

export function dueManifests(db: Db, releasedBefore: Date, limit: number): ManifestReview[] {
  return (db.q(`SELECT r.name AS repository, q.repo_id, q.digest, q.released_at AS at FROM gc_review_queue q
                JOIN repositories r ON r.id = q.repo_id AND r.deleted_at IS NULL
                WHERE q.kind = 'manifest' AND q.released_at <= ? ORDER BY q.released_at, q.digest LIMIT ?`)
    .all(releasedBefore.getTime(), limit) as ReviewRow[]).map(toReview);
}

/** Whether the manifest is still a live orphan whose review is due: the compare in compare-and-trash. */
function stillOrphan(db: Db, review: ManifestReview, releasedBefore: Date): boolean {
  return db.q(`SELECT 1 FROM gc_review_queue q JOIN manifests m ON m.repo_id = q.repo_id AND m.digest = q.digest AND m.deleted_at IS NULL
               WHERE q.kind = 'manifest' AND q.repo_id = ? AND q.digest = ? AND q.released_at <= ? AND ${NOT_HELD}`)
    .get(review.repoId, review.digest, releasedBefore.getTime()) !== undefined;
}

export function collectManifest(
  db: Db, queue: ReviewQueue, review: ManifestReview, clock: GcClock, pins: PinPolicy, actor: Actor, dryRun: boolean,
): CollectOutcome {
  return db.tx((): CollectOutcome => {
    // A tagged or index-held referrer keeps its subject: collecting the subject would take the referrer along.
    if (!stillOrphan(db, review, clock.releasedBefore) || cascadeHeld(db, review.repoId, cascade(db, review.repoId, review.digest))) {
      // Only a due review goes: one re-queued after the pass's grace bound is a newer loss that a later pass reviews.
      if (!dryRun) {
        db.q("DELETE FROM gc_review_queue WHERE kind = 'manifest' AND repo_id = ? AND digest = ? AND released_at <= ?")
          .run(review.repoId, review.digest, clock.releasedBefore.getTime());
      }
      return { kind: 'referenced' };
    }
    const policy: PinPolicy = { breakPins: false, pulledSince: pins.pulledSince };
    if (dryRun) {
      // The same cascade and pin check as the real trash below, so a dry run never promises what the pass refuses.
      const doomed = cascade(db, review.repoId, review.digest);
      if (protectingPins(db, review.repoId, review.repository, doomed, policy, clock.at).length > 0) return { kind: 'pinned' };
      const sizeOf = db.q('SELECT size FROM manifests WHERE repo_id = ? AND digest = ?');
      const size = doomed.reduce((sum, d) => sum + (sizeOf.get(review.repoId, d) as { size: number }).size, 0);
      return { kind: 'collected', manifests: doomed, size };
    }
    const outcome = trashManifest(db, queue, review, policy, actor, clock.at, 'manifest.gc');
    if (outcome.kind === 'pinned') {
      // Explicit pins re-queue it when they go; a recent pull is re-checked one grace period from now.
      // Just after `at`, so a pass with a zero grace period does not review it again in the same pass.
      if (outcome.pins.some((p) => p.id === 'auto-pull')) queue.add('manifest', review.repoId, review.digest, new Date(clock.at.getTime() + 1));
      else queue.remove('manifest', review.repoId, review.digest);
      return { kind: 'pinned' };
    }
    const size = (db.q(`SELECT COALESCE(SUM(size), 0) AS n FROM manifests WHERE repo_id = ? AND deleted_batch =
                          (SELECT deleted_batch FROM manifests WHERE repo_id = ? AND digest = ?)`).get(review.repoId, review.repoId, review.digest) as { n: number }).n;
    return { kind: 'collected', manifests: outcome.manifests, size };
  });
}

export function dueTrash(db: Db, trashedBefore: Date, limit: number): ManifestReview[] {
  return (db.q(`SELECT r.name AS repository, m.repo_id, m.digest, m.deleted_at AS at FROM manifests m JOIN repositories r ON r.id = m.repo_id
                WHERE m.deleted_at IS NOT NULL AND m.deleted_at < ? ORDER BY m.deleted_at, m.digest LIMIT ?`)
    .all(trashedBefore.getTime(), limit) as ReviewRow[]).map(toReview);
}

export function purgeTrash(db: Db, queue: ReviewQueue, trashedBefore: Date, limit: number, at: Date): { manifests: number; tags: number } {
  return db.tx(() => {
    const rows = db.q('SELECT repo_id, digest FROM manifests WHERE deleted_at IS NOT NULL AND deleted_at < ? ORDER BY deleted_at LIMIT ?')
      .all(trashedBefore.getTime(), limit) as Array<{ repo_id: string; digest: string }>;
    const blobs = new Set<string>();
    for (const r of rows) {
      const held = purgeManifestRows(db, r.repo_id, [r.digest]);
      for (const b of held.blobs) blobs.add(b);
      queue.releaseManifests(r.repo_id, held.children, at);
    }
    queue.releaseBlobs(blobs, at);
    const tags = db.q('DELETE FROM deleted_tags WHERE id IN (SELECT id FROM deleted_tags WHERE deleted_at < ? ORDER BY deleted_at LIMIT ?)')
      .run(trashedBefore.getTime(), limit).changes;
    return { manifests: rows.length, tags };
  });
}

/** Empties the oldest deleted repository by up to `limit` manifests, then `limit` blob links; drops its row once empty. */
export function purgeDeletedRepositories(db: Db, queue: ReviewQueue, limit: number, at: Date): { manifests: number; links: number; repositories: number } {
  return db.tx(() => {
    const repo = db.q('SELECT id FROM repositories WHERE deleted_at IS NOT NULL ORDER BY deleted_at LIMIT 1').get() as { id: string } | undefined;
    if (!repo) return { manifests: 0, links: 0, repositories: 0 };
    const rows = db.q('SELECT digest FROM manifests WHERE repo_id = ? LIMIT ?').all(repo.id, limit) as Array<{ digest: string }>;
    if (rows.length > 0) {
      const held = purgeManifestRows(db, repo.id, rows.map((r) => r.digest));
      queue.releaseBlobs(held.blobs, at);
      return { manifests: rows.length, links: 0, repositories: 0 };
    }
    const linked = db.q('SELECT digest FROM repository_blobs WHERE repo_id = ? LIMIT ?').all(repo.id, limit) as Array<{ digest: string }>;
    const unlink = db.q('DELETE FROM repository_blobs WHERE repo_id = ? AND digest = ?');
    for (const l of linked) {
      unlink.run(repo.id, l.digest);
      queue.linked(l.digest, at);
    }
    if (linked.length === limit) return { manifests: 0, links: linked.length, repositories: 0 };
    for (const table of ['tags', 'deleted_tags', 'pins', 'repository_tags']) db.q(`DELETE FROM ${table} WHERE repo_id = ?`).run(repo.id);
    db.q("DELETE FROM gc_review_queue WHERE kind = 'manifest' AND repo_id = ?").run(repo.id);
    db.q('DELETE FROM repositories WHERE id = ?').run(repo.id);
    return { manifests: 0, links: linked.length, repositories: 1 };
  });
}

export function expirePins(db: Db, queue: ReviewQueue, at: Date, limit: number): number {
  return db.tx(() => {
    const rows = db.q('SELECT id, repo_id, digest FROM pins WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?')
      .all(at.getTime(), limit) as Array<{ id: string; repo_id: string; digest: string }>;
    for (const r of rows) {
      db.q('DELETE FROM pins WHERE id = ?').run(r.id);
      releaseProtected(db, queue, r.repo_id, r.digest, at);
    }
    return rows.length;
  });
}
