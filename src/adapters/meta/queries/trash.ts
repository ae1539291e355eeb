// Restore from the trash: a deleted tag or manifest comes back with what was deleted together with it, in one
// transaction; the blobs are all still there because trashed manifests never gave up their references.
import type { Actor, DeletedManifest, DeletedTag, Digest, RestoreOutcome } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { liveRepo, tagIsImmutable } from './repo-rows.ts';
import * as queue from './review-queue.ts';
import { lockTouched } from './row-locks.ts';
import { byName } from './tag-names.ts';
import { pointTag, tagTarget } from './tags.ts';

export interface DeletedTagRow {
  id: number;
  name: string;
  digest: string;
  deleted_at: number;
  batch: string;
}

/** Every column of a DeletedTagRow; callers append `WHERE ...`. */
export const DELETED_TAGS = 'SELECT id, name, digest, deleted_at, batch FROM deleted_tags';

export const toDeletedTag = (repository: string, r: Pick<DeletedTagRow, 'name' | 'digest' | 'deleted_at'>): DeletedTag => ({
  repository,
  tag: r.name,
  digest: r.digest as Digest,
  deletedAt: new Date(r.deleted_at),
});

export function* listDeletedTags(repository: string, since: Date, limit: number): Q<DeletedTag[]> {
  const repo = yield* liveRepo(repository);
  if (!repo || limit <= 0) return [];
  return (yield* all<DeletedTagRow>(
    `SELECT name, digest, deleted_at FROM deleted_tags WHERE repo_id = $1 AND deleted_at >= $2
                ORDER BY deleted_at DESC, id DESC LIMIT $3`,
    repo.id,
    since.getTime(),
    limit,
  )).map((r) => toDeletedTag(repository, r));
}

/** The trashed manifests to revive: the batch, plus trashed children of revived indexes; and children that are gone. */
function* reviveSet(repoId: string, first: string, batch: string | null): Q<{ revive: string[]; missing: Digest[] }> {
  const revive = new Set<string>([first]);
  if (batch !== null) {
    for (const r of yield* all<{ digest: string }>('SELECT digest FROM manifests WHERE repo_id = $1 AND deleted_batch = $2', repoId, batch))
      revive.add(r.digest);
  }
  const missing: Digest[] = [];
  // A Set iterates over what is added while iterating, so revived indexes' trashed children are walked too.
  for (const d of revive) {
    const children = yield* all<{ d: string; deleted_at: number | null; present: string | null }>(
      `SELECT c.child_digest AS d, m.deleted_at AS deleted_at, m.digest AS present FROM manifest_children c
       LEFT JOIN manifests m ON m.repo_id = c.repo_id AND m.digest = c.child_digest
       WHERE c.repo_id = $1 AND c.parent_digest = $2`,
      repoId,
      d,
    );
    for (const c of children) {
      if (c.present === null) missing.push(c.d as Digest);
      else if (c.deleted_at !== null) revive.add(c.d);
    }
  }
  return { revive: [...revive], missing };
}

