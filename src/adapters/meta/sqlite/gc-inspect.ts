// What GC and fsck read without changing anything: queue and trash statistics, the blob records, the state of a
// digest found in storage, broken references and stored manifest bodies for digest checks.
import type { BlobLink, Digest, GcClock, GcStats, IntegrityIssue, StoredBody } from '../../../core/index.ts';
import type { Db } from './db.ts';

const count = (db: Db, sql: string, ...args: unknown[]): number => (db.q(sql).get(...args) as { n: number }).n;

export function gcStats(db: Db, clock: GcClock): GcStats {
  const released = clock.releasedBefore.getTime();
  const due = db.q(`SELECT COUNT(*) AS n, COALESCE(SUM(b.size), 0) AS bytes FROM gc_review_queue q JOIN blobs b ON b.digest = q.digest
                    WHERE q.kind = 'blob' AND q.repo_id = '' AND q.released_at <= ?
                      AND NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)`).get(released) as { n: number; bytes: number };
  return {
    blobsQueued: count(db, "SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'blob'"),
    blobsDue: due.n,
    bytesDue: due.bytes,
    manifestsQueued: count(db, "SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest'"),
    manifestsDue: count(db, "SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest' AND released_at <= ?", released),
    trashedManifests: count(db, 'SELECT COUNT(*) AS n FROM manifests WHERE deleted_at IS NOT NULL'),
    trashDue: count(db, 'SELECT COUNT(*) AS n FROM manifests WHERE deleted_at IS NOT NULL AND deleted_at < ?', clock.trashedBefore.getTime()),
    deletedRepositories: count(db, 'SELECT COUNT(*) AS n FROM repositories WHERE deleted_at IS NOT NULL'),
    purging: count(db, 'SELECT COUNT(*) AS n FROM blob_purges'),
  };
}

export function listBlobRecords(db: Db, after: Digest | undefined, limit: number): BlobLink[] {
  return db.q('SELECT digest, size FROM blobs WHERE digest > ? ORDER BY digest LIMIT ?').all(after ?? '', limit) as BlobLink[];
}

export function blobState(db: Db, digest: Digest): 'known' | 'purging' | 'claimed' | 'unknown' {
  if (db.q('SELECT 1 FROM blobs WHERE digest = ?').get(digest)) return 'known';
  if (db.q('SELECT 1 FROM blob_purges WHERE digest = ?').get(digest)) return 'purging';
  if (db.q('SELECT 1 FROM uploads WHERE digest = ?').get(digest)) return 'claimed';
  return 'unknown';
}

/** Queries that must always come back empty; the foreign keys already forbid most of this, fsck double-checks. */
const CHECKS: ReadonlyArray<{ kind: IntegrityIssue['kind']; sql: string; message: string }> = [
  {
    kind: 'dangling-tag', message: 'tag points at a manifest that does not exist or is deleted',
    sql: `SELECT r.name AS repository, t.name || ' -> ' || t.digest AS target FROM tags t JOIN repositories r ON r.id = t.repo_id
          LEFT JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest WHERE m.digest IS NULL OR m.deleted_at IS NOT NULL LIMIT ?`,
  },
  {
    kind: 'dangling-blob-reference', message: 'manifest uses a blob that has no blob record',
    sql: `SELECT r.name AS repository, mb.manifest_digest || ' uses ' || mb.blob_digest AS target FROM manifest_blobs mb
          JOIN repositories r ON r.id = mb.repo_id LEFT JOIN blobs b ON b.digest = mb.blob_digest WHERE b.digest IS NULL LIMIT ?`,
  },
  {
    kind: 'missing-blob-link', message: 'manifest uses a blob its repository has no link to',
    sql: `SELECT r.name AS repository, mb.manifest_digest || ' uses ' || mb.blob_digest AS target FROM manifest_blobs mb
          JOIN repositories r ON r.id = mb.repo_id
          LEFT JOIN repository_blobs rb ON rb.repo_id = mb.repo_id AND rb.digest = mb.blob_digest WHERE rb.digest IS NULL LIMIT ?`,
  },
];

export function integrityIssues(db: Db, limit: number, staleBefore: Date): IntegrityIssue[] {
  const out: IntegrityIssue[] = [];
  for (const c of CHECKS) {
    for (const r of db.q(c.sql).all(limit) as Array<{ repository: string | null; target: string }>) {
      out.push({ kind: c.kind, repository: r.repository, target: r.target, message: c.message });
    }
  }
  for (const r of db.q('SELECT digest FROM blob_purges WHERE started_at < ? LIMIT ?').all(staleBefore.getTime(), limit) as Array<{ digest: string }>) {
    out.push({ kind: 'stale-purge', repository: null, target: r.digest, message: 'a GC purge was left unfinished (the next GC run finishes it)' });
  }
  return out.slice(0, limit);
}

/** Cursor "<repo_id> <digest>"; bodies of trashed manifests are checked too, since restore serves them again. */
export function listManifestBodies(db: Db, after: string | undefined, limit: number): { items: StoredBody[]; next: string | undefined } {
  const [repoId, digest] = after === undefined ? ['', ''] : after.split(' ');
  const rows = db.q(`SELECT m.repo_id, r.name AS repository, m.digest, m.body FROM manifests m JOIN repositories r ON r.id = m.repo_id
                     WHERE (m.repo_id, m.digest) > (?, ?) ORDER BY m.repo_id, m.digest LIMIT ?`)
    .all(repoId ?? '', digest ?? '', limit) as Array<{ repo_id: string; repository: string; digest: Digest; body: Uint8Array }>;
  const last = rows.at(-1);
  return {
    items: rows.map((r) => ({ repository: r.repository, digest: r.digest, body: r.body })),
    next: rows.length === limit && last ? `${last.repo_id} ${last.digest}` : undefined,
  };
}
