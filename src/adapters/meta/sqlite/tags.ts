// Tags: a movable name for a manifest. A tag that stops pointing at a manifest (deleted or moved) may leave the
// manifest unreferenced, so both paths hand the old target to the GC review queue in the same transaction.
import type { Actor, Digest } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
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

export function deleteTag(db: Db, queue: ReviewQueue, repository: string, tag: string, actor: Actor, at: Date): Digest | null {
  return db.tx(() => {
    const repoId = liveRepoId(db, repository);
    const digest = repoId === undefined ? undefined : tagTarget(db, repoId, tag);
    if (repoId === undefined || digest === undefined) return null;
    db.q('DELETE FROM tags WHERE repo_id = ? AND name = ?').run(repoId, tag);
    queue.releaseManifests(repoId, [digest], at);
    audit(db, actor, at, 'tag.delete', repository, tag, { digest });
    return digest;
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