export function* restore(repository: string, ref: { tag: string } | { digest: Digest }, since: Date, actor: Actor, at: Date): Q<RestoreOutcome> {
  // Trashed manifests kept their references, so reviving them changes no blob's use: the repository is all it touches.
  yield* lockTouched({ repositories: [repository] });
  const repo = yield* liveRepo(repository);
  if (!repo) return { kind: 'unknown' };
  let digest: string;
  let tagRows: DeletedTagRow[];
  if ('tag' in ref) {
    const row = yield* get<DeletedTagRow>(
      `${DELETED_TAGS} WHERE repo_id = $1 AND name = $2 AND deleted_at >= $3
                      ORDER BY deleted_at DESC, id DESC LIMIT 1`,
      repo.id,
      ref.tag,
      since.getTime(),
    );
    if (!row) return { kind: 'unknown' };
    digest = row.digest;
    tagRows = [row];
  } else {
    digest = ref.digest;
    tagRows = [];
  }
  const manifest = yield* get<{ deleted_at: number | null; deleted_batch: string | null }>(
    'SELECT deleted_at, deleted_batch FROM manifests WHERE repo_id = $1 AND digest = $2',
    repo.id,
    digest,
  );
  if (!manifest) return { kind: 'unknown' };
  if (!('tag' in ref) && (manifest.deleted_at === null || manifest.deleted_at < since.getTime())) return { kind: 'unknown' };
  if (!('tag' in ref) && manifest.deleted_batch !== null) {
    // Sorted here: asked to ORDER BY name, SQLite walks the repository's (repo_id, name, ...) index, not (repo_id, batch).
    tagRows = (yield* all<DeletedTagRow>(`${DELETED_TAGS} WHERE repo_id = $1 AND batch = $2`, repo.id, manifest.deleted_batch)).sort(byName);
  }
  const { revive, missing } = manifest.deleted_at === null ? { revive: [], missing: [] } : yield* reviveSet(repo.id, digest, manifest.deleted_batch);
  if (missing.length > 0) return { kind: 'incomplete', missing };
  for (const row of tagRows) {
    const current = yield* tagTarget(repo.id, row.name);
    if (current !== undefined && current !== row.digest && tagIsImmutable(repo, row.name)) return { kind: 'tag-immutable', tag: row.name, current };
  }
  for (const d of revive) yield* run('UPDATE manifests SET deleted_at = NULL, deleted_batch = NULL WHERE repo_id = $1 AND digest = $2', repo.id, d);
  const moved: string[] = [];
  for (const row of tagRows) {
    const current = yield* tagTarget(repo.id, row.name);
    if (current !== row.digest) {
      yield* pointTag(repo.id, row.name, row.digest as Digest, at);
      if (current !== undefined) moved.push(current);
    }
    yield* queue.remove('manifest', repo.id, row.digest);
    yield* run('DELETE FROM deleted_tags WHERE id = $1', row.id);
  }
  // A tag moved back may orphan what it pointed at; a revived manifest nothing holds is reviewed again later.
  yield* queue.releaseManifests(repo.id, [...moved, ...revive], at);
  const tags = tagRows.map((row) => row.name);
  yield* audit(actor, at, 'tag' in ref ? 'tag.restore' : 'manifest.restore', repository, 'tag' in ref ? ref.tag : digest, { digest, tags, manifests: revive });
  return { kind: 'restored', digest: digest as Digest, tags, manifests: revive as Digest[] };
}

/** The manifest trash, newest first: what `restore` can still bring back, with the tags deleted in the same batch. */
export function* listDeletedManifests(
  repository: string,
  since: Date,
  page: { after?: { deletedAt: Date; digest: string } | undefined; limit: number },
): Q<DeletedManifest[] | null> {
  const repo = yield* liveRepo(repository);
  if (!repo) return null;
  if (page.limit <= 0) return [];
  const after = page.after;
  const rows = yield* all<{ digest: Digest; media_type: string; artifact_type: string | null; size: number; deleted_at: number; deleted_batch: string | null }>(
    `SELECT digest, media_type, artifact_type, size, deleted_at, deleted_batch FROM manifests
     WHERE repo_id = $1 AND deleted_at IS NOT NULL AND deleted_at >= $2 AND (deleted_at < $3 OR (deleted_at = $3 AND digest > $4))
     ORDER BY deleted_at DESC, digest LIMIT $5`,
    repo.id,
    since.getTime(),
    after ? after.deletedAt.getTime() : Number.MAX_SAFE_INTEGER,
    after?.digest ?? '',
    page.limit,
  );
  const out: DeletedManifest[] = [];
  for (const r of rows) {
    const tags =
      r.deleted_batch === null
        ? []
        : (yield* all<{ name: string }>('SELECT name FROM deleted_tags WHERE repo_id = $1 AND batch = $2 AND digest = $3', repo.id, r.deleted_batch, r.digest))
            .map((t) => t.name)
            .sort();
    out.push({ digest: r.digest, mediaType: r.media_type, artifactType: r.artifact_type, size: r.size, tags, deletedAt: new Date(r.deleted_at) });
  }
  return out;
}
