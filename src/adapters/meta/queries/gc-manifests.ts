// GC's manifest steps: trash queued orphans (compare-and-trash under the pin rules), purge the trash once the
// restore window is over, empty deleted repositories in bounded batches, and let expired pins go. Each call is one
// short transaction, so pushes and pulls never wait behind a sweep, and two replicas sweeping at once serialize.
import type { Actor, CollectOutcome, Digest, GcClock, ManifestReview, PinPolicy } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { cascade, cascadeHeld, purgeManifestRows, trashManifest } from './manifest-delete.ts';
import { protectingPins, releaseProtected } from './pins.ts';
import * as queue from './review-queue.ts';
import { lockTouched } from './row-locks.ts';

interface ReviewRow {
  repository: string;
  repo_id: string;
  digest: string;
  at: number;
}

const toReview = (r: ReviewRow): ManifestReview => ({ repository: r.repository, repoId: r.repo_id, digest: r.digest as Digest, releasedAt: new Date(r.at) });

export function* dueManifests(releasedBefore: Date, limit: number): Q<ManifestReview[]> {
  return (yield* all<ReviewRow>(
    `SELECT r.name AS repository, q.repo_id, q.digest, q.released_at AS at FROM gc_review_queue q
                JOIN repositories r ON r.id = q.repo_id AND r.deleted_at IS NULL
                WHERE q.kind = 'manifest' AND q.released_at <= $1 ORDER BY q.released_at, q.digest LIMIT $2`,
    releasedBefore.getTime(),
    limit,
  )).map(toReview);
}

/** Whether the manifest is still a live orphan whose review is due: the compare in compare-and-trash. */
function* stillOrphan(review: ManifestReview, releasedBefore: Date): Q<boolean> {
  return (
    (yield* get(
      `SELECT 1 FROM gc_review_queue q JOIN manifests m ON m.repo_id = q.repo_id AND m.digest = q.digest AND m.deleted_at IS NULL
               WHERE q.kind = 'manifest' AND q.repo_id = $1 AND q.digest = $2 AND q.released_at <= $3 AND ${queue.NOT_HELD}`,
      review.repoId,
      review.digest,
      releasedBefore.getTime(),
    )) !== undefined
  );
}

export function* collectManifest(review: ManifestReview, clock: GcClock, pins: PinPolicy, actor: Actor, dryRun: boolean): Q<CollectOutcome> {
  // Trashing keeps references, so only the repository changes (by name: a newer repository of the same name shares
  // the lock, harmlessly; the reviewed one's rows are otherwise only touched by writes that lock everything).
  yield* lockTouched({ repositories: [review.repository] });
  // A tagged or index-held referrer keeps its subject: collecting the subject would take the referrer along.
  if (!(yield* stillOrphan(review, clock.releasedBefore)) || (yield* cascadeHeld(review.repoId, yield* cascade(review.repoId, review.digest)))) {
    // Only a due review goes: one re-queued after the pass's grace bound is a newer loss that a later pass reviews.
    if (!dryRun) {
      yield* run(
        "DELETE FROM gc_review_queue WHERE kind = 'manifest' AND repo_id = $1 AND digest = $2 AND released_at <= $3",
        review.repoId,
        review.digest,
        clock.releasedBefore.getTime(),
      );
    }
    return { kind: 'referenced' };
  }
  const policy: PinPolicy = { breakPins: false, pulledSince: pins.pulledSince };
  if (dryRun) {
    // The same cascade and pin check as the real trash below, so a dry run never promises what the pass refuses.
    const doomed = yield* cascade(review.repoId, review.digest);
    if ((yield* protectingPins(review.repoId, review.repository, doomed, policy, clock.at)).length > 0) return { kind: 'pinned' };
    let size = 0;
    for (const d of doomed) size += (yield* get<{ size: number }>('SELECT size FROM manifests WHERE repo_id = $1 AND digest = $2', review.repoId, d))!.size;
    return { kind: 'collected', manifests: doomed, size };
  }
  const outcome = yield* trashManifest(review, policy, actor, clock.at, 'manifest.gc');
  if (outcome.kind === 'pinned') {
    // Explicit pins re-queue it when they go; a recent pull is re-checked one grace period from now.
    // Just after `at`, so a pass with a zero grace period does not review it again in the same pass.
    if (outcome.pins.some((p) => p.id === 'auto-pull')) yield* queue.add('manifest', review.repoId, review.digest, new Date(clock.at.getTime() + 1));
    else yield* queue.remove('manifest', review.repoId, review.digest);
    return { kind: 'pinned' };
  }
  const size = (yield* get<{ n: number }>(
    `SELECT COALESCE(SUM(size), 0) AS n FROM manifests WHERE repo_id = $1 AND deleted_batch =
                        (SELECT deleted_batch FROM manifests WHERE repo_id = $1 AND digest = $2)`,
    review.repoId,
    review.digest,
  ))!.n;
  return { kind: 'collected', manifests: outcome.manifests, size };
}

