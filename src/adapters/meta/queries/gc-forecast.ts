// What the blob step of a GC pass will remove, for the dry run, read without changing anything: the blobs already
// due, plus those the same pass frees when it purges deleted repositories and the trash past the restore window
// (and, with a zero window, what it trashes). A dry run that left those out promised 0 bytes before a pass that
// freed megabytes; this walks exactly the rules the pass's steps follow (gc-manifests.ts, gc-blobs.ts).
import type { BlobForecast, Digest, GcClock, ManifestRef } from '../../../core/index.ts';
import { all, get, type Q } from '../sql/query.ts';
import { type BlobUser, freedBlob, purgedBefore } from './freed-blobs.ts';

const key = (repoId: string, digest: string): string => `${repoId} ${digest}`;

/** Index nesting levels a pass frees in one go (its MAX_ROUNDS of collect and purge, less the first). */
const CHILD_ROUNDS = 3;

/**
 * With a zero grace period and a zero window the pass purges an index, collects the children it held in its next
 * round, and purges them too. The children that go: live, untagged, with no parent but doomed ones, unpinned, and
 * no referrer of a live subject (the usual cases; a tagged referrer of a child is not looked for).
 */
function* doomedChildren(doomed: Set<string>, frontier: ManifestRef[]): Q<ManifestRef[]> {
  const added: ManifestRef[] = [];
  for (let round = 0; round < CHILD_ROUNDS && frontier.length > 0; round++) {
    const next: ManifestRef[] = [];
    for (const parent of frontier) {
      const children = yield* all<{ d: string }>(
        'SELECT child_digest AS d FROM manifest_children WHERE repo_id = $1 AND parent_digest = $2',
        parent.repoId,
        parent.digest,
      );
      for (const { d } of children) {
        if (doomed.has(key(parent.repoId, d))) continue;
        const live = yield* get<{ subject: string | null }>(
          'SELECT subject FROM manifests WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL',
          parent.repoId,
          d,
        );
        if (!live || live.subject !== null) continue;
        if (yield* get('SELECT 1 FROM tags WHERE repo_id = $1 AND digest = $2', parent.repoId, d)) continue;
        if (yield* get('SELECT 1 FROM pins WHERE repo_id = $1 AND digest = $2', parent.repoId, d)) continue;
        const parents = yield* all<{ p: string }>(
          'SELECT parent_digest AS p FROM manifest_children WHERE repo_id = $1 AND child_digest = $2',
          parent.repoId,
          d,
        );
        if (!parents.every((r) => doomed.has(key(parent.repoId, r.p)))) continue;
        doomed.add(key(parent.repoId, d));
        next.push({ repoId: parent.repoId, digest: d as Digest });
      }
    }
    added.push(...next);
    frontier = next;
  }
  return added;
}

export function* forecastBlobs(clock: GcClock, collectedNow: readonly ManifestRef[], limit: number): Q<BlobForecast> {
  let collected = collectedNow;
  const at = clock.at.getTime();
  const released = clock.releasedBefore.getTime();
  const trashed = clock.trashedBefore.getTime();
  const window = Math.max(0, at - trashed);
  // What the pass queues at `at` is swept in the same pass only with a zero grace period.
  const releasedNowIsDue = at <= released;
  // What the pass trashes (at `at`) it purges in the same pass only when the window is zero.
  const purgedNow = new Set(at < trashed ? collected.map((m) => key(m.repoId, m.digest)) : []);
  if (releasedNowIsDue && at < trashed) {
    const trash = yield* all<{ repo_id: string; digest: Digest }>('SELECT repo_id, digest FROM manifests WHERE deleted_at IS NOT NULL');
    const doomedNow = new Set([...purgedNow, ...trash.map((m) => key(m.repo_id, m.digest))]);
    const parents = [...collected, ...trash.map((m) => ({ repoId: m.repo_id, digest: m.digest }))];
    for (const c of yield* doomedChildren(doomedNow, parents)) {
      purgedNow.add(key(c.repoId, c.digest));
      collected = [...collected, c];
    }
  }
  const purged = purgedBefore(trashed);
  const doomed = (u: BlobUser): boolean => purged(u) || purgedNow.has(key(u.repo_id, u.digest));

  const candidates = new Set<string>();
  // Queued but not yet due (a push in progress) can only go if the pass touches it: the queries below find those.
  for (const r of yield* all<{ d: string }>("SELECT digest AS d FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND released_at <= $1", released))
    candidates.add(r.d);
  for (const r of yield* all<{ d: string }>(
    `SELECT DISTINCT mb.blob_digest AS d FROM manifest_blobs mb
     JOIN manifests m ON m.repo_id = mb.repo_id AND m.digest = mb.manifest_digest JOIN repositories r ON r.id = mb.repo_id
     WHERE r.deleted_at IS NOT NULL OR (m.deleted_at IS NOT NULL AND m.deleted_at < $1)`,
    trashed,
  ))
    candidates.add(r.d);
  for (const r of yield* all<{ d: string }>(
    'SELECT DISTINCT rb.digest AS d FROM repository_blobs rb JOIN repositories r ON r.id = rb.repo_id WHERE r.deleted_at IS NOT NULL',
  ))
    candidates.add(r.d);
  for (const m of purgedNow.size > 0 ? collected : []) {
    for (const r of yield* all<{ d: string }>('SELECT blob_digest AS d FROM manifest_blobs WHERE repo_id = $1 AND manifest_digest = $2', m.repoId, m.digest))
      candidates.add(r.d);
  }

  const out: BlobForecast = { blobs: 0, bytes: 0, listed: [] };
  for (const digest of [...candidates].sort()) {
    const freed = yield* freedBlob(digest, doomed);
    if (!freed) continue;
    // Purging its last users (and a deleted repository's links) queues the blob as of when they stopped holding it
    // (gc-manifests.ts: a trashed manifest at the end of its window, a deleted repository at its delete, what this pass
    // trashes and purges at `at`), never earlier than an entry it has.
    const queued = yield* get<{ at: number }>("SELECT released_at AS at FROM gc_review_queue WHERE kind = 'blob' AND repo_id = '' AND digest = $1", digest);
    const link = yield* get<{ d: number | null }>(
      'SELECT MAX(r.deleted_at) AS d FROM repository_blobs rb JOIN repositories r ON r.id = rb.repo_id WHERE rb.digest = $1 AND r.deleted_at IS NOT NULL',
      digest,
    );
    const lostAt = (u: BlobUser): number =>
      purgedNow.has(key(u.repo_id, u.digest))
        ? at
        : u.repo_deleted !== null
          ? Math.min(at, Number(u.repo_deleted))
          : Math.min(at, Number(u.deleted_at) + window);
    const losses = [...freed.users.map(lostAt), ...(link?.d == null ? [] : [Math.min(at, Number(link.d))])];
    // Nothing of this pass touches it: its queue entry alone decides.
    const due = losses.length === 0 ? queued !== undefined && queued.at <= released : Math.max(queued?.at ?? 0, ...losses) <= released;
    if (!due) continue;
    out.blobs++;
    out.bytes += freed.size;
    if (out.listed.length < limit) out.listed.push({ digest: digest as Digest, size: freed.size });
  }
  return out;
}
