// What GC and fsck read without changing anything: queue and trash statistics, the blob records, the state of a
// digest found in storage, broken references and stored manifest bodies for digest checks.
import type { BlobLink, Digest, GcClock, GcStats, IntegrityIssue, StoredBody } from '../../../core/index.ts';
import { all, get, type Q, traits } from '../sql/query.ts';
import { bytes } from './manifests.ts';

function* count(sql: string, ...args: unknown[]): Q<number> {
  return (yield* get<{ n: number }>(sql, ...args))!.n;
}

export function* gcStats(clock: GcClock): Q<GcStats> {
  const released = clock.releasedBefore.getTime();
  const due = (yield* get<{ n: number; bytes: number }>(
    `SELECT COUNT(*) AS n, COALESCE(SUM(b.size), 0) AS bytes FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                    WHERE q.kind = 'blob' AND q.repo_id = '' AND q.released_at <= $1
                      AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)`,
    released,
  ))!;
  return {
    blobsQueued: yield* count("SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'blob'"),
    blobsDue: due.n,
    bytesDue: due.bytes,
    manifestsQueued: yield* count("SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest'"),
    manifestsDue: yield* count("SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest' AND released_at <= $1", released),
    trashedManifests: yield* count('SELECT COUNT(*) AS n FROM manifests WHERE deleted_at IS NOT NULL'),
    trashDue: yield* count('SELECT COUNT(*) AS n FROM manifests WHERE deleted_at IS NOT NULL AND deleted_at < $1', clock.trashedBefore.getTime()),
    deletedRepositories: yield* count('SELECT COUNT(*) AS n FROM repositories WHERE deleted_at IS NOT NULL'),
    purging: yield* count('SELECT COUNT(*) AS n FROM blob_purges'),
  };
}

export function* listBlobRecords(after: Digest | undefined, limit: number): Q<BlobLink[]> {
  return yield* all<BlobLink>('SELECT digest, size FROM blobs WHERE digest > $1 ORDER BY digest LIMIT $2', after ?? '', limit);
}

export function* blobState(digest: Digest): Q<'known' | 'purging' | 'claimed' | 'unknown'> {
  if (yield* get('SELECT 1 FROM blobs WHERE digest = $1', digest)) return 'known';
  if (yield* get('SELECT 1 FROM blob_purges WHERE digest = $1', digest)) return 'purging';
  if (yield* get('SELECT 1 FROM uploads WHERE digest = $1', digest)) return 'claimed';
  return 'unknown';
}

/** Queries that must always come back empty; the foreign keys already forbid most of this, fsck double-checks. */
const CHECKS: ReadonlyArray<{ kind: IntegrityIssue['kind']; sql: string; message: string }> = [
  {
    kind: 'dangling-tag',
    message: 'tag points at a manifest that does not exist or is deleted',
    sql: `SELECT r.name AS repository, t.name || ' -> ' || t.digest AS target FROM tags t JOIN repositories r ON r.id = t.repo_id
          LEFT JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest WHERE m.digest IS NULL OR m.deleted_at IS NOT NULL LIMIT $1`,
  },
  {
    kind: 'dangling-blob-reference',
    message: 'manifest uses a blob that has no blob record',
    sql: `SELECT r.name AS repository, mb.manifest_digest || ' uses ' || mb.blob_digest AS target FROM manifest_blobs mb
          JOIN repositories r ON r.id = mb.repo_id LEFT JOIN blobs b ON b.digest = mb.blob_digest WHERE b.digest IS NULL LIMIT $1`,
  },
  {
    kind: 'missing-blob-link',
    message: 'manifest uses a blob its repository has no link to',
    sql: `SELECT r.name AS repository, mb.manifest_digest || ' uses ' || mb.blob_digest AS target FROM manifest_blobs mb
          JOIN repositories r ON r.id = mb.repo_id
          LEFT JOIN repository_blobs rb ON rb.repo_id = mb.repo_id AND rb.digest = mb.blob_digest WHERE rb.digest IS NULL LIMIT $1`,
  },
];

export function* integrityIssues(limit: number, staleBefore: Date): Q<IntegrityIssue[]> {
  const out: IntegrityIssue[] = [];
  for (const c of CHECKS) {
    for (const r of yield* all<{ repository: string | null; target: string }>(c.sql, limit)) {
      out.push({ kind: c.kind, repository: r.repository, target: r.target, message: c.message });
    }
  }
  for (const r of yield* all<{ digest: string }>('SELECT digest FROM blob_purges WHERE started_at < $1 LIMIT $2', staleBefore.getTime(), limit)) {
    out.push({ kind: 'stale-purge', repository: null, target: r.digest, message: 'a GC purge was left unfinished (the next GC run finishes it)' });
  }
  return out.slice(0, limit);
}

/** Cursor "<repo_id> <digest>"; bodies of trashed manifests are checked too, since restore serves them again. */
export function* listManifestBodies(after: string | undefined, limit: number): Q<{ items: StoredBody[]; next: string | undefined }> {
  const [repoId, digest] = after === undefined ? ['', ''] : after.split(' ');
  const e = yield* traits();
  // The row comparison's parameters are typed: PostgreSQL infers no type (nor the byte-wise collation) for a bare parameter inside a ROW().
  const rows = yield* all<{ repo_id: string; repository: string; digest: Digest; body: Buffer }>(
    `SELECT m.repo_id, r.name AS repository, m.digest, m.body FROM manifests m JOIN repositories r ON r.id = m.repo_id
     WHERE (m.repo_id, m.digest) > (${e.textParam('$1')}, ${e.textParam('$2')}) ORDER BY m.repo_id, m.digest LIMIT $3`,
    repoId ?? '',
    digest ?? '',
    limit,
  );
  const last = rows.at(-1);
  return {
    items: rows.map((r) => ({ repository: r.repository, digest: r.digest, body: bytes(r.body) })),
    next: rows.length === limit && last ? `${last.repo_id} ${last.digest}` : undefined,
  };
}
