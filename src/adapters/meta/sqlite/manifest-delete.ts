// Manifest delete: the manifest, its tags and, transitively, the referrers whose subject it is (signatures,
// SBOMs of a deleted image) go in one transaction; blobs and children they held go to the GC review queue.
import type { Actor, DeletedManifests, Digest } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { liveRepoId } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';

/** A referrer cascade stops here so one request can never run away; deeper referrers keep a dangling subject. */
export const MAX_CASCADE = 10_000;

/** The manifest first, then its referrers breadth-first, each once. */
function cascade(db: Db, repoId: string, digest: Digest): Digest[] {
  const doomed: Digest[] = [digest];
  const seen = new Set<Digest>(doomed);
  const referrers = db.q('SELECT digest FROM manifests WHERE repo_id = ? AND subject = ? ORDER BY digest');
  for (let i = 0; i < doomed.length && doomed.length < MAX_CASCADE; i++) {
    for (const r of referrers.all(repoId, doomed[i]) as Array<{ digest: Digest }>) {
      if (seen.has(r.digest) || doomed.length >= MAX_CASCADE) continue;
      seen.add(r.digest);
      doomed.push(r.digest);
    }
  }
  return doomed;
}

export function deleteManifest(db: Db, queue: ReviewQueue, repository: string, digest: Digest, actor: Actor, at: Date): DeletedManifests | null {
  return db.tx((): DeletedManifests | null => {
    const repoId = liveRepoId(db, repository);
    if (repoId === undefined || !db.q('SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ?').get(repoId, digest)) return null;
    const doomed = cascade(db, repoId, digest);
    const tags: string[] = [];
    const blobs = new Set<string>();
    const children = new Set<string>();
    for (const d of doomed) {
      for (const t of db.q('SELECT name FROM tags WHERE repo_id = ? AND digest = ? ORDER BY name').all(repoId, d) as Array<{ name: string }>) tags.push(t.name);
      for (const b of db.q('SELECT blob_digest AS d FROM manifest_blobs WHERE repo_id = ? AND manifest_digest = ?').all(repoId, d) as Array<{ d: string }>) blobs.add(b.d);
      for (const c of db.q('SELECT child_digest AS d FROM manifest_children WHERE repo_id = ? AND parent_digest = ?').all(repoId, d) as Array<{ d: string }>) children.add(c.d);
      // Children rows first: the foreign keys refuse to orphan them.
      db.q('DELETE FROM tags WHERE repo_id = ? AND digest = ?').run(repoId, d);
      db.q('DELETE FROM manifest_blobs WHERE repo_id = ? AND manifest_digest = ?').run(repoId, d);
      db.q('DELETE FROM manifest_children WHERE repo_id = ? AND parent_digest = ?').run(repoId, d);
      db.q('DELETE FROM manifests WHERE repo_id = ? AND digest = ?').run(repoId, d);
      queue.remove('manifest', repoId, d);
    }
    queue.releaseBlobs(blobs, at);
    queue.releaseManifests(repoId, children, at);
    audit(db, actor, at, 'manifest.delete', repository, digest, { manifests: doomed, tags });
    return { manifests: doomed, tags };
  });
}