export function* dueTrash(trashedBefore: Date, limit: number): Q<ManifestReview[]> {
  return (yield* all<ReviewRow>(
    `SELECT r.name AS repository, m.repo_id, m.digest, m.deleted_at AS at FROM manifests m JOIN repositories r ON r.id = m.repo_id
                WHERE m.deleted_at IS NOT NULL AND m.deleted_at < $1 ORDER BY m.deleted_at, m.digest LIMIT $2`,
    trashedBefore.getTime(),
    limit,
  )).map(toReview);
}

/**
 * Purges trash past the restore window. What it held lost its last reference when the window ended, not when this pass
 * came by: its blobs are queued as of then (never earlier than an entry they already have), so the first pass at least
 * a grace period after the window frees them, as the delete preview promises ("X MiB from delete + window + grace").
 */
export function* purgeTrash(trashedBefore: Date, limit: number, at: Date): Q<{ manifests: number; tags: number }> {
  const rows = yield* all<{ repo_id: string; digest: string; deleted_at: number }>(
    'SELECT repo_id, digest, deleted_at FROM manifests WHERE deleted_at IS NOT NULL AND deleted_at < $1 ORDER BY deleted_at LIMIT $2',
    trashedBefore.getTime(),
    limit,
  );
  const window = Math.max(0, at.getTime() - trashedBefore.getTime());
  const blobs = new Map<string, number>();
  for (const r of rows) {
    const held = yield* purgeManifestRows(r.repo_id, [r.digest]);
    const expired = Math.min(at.getTime(), Number(r.deleted_at) + window);
    for (const b of held.blobs) blobs.set(b, Math.max(blobs.get(b) ?? 0, expired));
    yield* queue.releaseManifests(r.repo_id, held.children, at);
  }
  yield* queue.releaseBlobsAsOf(blobs);
  const tags = yield* run(
    'DELETE FROM deleted_tags WHERE id IN (SELECT id FROM deleted_tags WHERE deleted_at < $1 ORDER BY deleted_at LIMIT $2)',
    trashedBefore.getTime(),
    limit,
  );
  return { manifests: rows.length, tags };
}

const PURGED_WITH_REPOSITORY = ['tags', 'deleted_tags', 'pins', 'repository_tags'] as const;

/** Empties the oldest deleted repository by up to `limit` manifests, then `limit` blob links; drops its row once empty. */
export function* purgeDeletedRepositories(limit: number, at: Date): Q<{ manifests: number; links: number; repositories: number }> {
  const repo = yield* get<{ id: string; deleted_at: number }>(
    'SELECT id, deleted_at FROM repositories WHERE deleted_at IS NOT NULL ORDER BY deleted_at LIMIT 1',
  );
  if (!repo) return { manifests: 0, links: 0, repositories: 0 };
  const rows = yield* all<{ digest: string }>('SELECT digest FROM manifests WHERE repo_id = $1 LIMIT $2', repo.id, limit);
  if (rows.length > 0) {
    const held = yield* purgeManifestRows(
      repo.id,
      rows.map((r) => r.digest),
    );
    // A deleted repository is not restorable: its manifests (and links) stopped holding their blobs at its delete.
    const lostAt = Math.min(at.getTime(), Number(repo.deleted_at));
    yield* queue.releaseBlobsAsOf(new Map([...held.blobs].map((b) => [b, lostAt])));
    return { manifests: rows.length, links: 0, repositories: 0 };
  }
  const linked = yield* all<{ digest: string }>('SELECT digest FROM repository_blobs WHERE repo_id = $1 LIMIT $2', repo.id, limit);
  const lostAt = Math.min(at.getTime(), Number(repo.deleted_at));
  for (const l of linked) yield* run('DELETE FROM repository_blobs WHERE repo_id = $1 AND digest = $2', repo.id, l.digest);
  yield* queue.releaseBlobsAsOf(new Map(linked.map((l) => [l.digest, lostAt])));
  if (linked.length === limit) return { manifests: 0, links: linked.length, repositories: 0 };
  for (const table of PURGED_WITH_REPOSITORY) yield* run(`DELETE FROM ${table} WHERE repo_id = $1`, repo.id);
  yield* run("DELETE FROM gc_review_queue WHERE kind = 'manifest' AND repo_id = $1", repo.id);
  yield* run('DELETE FROM repositories WHERE id = $1', repo.id);
  return { manifests: 0, links: linked.length, repositories: 1 };
}

export function* expirePins(at: Date, limit: number): Q<number> {
  const rows = yield* all<{ id: string; repo_id: string; digest: string }>(
    'SELECT id, repo_id, digest FROM pins WHERE expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2',
    at.getTime(),
    limit,
  );
  for (const r of rows) {
    yield* run('DELETE FROM pins WHERE id = $1', r.id);
    yield* releaseProtected(r.repo_id, r.digest, at);
  }
  return rows.length;
}
