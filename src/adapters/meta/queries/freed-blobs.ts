// The one test of "GC gets this blob's bytes back once these manifests are gone", shared by the GC dry run
// (gc-forecast.ts) and the delete preview (delete-preview.ts), so a byte figure means the same thing everywhere.
import { all, get, type Q } from '../sql/query.ts';

/** A manifest that uses a blob, with whether it is trashed and whether its repository is deleted. */
export interface BlobUser {
  repo_id: string;
  digest: string;
  deleted_at: number | null;
  repo_deleted: number | null;
}

/**
 * The blob's size when every manifest that uses it (any repository, trashed ones included) is `doomed` and no upload
 * claims it, with those users (none: no manifest used it); null when it stays (or has no row).
 */
export function* freedBlob(digest: string, doomed: (u: BlobUser) => boolean): Q<{ size: number; used: boolean; users: BlobUser[] } | null> {
  const blob = yield* get<{ size: number }>('SELECT size FROM blobs WHERE digest = $1', digest);
  if (!blob || (yield* get('SELECT 1 FROM uploads WHERE digest = $1', digest))) return null;
  const users = yield* all<BlobUser>(
    `SELECT mb.repo_id, mb.manifest_digest AS digest, m.deleted_at, r.deleted_at AS repo_deleted FROM manifest_blobs mb
     JOIN manifests m ON m.repo_id = mb.repo_id AND m.digest = mb.manifest_digest JOIN repositories r ON r.id = mb.repo_id
     WHERE mb.blob_digest = $1`,
    digest,
  );
  return users.every(doomed) ? { size: blob.size, used: users.length > 0, users } : null;
}

/** Users that no longer hold a blob by the time GC looks: their repository is deleted, or their trash window is over. */
export const purgedBefore =
  (trashedBefore: number) =>
  (u: BlobUser): boolean =>
    u.repo_deleted !== null || (u.deleted_at !== null && u.deleted_at < trashedBefore);
