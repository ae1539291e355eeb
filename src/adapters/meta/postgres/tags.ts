// Tags: a movable name for a manifest. A tag that stops pointing at a manifest (deleted or moved) may leave the
// manifest unreferenced, so both paths hand the old target to the GC review queue in the same transaction; a
// deleted tag stays restorable for the restore window.
import { randomUUID } from 'node:crypto';
import type { Actor, DeleteTagOutcome, Digest, PinPolicy } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';
import { cascade, cascadeHeld, trashManifest } from './manifest-delete.ts';
import { liveRepoId } from './repo-rows.ts';
import * as queue from './review-queue.ts';

export async function tagTarget(t: Sql, repoId: string, tag: string): Promise<Digest | undefined> {
  return (await t.get<{ digest: Digest }>('SELECT digest FROM tags WHERE repo_id = $1 AND name = $2', repoId, tag))?.digest;
}

export async function pointTag(t: Sql, repoId: string, tag: string, digest: Digest, at: Date): Promise<void> {
  await t.run(`INSERT INTO tags (repo_id, name, digest, updated_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (repo_id, name) DO UPDATE SET digest = excluded.digest, updated_at = excluded.updated_at`, repoId, tag, digest, at.getTime());
}

/** Whether nothing but this tag holds the manifest: no other tag, no index. */
async function lastHold(t: Sql, repoId: string, tag: string, digest: string): Promise<boolean> {
  return !(await t.get('SELECT 1 FROM tags WHERE repo_id = $1 AND digest = $2 AND name <> $3 LIMIT 1', repoId, digest, tag))
    && !(await t.get(`SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                      WHERE c.repo_id = $1 AND c.child_digest = $2 AND p.deleted_at IS NULL LIMIT 1`, repoId, digest));
}

export function deleteTag(
  db: Db, repository: string, tag: string, actor: Actor, at: Date, options: { policy: PinPolicy; dropUntagged: boolean; onlyId?: string },
): Promise<DeleteTagOutcome> {
  return db.tx(async (t): Promise<DeleteTagOutcome> => {
    const live = await liveRepoId(t, repository);
    const repoId = options.onlyId === undefined || live === options.onlyId ? live : undefined;
    const digest = repoId === undefined ? undefined : await tagTarget(t, repoId, tag);
    if (repoId === undefined || digest === undefined) return { kind: 'unknown' };
    if (options.dropUntagged && await lastHold(t, repoId, tag, digest) && !(await cascadeHeld(t, repoId, await cascade(t, repoId, digest)))) {
      // ECR's rule: the image goes with its last tag; the trash records the tag with it, so restore brings both back.
      const gone = await trashManifest(t, { repoId, repository, digest }, options.policy, actor, at, 'manifest.delete');
      if (gone.kind === 'pinned') return gone;
      return { kind: 'deleted', digest, manifests: gone.manifests, brokenPins: gone.brokenPins };
    }
    await t.run('INSERT INTO deleted_tags (repo_id, name, digest, deleted_at, batch) VALUES ($1, $2, $3, $4, $5)', repoId, tag, digest, at.getTime(), randomUUID());
    await t.run('DELETE FROM tags WHERE repo_id = $1 AND name = $2', repoId, tag);
    await queue.releaseManifests(t, repoId, [digest], at);
    await audit(t, actor, at, 'tag.delete', repository, tag, { digest });
    return { kind: 'deleted', digest, manifests: [], brokenPins: [] };
  });
}

/** Byte-wise lexical order (the OCI tag list order, COLLATE "C"); null when the repository does not exist. */
export async function listTags(db: Sql, repository: string, after: string | undefined, limit: number): Promise<string[] | null> {
  const repoId = await liveRepoId(db, repository);
  if (repoId === undefined) return null;
  if (limit <= 0) return [];
  return (await db.all<{ name: string }>('SELECT name FROM tags WHERE repo_id = $1 AND name > $2 ORDER BY name LIMIT $3', repoId, after ?? '', limit))
    .map((r) => r.name);
}
