// Restore from the trash: a deleted tag or manifest comes back with what was deleted together with it, in one
// transaction; the blobs are all still there because trashed manifests never gave up their references.
import type { Actor, DeletedTag, Digest, RestoreOutcome } from '../../../core/index.ts';
import { DELETED_TAGS, toDeletedTag, type DeletedTagRow } from '../rows-trash.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { liveRepo } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';
import { pointTag, tagTarget } from './tags.ts';

export function listDeletedTags(db: Db, repository: string, since: Date, limit: number): DeletedTag[] {
  const repo = liveRepo(db, repository);
  if (!repo || limit <= 0) return [];
  return (db.q(`SELECT name, digest, deleted_at FROM deleted_tags WHERE repo_id = ? AND deleted_at >= ?
                ORDER BY deleted_at DESC, id DESC LIMIT ?`).all(repo.id, since.getTime(), limit) as DeletedTagRow[])
    .map((r) => toDeletedTag(repository, r));
}

/** The trashed manifests to revive: the batch, plus trashed children of revived indexes; and children that are gone. */
function reviveSet(db: Db, repoId: string, first: string, batch: string | null): { revive: string[]; missing: Digest[] } {
  const revive = new Set<string>([first]);
  if (batch !== null) {
    for (const r of db.q('SELECT digest FROM manifests WHERE repo_id = ? AND deleted_batch = ?').all(repoId, batch) as Array<{ digest: string }>) revive.add(r.digest);
  }
  const missing: Digest[] = [];
  const children = db.q(`SELECT c.child_digest AS d, m.deleted_at AS deleted_at, m.digest AS present FROM manifest_children c
                         LEFT JOIN manifests m ON m.repo_id = c.repo_id AND m.digest = c.child_digest
                         WHERE c.repo_id = ? AND c.parent_digest = ?`);
  for (const d of revive) {
    for (const c of children.all(repoId, d) as Array<{ d: string; deleted_at: number | null; present: string | null }>) {
      if (c.present === null) missing.push(c.d as Digest);
      else if (c.deleted_at !== null) revive.add(c.d);
    }
  }
  return { revive: [...revive], missing };
}

export function restore(db: Db, queue: ReviewQueue, repository: string, ref: { tag: string } | { digest: Digest }, since: Date, actor: Actor, at: Date): RestoreOutcome {
  return db.tx((): RestoreOutcome => {
    const repo = liveRepo(db, repository);
    if (!repo) return { kind: 'unknown' };
    let digest: string;
    let tagRows: DeletedTagRow[];
    if ('tag' in ref) {
      const row = db.q(`${DELETED_TAGS} WHERE repo_id = ? AND name = ? AND deleted_at >= ?
                        ORDER BY deleted_at DESC, id DESC LIMIT 1`).get(repo.id, ref.tag, since.getTime()) as DeletedTagRow | undefined;
      if (!row) return { kind: 'unknown' };
      digest = row.digest;
      tagRows = [row];
    } else {
      digest = ref.digest;
      tagRows = [];
    }
    const manifest = db.q('SELECT deleted_at, deleted_batch FROM manifests WHERE repo_id = ? AND digest = ?')
      .get(repo.id, digest) as { deleted_at: number | null; deleted_batch: string | null } | undefined;
    if (!manifest) return { kind: 'unknown' };
    if (!('tag' in ref) && (manifest.deleted_at === null || manifest.deleted_at < since.getTime())) return { kind: 'unknown' };
    if (!('tag' in ref) && manifest.deleted_batch !== null) {
      tagRows = db.q(`${DELETED_TAGS} WHERE repo_id = ? AND batch = ? ORDER BY name`)
        .all(repo.id, manifest.deleted_batch) as DeletedTagRow[];
    }
    const { revive, missing } = manifest.deleted_at === null ? { revive: [], missing: [] } : reviveSet(db, repo.id, digest, manifest.deleted_batch);
    if (missing.length > 0) return { kind: 'incomplete', missing };
    for (const t of tagRows) {
      const current = tagTarget(db, repo.id, t.name);
      if (current !== undefined && current !== t.digest && repo.tag_mutability === 'IMMUTABLE') return { kind: 'tag-immutable', tag: t.name, current };
    }
    const revived = db.q('UPDATE manifests SET deleted_at = NULL, deleted_batch = NULL WHERE repo_id = ? AND digest = ?');
    for (const d of revive) revived.run(repo.id, d);
    const moved: string[] = [];
    for (const t of tagRows) {
      const current = tagTarget(db, repo.id, t.name);
      if (current !== t.digest) {
        pointTag(db, repo.id, t.name, t.digest as Digest, at);
        if (current !== undefined) moved.push(current);
      }
      queue.remove('manifest', repo.id, t.digest);
      db.q('DELETE FROM deleted_tags WHERE id = ?').run(t.id);
    }
    // A tag moved back may orphan what it pointed at; a revived manifest nothing holds is reviewed again later.
    queue.releaseManifests(repo.id, [...moved, ...revive], at);
    const tags = tagRows.map((t) => t.name);
    audit(db, actor, at, 'tag' in ref ? 'tag.restore' : 'manifest.restore', repository, 'tag' in ref ? ref.tag : digest, { digest, tags, manifests: revive });
    return { kind: 'restored', digest: digest as Digest, tags, manifests: revive as Digest[] };
  });
}
