// Tags: a movable name for a manifest. A tag that stops pointing at a manifest (deleted or moved) may leave the
// manifest unreferenced, so both paths hand the old target to the GC review queue in the same transaction; a
// deleted tag stays restorable for the restore window.
import { randomUUID } from 'node:crypto';
import type { Actor, AuditNote, DeleteTagOutcome, Digest, PinPolicy } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { cascade, cascadeHeld, trashManifest } from './manifest-delete.ts';
import { liveRepoId } from './repo-rows.ts';
import * as queue from './review-queue.ts';
import { lockTouched } from './row-locks.ts';

export function* tagTarget(repoId: string, tag: string): Q<Digest | undefined> {
  return (yield* get<{ digest: Digest }>('SELECT digest FROM tags WHERE repo_id = $1 AND name = $2', repoId, tag))?.digest;
}

export function* pointTag(repoId: string, tag: string, digest: Digest, at: Date): Q<void> {
  yield* run(
    `INSERT INTO tags (repo_id, name, digest, updated_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (repo_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at`,
    repoId,
    tag,
    digest,
    at.getTime(),
  );
}

/** Whether nothing but this tag holds the manifest: no other tag, no index. */
function* lastHold(repoId: string, tag: string, digest: string): Q<boolean> {
  return (
    !(yield* get('SELECT 1 FROM tags WHERE repo_id = $1 AND digest = $2 AND name <> $3 LIMIT 1', repoId, digest, tag)) &&
    !(yield* get(
      `SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                      WHERE c.repo_id = $1 AND c.child_digest = $2 AND p.deleted_at IS NULL LIMIT 1`,
      repoId,
      digest,
    ))
  );
}

export function* deleteTag(
  repository: string,
  tag: string,
  actor: Actor,
  at: Date,
  options: { policy: PinPolicy; dropUntagged: boolean; onlyId?: string; note?: AuditNote },
): Q<DeleteTagOutcome> {
  yield* lockTouched({ repositories: [repository] });
  const live = yield* liveRepoId(repository);
  const repoId = options.onlyId === undefined || live === options.onlyId ? live : undefined;
  const digest = repoId === undefined ? undefined : yield* tagTarget(repoId, tag);
  if (repoId === undefined || digest === undefined) return { kind: 'unknown' };
  if (options.dropUntagged && (yield* lastHold(repoId, tag, digest)) && !(yield* cascadeHeld(repoId, yield* cascade(repoId, digest)))) {
    // ECR's rule: the image goes with its last tag; the trash records the tag with it, so restore brings both back.
    const gone = yield* trashManifest({ repoId, repository, digest }, options.policy, actor, at, 'manifest.delete', options.note);
    if (gone.kind === 'pinned') return gone;
    return { kind: 'deleted', digest, manifests: gone.manifests, brokenPins: gone.brokenPins };
  }
  yield* run(
    'INSERT INTO deleted_tags (repo_id, name, digest, deleted_at, batch) VALUES ($1, $2, $3, $4, $5)',
    repoId,
    tag,
    digest,
    at.getTime(),
    randomUUID(),
  );
  yield* run('DELETE FROM tags WHERE repo_id = $1 AND name = $2', repoId, tag);
  yield* queue.releaseManifests(repoId, [digest], at);
  yield* audit(actor, at, 'tag.delete', repository, tag, { digest, ...options.note });
  return { kind: 'deleted', digest, manifests: [], brokenPins: [] };
}

/** Byte-wise lexical order (the OCI tag list order, COLLATE "C"); null when the repository does not exist. */
export function* listTags(repository: string, after: string | undefined, limit: number): Q<string[] | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  if (limit <= 0) return [];
  return (yield* all<{ name: string }>('SELECT name FROM tags WHERE repo_id = $1 AND name > $2 ORDER BY name LIMIT $3', repoId, after ?? '', limit)).map(
    (r) => r.name,
  );
}
