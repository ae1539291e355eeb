// Manifest delete: the manifest, its tags and, transitively, the referrers whose subject it is (signatures, SBOMs
// of a deleted image) move to the trash in one transaction, after the pin check in that same transaction. Trashed
// manifests keep their references, so their blobs and children stay until GC purges them after the restore window.
import { randomUUID } from 'node:crypto';
import type { Actor, DeleteManifestOutcome, Digest, Pin, PinPolicy } from '../../../core/index.ts';
import { pinSummary } from '../rows-pins.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { breakPins, protectingPins } from './pins.ts';
import { liveRepoId } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';

/** A referrer cascade stops here so one request can never run away; deeper referrers keep a dangling subject. */
export const MAX_CASCADE = 10_000;

/** The manifest first, then its live referrers breadth-first, each once. */
export function cascade(db: Db, repoId: string, digest: string): Digest[] {
  const doomed: Digest[] = [digest as Digest];
  const seen = new Set<string>(doomed);
  // No ORDER BY: sorting by digest would make SQLite walk the repository's primary key instead of the subject index.
  const referrers = db.q('SELECT digest FROM manifests WHERE repo_id = ? AND subject = ? AND deleted_at IS NULL');
  for (let i = 0; i < doomed.length && doomed.length < MAX_CASCADE; i++) {
    const found = (referrers.all(repoId, doomed[i]) as Array<{ digest: Digest }>).sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
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
export function cascadeHeld(db: Db, repoId: string, doomed: readonly string[]): boolean {
  const tagged = db.q('SELECT 1 FROM tags WHERE repo_id = ? AND digest = ? LIMIT 1');
  const child = db.q('SELECT 1 FROM manifest_children WHERE repo_id = ? AND child_digest = ? LIMIT 1');
  return doomed.slice(1).some((d) => tagged.get(repoId, d) !== undefined || child.get(repoId, d) !== undefined);
}

/** Moves manifests and their tags to the trash as one batch; returns the tags that went. */
function trash(db: Db, queue: ReviewQueue, repoId: string, doomed: readonly Digest[], at: Date): string[] {
  // A referrer going (by digest, or with ECR's untag rule) may have been what kept its subject from GC.
  const subjectOf = db.q('SELECT subject FROM manifests WHERE repo_id = ? AND digest = ?');
  const subjects = doomed.map((d) => (subjectOf.get(repoId, d) as { subject: string | null } | undefined)?.subject ?? null)
    .filter((x): x is string => x !== null && !doomed.includes(x as Digest));
  const batch = randomUUID();
  const tags: string[] = [];
  for (const d of doomed) {
    for (const t of db.q('SELECT name FROM tags WHERE repo_id = ? AND digest = ? ORDER BY name').all(repoId, d) as Array<{ name: string }>) tags.push(t.name);
    db.q(`INSERT INTO deleted_tags (repo_id, name, digest, deleted_at, batch)
          SELECT repo_id, name, digest, ?, ? FROM tags WHERE repo_id = ? AND digest = ?`).run(at.getTime(), batch, repoId, d);
    db.q('DELETE FROM tags WHERE repo_id = ? AND digest = ?').run(repoId, d);
    db.q('UPDATE manifests SET deleted_at = ?, deleted_batch = ? WHERE repo_id = ? AND digest = ?').run(at.getTime(), batch, repoId, d);
    queue.remove('manifest', repoId, d);
  }
  queue.releaseManifests(repoId, subjects, at);
  return tags;
}

export type TrashOutcome = { kind: 'deleted'; manifests: Digest[]; tags: string[]; brokenPins: Pin[] } | { kind: 'pinned'; pins: Pin[] };

/** The shared core of every manifest removal (explicit, ECR untag, GC): cascade, pin check, trash, audit. */
export function trashManifest(
  db: Db, queue: ReviewQueue, target: { repoId: string; repository: string; digest: string }, policy: PinPolicy, actor: Actor, at: Date, action: string,
): TrashOutcome {
  const doomed = cascade(db, target.repoId, target.digest);
  const pins = protectingPins(db, target.repoId, target.repository, doomed, policy, at);
  if (pins.length > 0 && !policy.breakPins) return { kind: 'pinned', pins };
  breakPins(db, pins);
  const tags = trash(db, queue, target.repoId, doomed, at);
  audit(db, actor, at, action, target.repository, target.digest, {
    manifests: doomed, tags, ...(pins.length > 0 ? { brokenPins: pinSummary(pins) } : {}),
  });
  return { kind: 'deleted', manifests: doomed, tags, brokenPins: pins };
}

export function deleteManifest(db: Db, queue: ReviewQueue, repository: string, digest: Digest, actor: Actor, at: Date, policy: PinPolicy): DeleteManifestOutcome {
  return db.tx((): DeleteManifestOutcome => {
    const repoId = liveRepoId(db, repository);
    if (repoId === undefined || !db.q('SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ? AND deleted_at IS NULL').get(repoId, digest)) return { kind: 'unknown' };
    return trashManifest(db, queue, { repoId, repository, digest }, policy, actor, at, 'manifest.delete');
  });
}

/**
 * Removes manifest rows for good (trash past its window, or a deleted repository's content): references first, as
 * the foreign keys demand; returns the blobs and children they held so the caller can queue what became unused.
 */
export function purgeManifestRows(db: Db, repoId: string, digests: readonly string[]): { blobs: Set<string>; children: Set<string> } {
  const blobs = new Set<string>();
  const children = new Set<string>();
  for (const d of digests) {
    for (const b of db.q('SELECT blob_digest AS d FROM manifest_blobs WHERE repo_id = ? AND manifest_digest = ?').all(repoId, d) as Array<{ d: string }>) blobs.add(b.d);
    for (const c of db.q('SELECT child_digest AS d FROM manifest_children WHERE repo_id = ? AND parent_digest = ?').all(repoId, d) as Array<{ d: string }>) children.add(c.d);
    db.q('DELETE FROM tags WHERE repo_id = ? AND digest = ?').run(repoId, d);
    db.q('DELETE FROM manifest_blobs WHERE repo_id = ? AND manifest_digest = ?').run(repoId, d);
    db.q('DELETE FROM manifest_children WHERE repo_id = ? AND parent_digest = ?').run(repoId, d);
    db.q('DELETE FROM pins WHERE repo_id = ? AND digest = ?').run(repoId, d);
    db.q('DELETE FROM manifests WHERE repo_id = ? AND digest = ?').run(repoId, d);
    db.q("DELETE FROM gc_review_queue WHERE kind = 'manifest' AND repo_id = ? AND digest = ?").run(repoId, d);
  }
  return { blobs, children };
}
