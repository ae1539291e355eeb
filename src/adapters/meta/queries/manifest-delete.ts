// Manifest delete: the manifest, its tags and, transitively, the referrers whose subject it is (signatures, SBOMs
// of a deleted image) move to the trash in one transaction, after the pin check in that same transaction. Trashed
// manifests keep their references, so their blobs and children stay until GC purges them after the restore window.
import { randomUUID } from 'node:crypto';
import type { Actor, AuditNote, DeleteManifestOutcome, Digest, Pin, PinPolicy } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { breakPins, pinSummary, protectingPins } from './pins.ts';
import { liveRepoId } from './repo-rows.ts';
import * as queue from './review-queue.ts';
import { lockTouched } from './row-locks.ts';
import { byDigest, tagNamesOf } from './tag-names.ts';

/** A referrer cascade stops here so one request can never run away; deeper referrers keep a dangling subject. */
export const MAX_CASCADE = 10_000;

/** The manifest first, then its live referrers breadth-first, each once. */
export function* cascade(repoId: string, digest: string): Q<Digest[]> {
  const doomed: Digest[] = [digest as Digest];
  const seen = new Set<string>(doomed);
  for (let i = 0; i < doomed.length && doomed.length < MAX_CASCADE; i++) {
    // No ORDER BY: sorting by digest would make SQLite walk the repository's primary key instead of the subject index.
    const found = (yield* all<{ digest: Digest }>(
      'SELECT digest FROM manifests WHERE repo_id = $1 AND subject = $2 AND deleted_at IS NULL',
      repoId,
      doomed[i],
    )).sort(byDigest);
    for (const r of found) {
      if (seen.has(r.digest) || doomed.length >= MAX_CASCADE) continue;
      seen.add(r.digest);
      doomed.push(r.digest);
    }
  }
  return doomed;
}

/**
 * Whether a referrer in the cascade (after the first, which is what a caller asked about) is still wanted on its
 * own: tagged, or held by an index. GC and ECR's untag rule then leave the whole chain alone; only an explicit
 * delete of the subject takes such referrers with it.
 */
export function* cascadeHeld(repoId: string, doomed: readonly string[]): Q<boolean> {
  for (const d of doomed.slice(1)) {
    if (yield* get('SELECT 1 FROM tags WHERE repo_id = $1 AND digest = $2 LIMIT 1', repoId, d)) return true;
    if (yield* get('SELECT 1 FROM manifest_children WHERE repo_id = $1 AND child_digest = $2 LIMIT 1', repoId, d)) return true;
  }
  return false;
}

/** Moves manifests and their tags to the trash as one batch; returns the tags that went. */
function* trash(repoId: string, doomed: readonly Digest[], at: Date): Q<string[]> {
  // A referrer going (by digest, or with ECR's untag rule) may have been what kept its subject from GC.
  const subjects: string[] = [];
  for (const d of doomed) {
    const subject = (yield* get<{ subject: string | null }>('SELECT subject FROM manifests WHERE repo_id = $1 AND digest = $2', repoId, d))?.subject ?? null;
    if (subject !== null && !doomed.includes(subject as Digest)) subjects.push(subject);
  }
  const batch = randomUUID();
  const tags: string[] = [];
  for (const d of doomed) {
    tags.push(...(yield* tagNamesOf(repoId, d)));
    yield* run(
      `INSERT INTO deleted_tags (repo_id, name, digest, deleted_at, batch)
                 SELECT repo_id, name, digest, $1, $2 FROM tags WHERE repo_id = $3 AND digest = $4`,
      at.getTime(),
      batch,
      repoId,
      d,
    );
    yield* run('DELETE FROM tags WHERE repo_id = $1 AND digest = $2', repoId, d);
    yield* run('UPDATE manifests SET deleted_at = $1, deleted_batch = $2 WHERE repo_id = $3 AND digest = $4', at.getTime(), batch, repoId, d);
    yield* queue.remove('manifest', repoId, d);
  }
  yield* queue.releaseManifests(repoId, subjects, at);
  return tags;
}

export type TrashOutcome = { kind: 'deleted'; manifests: Digest[]; tags: string[]; brokenPins: Pin[] } | { kind: 'pinned'; pins: Pin[] };

/** The shared core of every manifest removal (explicit, ECR untag, GC): cascade, pin check, trash, audit. */
export function* trashManifest(
  target: { repoId: string; repository: string; digest: string },
  policy: PinPolicy,
  actor: Actor,
  at: Date,
  action: string,
  note?: AuditNote,
): Q<TrashOutcome> {
  const doomed = yield* cascade(target.repoId, target.digest);
  const pins = yield* protectingPins(target.repoId, target.repository, doomed, policy, at);
  if (pins.length > 0 && !policy.breakPins) return { kind: 'pinned', pins };
  yield* breakPins(pins);
  const tags = yield* trash(target.repoId, doomed, at);
  yield* audit(actor, at, action, target.repository, target.digest, {
    manifests: doomed,
    tags,
    ...(pins.length > 0 ? { brokenPins: pinSummary(pins) } : {}),
    ...note,
  });
  return { kind: 'deleted', manifests: doomed, tags, brokenPins: pins };
}

export function* deleteManifest(repository: string, digest: Digest, actor: Actor, at: Date, policy: PinPolicy, note?: AuditNote): Q<DeleteManifestOutcome> {
  // Trashed manifests keep their references, so no blob's use changes here: the repository is all this touches.
  yield* lockTouched({ repositories: [repository] });
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined || !(yield* get('SELECT 1 FROM manifests WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL', repoId, digest))) {
    return { kind: 'unknown' };
  }
  return yield* trashManifest({ repoId, repository, digest }, policy, actor, at, 'manifest.delete', note);
}

/**
 * Removes manifest rows for good (trash past its window, or a deleted repository's content): references first, as
 * the foreign keys demand; returns the blobs and children they held so the caller can queue what became unused.
 */
export function* purgeManifestRows(repoId: string, digests: readonly string[]): Q<{ blobs: Set<string>; children: Set<string> }> {
  const blobs = new Set<string>();
  const children = new Set<string>();
  for (const d of digests) {
    for (const b of yield* all<{ d: string }>('SELECT blob_digest AS d FROM manifest_blobs WHERE repo_id = $1 AND manifest_digest = $2', repoId, d))
      blobs.add(b.d);
    for (const c of yield* all<{ d: string }>('SELECT child_digest AS d FROM manifest_children WHERE repo_id = $1 AND parent_digest = $2', repoId, d))
      children.add(c.d);
    yield* run('DELETE FROM tags WHERE repo_id = $1 AND digest = $2', repoId, d);
    yield* run('DELETE FROM manifest_blobs WHERE repo_id = $1 AND manifest_digest = $2', repoId, d);
    yield* run('DELETE FROM manifest_children WHERE repo_id = $1 AND parent_digest = $2', repoId, d);
    yield* run('DELETE FROM pins WHERE repo_id = $1 AND digest = $2', repoId, d);
    yield* run('DELETE FROM manifests WHERE repo_id = $1 AND digest = $2', repoId, d);
    yield* run("DELETE FROM gc_review_queue WHERE kind = 'manifest' AND repo_id = $1 AND digest = $2", repoId, d);
  }
  return { blobs, children };
}
