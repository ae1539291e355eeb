// Tags: a movable name for a manifest. A tag that stops pointing at a manifest (deleted or moved) may leave the
// manifest unreferenced, so both paths hand the old target to the GC review queue in the same transaction; a
// deleted tag stays restorable for the restore window.
import { randomUUID } from 'node:crypto';
import type { Actor, DeleteTagOutcome, Digest, PinPolicy } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { cascade, cascadeHeld, trashManifest } from './manifest-delete.ts';
import { liveRepoId } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';

export function tagTarget(db: Db, repoId: string, tag: string): Digest | undefined {
  return (db.q('SELECT digest FROM tags WHERE repo_id = ? AND name = ?').get(repoId, tag) as { digest: Digest } | undefined)?.digest;
}

export function pointTag(db: Db, repoId: string, tag: string, digest: Digest, at: Date): void {
  db.q(`INSERT INTO tags (repo_id, name, digest, updated_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (repo_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at`)
    .run(repoId, tag, digest, at.getTime());
}

/** Whether nothing but this tag holds the manifest: no other tag, no live index (a deleted one holds nothing). */
function lastHold(db: Db, repoId: string, tag: string, digest: string): boolean {
  return !db.q('SELECT 1 FROM tags WHERE repo_id = ? AND digest = ? AND name <> ? LIMIT 1').get(repoId, digest, tag)
    && !db.q(`SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
              WHERE c.repo_id = ? AND c.child_digest = ? AND p.deleted_at IS NULL LIMIT 1`).get(repoId, digest);
}

export function deleteTag(
  db: Db, queue: ReviewQueue, repository: string, tag: string, actor: Actor, at: Date,
  options: { policy: PinPolicy; dropUntagged: boolean; onlyId?: string },
): DeleteTagOutcome {
  return db.tx((): DeleteTagOutcome => {
    const live = liveRepoId(db, repository);
    const repoId = options.onlyId === undefined || live === options.onlyId ? live : undefined;
    const digest = repoId === undefined ? undefined : tagTarget(db, repoId, tag);
    if (repoId === undefined || digest === undefined) return { kind: 'unknown' };
    if (options.dropUntagged && lastHold(db, repoId, tag, digest) && !cascadeHeld(db, repoId, cascade(db, repoId, digest))) {
      // ECR's rule: the image goes with its last tag; the trash records the tag with it, so restore brings both back.
      const gone = trashManifest(db, queue, { repoId, repository, digest }, options.policy, actor, at, 'manifest.delete');
      if (gone.kind === 'pinned') return gone;
      return { kind: 'deleted', digest, manifests: gone.manifests, brokenPins: gone.brokenPins };
    }
    db.q('INSERT INTO deleted_tags (repo_id, name, digest, deleted_at, batch) VALUES (?, ?, ?, ?, ?)').run(repoId, tag, digest, at.getTime(), randomUUID());
    db.q('DELETE FROM tags WHERE repo_id = ? AND name = ?').run(repoId, tag);
    queue.releaseManifests(repoId, [digest], at);
    audit(db, actor, at, 'tag.delete', repository, tag, { digest });
    return { kind: 'deleted', digest, manifests: [], brokenPins: [] };
  });
}

/** Byte-wise lexical order (the OCI tag list order); null when the repository does not exist. */
export function listTags(db: Db, repository: string, after: string | undefined, limit: number): string[] | null {
  const repoId = liveRepoId(db, repository);
  if (repoId === undefined) return null;
  if (limit <= 0) return [];
  return (db.q('SELECT name FROM tags WHERE repo_id = ? AND name > ? ORDER BY name LIMIT ?').all(repoId, after ?? '', limit) as Array<{ name: string }>)
    .map((r) => r.name);
}
