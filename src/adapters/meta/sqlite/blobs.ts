// Blob links: which repository may see which blob. A new link (upload or mount) restarts the blob's grace period
// (or takes it off the queue when a manifest uses it); unlinking is refused while a manifest of the repository still
// uses the blob; deleted manifests that still need it give up their restorability instead.
import type { Actor, BlobLink, Digest, UnlinkOutcome } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { purgeManifestRows } from './manifest-delete.ts';
import { ensureRepo, liveRepoId } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';

/** How many users a 'referenced' answer names; enough to act on, bounded so the answer stays small. */
const MAX_USERS = 100;

export function findBlob(db: Db, repository: string, digest: Digest): BlobLink | null {
  const row = db.q(`SELECT b.size AS size FROM repositories r
                    JOIN repository_blobs rb ON rb.repo_id = r.id AND rb.digest = ?
                    JOIN blobs b ON b.digest = rb.digest
                    WHERE r.name = ? AND r.deleted_at IS NULL`).get(digest, repository) as { size: number } | undefined;
  return row ? { digest, size: row.size } : null;
}

function link(db: Db, queue: ReviewQueue, repository: string, blob: BlobLink, at: Date): void {
  const repo = ensureRepo(db, repository, at);
  db.q('INSERT INTO blobs (digest, size, created_at) VALUES (?, ?, ?) ON CONFLICT (digest) DO NOTHING').run(blob.digest, blob.size, at.getTime());
  db.q('INSERT INTO repository_blobs (repo_id, digest, linked_at) VALUES (?, ?, ?) ON CONFLICT (repo_id, digest) DO NOTHING')
    .run(repo.id, blob.digest, at.getTime());
  queue.linked(blob.digest, at);
}

export function linkBlob(db: Db, queue: ReviewQueue, repository: string, blob: BlobLink, at: Date): void {
  db.tx(() => link(db, queue, repository, blob, at));
}

export function mountBlob(db: Db, queue: ReviewQueue, from: string, to: string, digest: Digest, at: Date): BlobLink | null {
  return db.tx(() => {
    const found = findBlob(db, from, digest);
    if (found) link(db, queue, to, found, at);
    return found;
  });
}

export function unlinkBlob(db: Db, queue: ReviewQueue, repository: string, digest: Digest, actor: Actor, at: Date): UnlinkOutcome {
  return db.tx((): UnlinkOutcome => {
    const repoId = liveRepoId(db, repository);
    if (!repoId || !db.q('SELECT 1 FROM repository_blobs WHERE repo_id = ? AND digest = ?').get(repoId, digest)) return { kind: 'unknown' };
    const users = db.q(`SELECT mb.manifest_digest AS d, m.deleted_at AS deleted_at FROM manifest_blobs mb
                        JOIN manifests m ON m.repo_id = mb.repo_id AND m.digest = mb.manifest_digest
                        WHERE mb.repo_id = ? AND mb.blob_digest = ? ORDER BY m.deleted_at IS NOT NULL, mb.manifest_digest`)
      .all(repoId, digest) as Array<{ d: Digest; deleted_at: number | null }>;
    const live = users.filter((u) => u.deleted_at === null);
    if (live.length > 0) return { kind: 'referenced', by: live.slice(0, MAX_USERS).map((u) => u.d) };
    // Only deleted (trashed) manifests need it: the client is cleaning up after its own delete, as the OCI content
    // management flow does, so those manifests can no longer be restored and go for good now.
    const trashed = users.map((u) => u.d);
    if (trashed.length > 0) {
      const held = purgeManifestRows(db, repoId, trashed);
      held.blobs.delete(digest);
      queue.releaseBlobs(held.blobs, at);
      queue.releaseManifests(repoId, held.children, at);
    }
    db.q('DELETE FROM repository_blobs WHERE repo_id = ? AND digest = ?').run(repoId, digest);
    queue.releaseBlobs([digest], at);
    audit(db, actor, at, 'blob.delete', repository, digest, trashed.length > 0 ? { purgedManifests: trashed } : undefined);
    return { kind: 'unlinked' };
  });
}
