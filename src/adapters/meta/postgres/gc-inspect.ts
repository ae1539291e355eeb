// What GC and fsck read without changing anything: queue and trash statistics, the blob records, the state of a
// digest found in storage, broken references and stored manifest bodies for digest checks.
import type { BlobLink, Digest, GcClock, GcStats, IntegrityIssue, StoredBody } from '../../../core/index.ts';
import type { Sql } from './db.ts';
import { bytes } from './manifests.ts';

const count = async (db: Sql, sql: string, ...args: unknown[]): Promise<number> => (await db.get<{ n: number }>(sql, ...args))!.n;

export async function gcStats(db: Sql, clock: GcClock): Promise<GcStats> {
  const released = clock.releasedBefore.getTime();
  const due = (await db.get<{ n: number; bytes: number }>(`SELECT COUNT(*) AS n, COALESCE(SUM(b.size), 0) AS bytes FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                    WHERE q.kind = 'blob' AND q.repo_id = '' AND q.released_at <= $1
                      AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)`, released))!;
  return {
    blobsQueued: await count(db, "SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'blob'"),
    blobsDue: due.n,
    bytesDue: due.bytes,
    manifestsQueued: await count(db, "SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest'"),
    manifestsDue: await count(db, "SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest' AND released_at <= $1", released),
    trashedManifests: await count(db, 'SELECT COUNT(*) AS n FROM manifests WHERE deleted_at IS NOT NULL'),
    trashDue: await count(db, 'SELECT COUNT(*) AS n FROM manifests WHERE deleted_at IS NOT NULL AND deleted_at < $1', clock.trashedBefore.getTime()),
    deletedRepositories: await count(db, 'SELECT COUNT(*) AS n FROM repositories WHERE deleted_at IS NOT NULL'),
    purging: await count(db, 'SELECT COUNT(*) AS n FROM blob_purges'),
  };
}

export function listBlobRecords(db: Sql, after: Digest | undefined, limit: number): Promise<BlobLink[]> {
  return db.all<BlobLink>('SELECT digest, size FROM blobs WHERE digest > $1 ORDER BY digest LIMIT $2', after ?? '', limit);
}

export async function blobState(db: Sql, digest: Digest): Promise<'known' | 'purging' | 'claimed' | 'unknown'> {
  if (await db.get('SELECT 1 FROM blobs WHERE digest = $1', digest)) return 'known';
  if (await db.get('SELECT 1 FROM blob_purges WHERE digest = $1', digest)) return 'purging';
  if (await db.get('SELECT 1 FROM uploads WHERE digest = $1', digest)) return 'claimed';
  return 'unknown';
}

/** Queries that must always come back empty; the foreign keys already forbid most of this, fsck double-checks. */
const CHECKS: ReadonlyArray<{ kind: IntegrityIssue['kind']; sql: string; message: string }> = [
  {
    kind: 'dangling-tag', message: 'tag points at a manifest that does not exist or is deleted',
    sql: `SELECT r.name AS repository, t.name || ' -> ' || t.digest AS target FROM tags t JOIN repositories r ON r.id = t.repo_id
          LEFT JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest WHERE m.digest IS NULL OR m.deleted_at IS NOT NULL LIMIT $1`,
  },
  {
    kind: 'dangling-blob-reference', message: 'manifest uses a blob that has no blob record',
    sql: `SELECT r.name AS repository, mb.manifest_digest || ' uses ' || mb.blob_digest AS target FROM manifest_blobs mb
          JOIN repositories r ON r.id = mb.repo_id LEFT JOIN blobs b ON b.digest = mb.blob_digest WHERE b.digest IS NULL LIMIT $1`,
  },
  {
    kind: 'missing-blob-link', message: 'manifest uses a blob its repository has no link to',
    sql: `SELECT r.name AS repository, mb.manifest_digest || ' uses ' || mb.blob_digest AS target FROM manifest_blobs mb
          JOIN repositories r ON r.id = mb.repo_id
          LEFT JOIN repository_blobs rb ON rb.repo_id = mb.repo_id AND rb.digest = mb.blob_digest WHERE rb.digest IS NULL LIMIT $1`,
  },
];

export async function integrityIssues(db: Sql, limit: number, staleBefore: Date): Promise<IntegrityIssue[]> {
  const out: IntegrityIssue[] = [];
  for (const c of CHECKS) {
    for (const r of await db.all<{ repository: string | null; target: string }>(c.sql, limit)) {
      out.push({ kind: c.kind, repository: r.repository, target: r.target, message: c.message });
    }
  }
  for (const r of await db.all<{ digest: string }>('SELECT digest FROM blob_purges WHERE started_at < $1 LIMIT $2', staleBefore.getTime(), limit)) {
    out.push({ kind: 'stale-purge', repository: null, target: r.digest, message: 'a GC purge was left unfinished (the next GC run finishes it)' });
  }
  return out.slice(0, limit);
}

/** Cursor "<repo_id> <digest>"; bodies of trashed manifests are checked too, since restore serves them again. */
export async function listManifestBodies(db: Sql, after: string | undefined, limit: number): Promise<{ items: StoredBody[]; next: string | undefined }> {
  const [repoId, digest] = after === undefined ? ['', ''] : after.split(' ');
  // The row comparison's parameters are typed: PostgreSQL infers no type for a bare parameter inside a ROW().
  const rows = await db.all<{ repo_id: string; repository: string; digest: Digest; body: Buffer }>(
    `SELECT m.repo_id, r.name AS repository, m.digest, m.body FROM manifests m JOIN repositories r ON r.id = m.repo_id
     WHERE (m.repo_id, m.digest) > ($1::text COLLATE "C", $2::text COLLATE "C") ORDER BY m.repo_id, m.digest LIMIT $3`, repoId ?? '', digest ?? '', limit);
  const last = rows.at(-1);
  return {
    items: rows.map((r) => ({ repository: r.repository, digest: r.digest, body: bytes(r.body) })),
    next: rows.length === limit && last ? `${last.repo_id} ${last.digest}` : undefined,
  };
}
