// Blob links: which repository may see which blob. A new link (upload or mount) restarts the blob's grace period
// (or takes it off the queue when a manifest uses it); unlinking is refused while a manifest of the repository still
// uses the blob; deleted manifests that still need it give up their restorability instead.
import type { Actor, BlobLink, Digest, UnlinkOutcome } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { purgeManifestRows } from './manifest-delete.ts';
import { ensureRepo, liveRepoId } from './repo-rows.ts';
import * as queue from './review-queue.ts';
import { lockTouched } from './row-locks.ts';
import { deleteUpload } from './uploads.ts';

/** How many users a 'referenced' answer names; enough to act on, bounded so the answer stays small. */
const MAX_USERS = 100;

export function* findBlob(repository: string, digest: Digest): Q<BlobLink | null> {
  const row = yield* get<{ size: number }>(
    `SELECT b.size AS size FROM repositories r
                    JOIN repository_blobs rb ON rb.repo_id = r.id AND rb.digest = $1
                    JOIN blobs b ON b.digest = rb.digest
                    WHERE r.name = $2 AND r.deleted_at IS NULL`,
    digest,
    repository,
  );
  return row ? { digest, size: row.size } : null;
}

function* link(repository: string, blob: BlobLink, at: Date): Q<void> {
  const repo = yield* ensureRepo(repository, at);
  yield* run('INSERT INTO blobs (digest, size, created_at) VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING', blob.digest, blob.size, at.getTime());
  yield* run(
    'INSERT INTO repository_blobs (repo_id, digest, linked_at) VALUES ($1, $2, $3) ON CONFLICT (repo_id, digest) DO NOTHING',
    repo.id,
    blob.digest,
    at.getTime(),
  );
  yield* queue.linked(blob.digest, at);
}

export function* linkBlob(repository: string, blob: BlobLink, at: Date, closing?: string): Q<void> {
  yield* lockTouched({ repositories: [repository], digests: [blob.digest] });
  yield* link(repository, blob, at);
  // The finished upload's session goes with the link: its claim protected the bytes until now.
  if (closing !== undefined) yield* deleteUpload(closing);
}

export function* mountBlob(from: string, to: string, digest: Digest, at: Date): Q<BlobLink | null> {
  // The digest before the lookup: a purge of it either finished (no link found) or waits until this commits.
  yield* lockTouched({ repositories: [to], digests: [digest] });
  const found = yield* findBlob(from, digest);
  if (found) yield* link(to, found, at);
  return found;
}

export function* unlinkBlob(repository: string, digest: Digest, actor: Actor, at: Date): Q<UnlinkOutcome> {
  const repoId = yield* liveRepoId(repository);
  if (!repoId || !(yield* get('SELECT 1 FROM repository_blobs WHERE repo_id = $1 AND digest = $2', repoId, digest))) return { kind: 'unknown' };
  const users = yield* all<{ d: Digest; deleted_at: number | null }>(
    `SELECT mb.manifest_digest AS d, m.deleted_at AS deleted_at FROM manifest_blobs mb
                      JOIN manifests m ON m.repo_id = mb.repo_id AND m.digest = mb.manifest_digest
                      WHERE mb.repo_id = $1 AND mb.blob_digest = $2 ORDER BY m.deleted_at IS NOT NULL, mb.manifest_digest`,
    repoId,
    digest,
  );
  const live = users.filter((u) => u.deleted_at === null);
  if (live.length > 0) return { kind: 'referenced', by: live.slice(0, MAX_USERS).map((u) => u.d) };
  // Only deleted (trashed) manifests need it: the client is cleaning up after its own delete, as the OCI content
  // management flow does, so those manifests can no longer be restored and go for good now.
  const trashed = users.map((u) => u.d);
  if (trashed.length > 0) {
    const held = yield* purgeManifestRows(repoId, trashed);
    held.blobs.delete(digest);
    yield* queue.releaseBlobs(held.blobs, at);
    yield* queue.releaseManifests(repoId, held.children, at);
  }
  yield* run('DELETE FROM repository_blobs WHERE repo_id = $1 AND digest = $2', repoId, digest);
  yield* queue.releaseBlobs([digest], at);
  yield* audit(actor, at, 'blob.delete', repository, digest, trashed.length > 0 ? { purgedManifests: trashed } : undefined);
  return { kind: 'unlinked' };
}
