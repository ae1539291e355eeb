// Blob links: which repository may see which blob. A new link (upload or mount) restarts the blob's grace period
// (or takes it off the queue when a manifest uses it); unlinking is refused while a manifest of the repository still
// uses the blob; deleted manifests that still need it give up their restorability instead.
import type { Actor, BlobLink, Digest, UnlinkOutcome } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';
import { purgeManifestRows } from './manifest-delete.ts';
import { ensureRepo, liveRepoId } from './repo-rows.ts';
import * as queue from './review-queue.ts';

/** How many users a 'referenced' answer names; enough to act on, bounded so the answer stays small. */
const MAX_USERS = 100;

export async function findBlob(db: Sql, repository: string, digest: Digest): Promise<BlobLink | null> {
  const row = await db.get<{ size: number }>(`SELECT b.size AS size FROM repositories r
                    JOIN repository_blobs rb ON rb.repo_id = r.id AND rb.digest = $1
                    JOIN blobs b ON b.digest = rb.digest
                    WHERE r.name = $2 AND r.deleted_at IS NULL`, digest, repository);
  return row ? { digest, size: row.size } : null;
}

async function link(t: Sql, repository: string, blob: BlobLink, at: Date): Promise<void> {
  const repo = await ensureRepo(t, repository, at);
  await t.run('INSERT INTO blobs (digest, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING', blob.digest, blob.size, at.getTime());
  await t.run('INSERT INTO repository_blobs (repo_id, digest, linked_at) VALUES ($1, $2, $3) ON CONFLICT (repo_id, digest) DO NOTHING',
    repo.id, blob.digest, at.getTime());
  await queue.linked(t, blob.digest, at);
}

export function linkBlob(db: Db, repository: string, blob: BlobLink, at: Date): Promise<void> {
  return db.tx((t) => link(t, repository, blob, at));
}

export function mountBlob(db: Db, from: string, to: string, digest: Digest, at: Date): Promise<BlobLink | null> {
  return db.tx(async (t) => {
    const found = await findBlob(t, from, digest);
    if (found) await link(t, to, found, at);
    return found;
  });
}

export function unlinkBlob(db: Db, repository: string, digest: Digest, actor: Actor, at: Date): Promise<UnlinkOutcome> {
  return db.tx(async (t): Promise<UnlinkOutcome> => {
    const repoId = await liveRepoId(t, repository);
    if (!repoId || !(await t.get('SELECT 1 FROM repository_blobs WHERE repo_id = $1 AND digest = $2', repoId, digest))) return { kind: 'unknown' };
    const users = await t.all<{ d: Digest; deleted_at: number | null }>(`SELECT mb.manifest_digest AS d, m.deleted_at AS deleted_at FROM manifest_blobs mb
                        JOIN manifests m ON m.repo_id = mb.repo_id AND m.digest = mb.manifest_digest
                        WHERE mb.repo_id = $1 AND mb.blob_digest = $2 ORDER BY m.deleted_at IS NOT NULL, mb.manifest_digest`, repoId, digest);
    const live = users.filter((u) => u.deleted_at === null);
    if (live.length > 0) return { kind: 'referenced', by: live.slice(0, MAX_USERS).map((u) => u.d) };
    // Only deleted (trashed) manifests need it: the client is cleaning up after its own delete, as the OCI content
    // management flow does, so those manifests can no longer be restored and go for good now.
    const trashed = users.map((u) => u.d);
    if (trashed.length > 0) {
      const held = await purgeManifestRows(t, repoId, trashed);
      held.blobs.delete(digest);
      await queue.releaseBlobs(t, held.blobs, at);
      await queue.releaseManifests(t, repoId, held.children, at);
    }
    await t.run('DELETE FROM repository_blobs WHERE repo_id = $1 AND digest = $2', repoId, digest);
    await queue.releaseBlobs(t, [digest], at);
    await audit(t, actor, at, 'blob.delete', repository, digest, trashed.length > 0 ? { purgedManifests: trashed } : undefined);
    return { kind: 'unlinked' };
  });
}
