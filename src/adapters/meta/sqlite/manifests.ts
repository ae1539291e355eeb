// Manifests with their reference index, written in the same transaction as the manifest itself, so "what uses
// this blob" and "what does this index hold" can never disagree with the stored manifests.
import { HELM_CONFIG, type Digest, type ManifestSummary, type NewManifest, type PutManifestOutcome, type StoredManifest } from '../../../core/index.ts';
import { MANIFEST_COLUMNS, toManifestSummary, type ManifestRow } from '../rows-manifests.ts';
import { toRepository } from '../rows-repositories.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { ensureRepo, liveRepo } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';
import { pointTag, tagTarget } from './tags.ts';

function missingReferences(db: Db, repoId: string | undefined, blobs: Digest[], children: Digest[]): { blobs: Digest[]; manifests: Digest[] } {
  if (repoId === undefined) return { blobs, manifests: children };
  const hasBlob = db.q('SELECT 1 FROM repository_blobs WHERE repo_id = ? AND digest = ?');
  // A trashed child counts as missing: the client pushes it again, which brings it back.
  const hasManifest = db.q('SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ? AND deleted_at IS NULL');
  return { blobs: blobs.filter((d) => !hasBlob.get(repoId, d)), manifests: children.filter((d) => !hasManifest.get(repoId, d)) };
}

/**
 * Inserts the row; a re-push (same digest, hence the same bytes) keeps pushed_at, only refreshes parsed facts that
 * changed, and takes a trashed manifest out of the trash (its references never left).
 */
function upsertManifest(db: Db, repoId: string, m: NewManifest): void {
  db.q(`INSERT INTO manifests (repo_id, digest, media_type, artifact_type, subject, annotations, size, body, pushed_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (repo_id, digest) DO UPDATE SET media_type = excluded.media_type, artifact_type = excluded.artifact_type,
          subject = excluded.subject, annotations = excluded.annotations, deleted_at = NULL, deleted_batch = NULL
        WHERE manifests.media_type IS DISTINCT FROM excluded.media_type OR manifests.artifact_type IS DISTINCT FROM excluded.artifact_type
          OR manifests.subject IS DISTINCT FROM excluded.subject OR manifests.annotations IS DISTINCT FROM excluded.annotations
          OR manifests.deleted_at IS NOT NULL`)
    .run(repoId, m.digest, m.mediaType, m.artifactType, m.subject, m.annotations === null ? null : JSON.stringify(m.annotations),
      m.body.byteLength, m.body, m.at.getTime());
}

/** Makes the stored reference rows equal `wanted`, writing only the difference; returns the references dropped. */
function replaceReferences(db: Db, table: 'manifest_blobs' | 'manifest_children', repoId: string, digest: Digest, wanted: Digest[]): string[] {
  const [from, to] = table === 'manifest_blobs' ? ['manifest_digest', 'blob_digest'] : ['parent_digest', 'child_digest'];
  const current = new Set((db.q(`SELECT ${to} AS d FROM ${table} WHERE repo_id = ? AND ${from} = ?`).all(repoId, digest) as Array<{ d: string }>).map((r) => r.d));
  const insert = db.q(`INSERT INTO ${table} (repo_id, ${from}, ${to}) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`);
  for (const d of wanted) if (!current.delete(d)) insert.run(repoId, digest, d);
  const remove = db.q(`DELETE FROM ${table} WHERE repo_id = ? AND ${from} = ? AND ${to} = ?`);
  for (const d of current) remove.run(repoId, digest, d);
  return [...current];
}

export function putManifest(db: Db, queue: ReviewQueue, m: NewManifest): PutManifestOutcome {
  const blobs = [...new Set(m.blobs)];
  const children = [...new Set(m.children)];
  return db.tx((): PutManifestOutcome => {
    const existing = liveRepo(db, m.repository);
    const missing = missingReferences(db, existing?.id, blobs, children);
    if (missing.blobs.length > 0 || missing.manifests.length > 0) return { kind: 'missing', ...missing };
    const repo = existing ?? ensureRepo(db, m.repository, m.at);
    const previous = m.tag === null ? undefined : tagTarget(db, repo.id, m.tag);
    if (m.tag !== null && previous !== undefined && previous !== m.digest && repo.tag_mutability === 'IMMUTABLE') {
      return { kind: 'tag-immutable', tag: m.tag, current: previous };
    }
    // A repository holding a Helm chart is a chart repository (ACR's ArtifactType HelmChart); it stays one.
    if (m.artifactType === HELM_CONFIG && repo.artifact_kind !== 'helm-chart') {
      db.q("UPDATE repositories SET artifact_kind = 'helm-chart' WHERE id = ?").run(repo.id);
      repo.artifact_kind = 'helm-chart';
    }
    upsertManifest(db, repo.id, m);
    const droppedBlobs = replaceReferences(db, 'manifest_blobs', repo.id, m.digest, blobs);
    const droppedManifests = replaceReferences(db, 'manifest_children', repo.id, m.digest, children);
    queue.remove('manifest', repo.id, m.digest);
    for (const b of blobs) queue.remove('blob', '', b);
    for (const c of children) queue.remove('manifest', repo.id, c);
    if (m.tag !== null && previous !== m.digest) {
      pointTag(db, repo.id, m.tag, m.digest, m.at);
      if (previous !== undefined) droppedManifests.push(previous);
    }
    queue.releaseBlobs(droppedBlobs, m.at);
    queue.releaseManifests(repo.id, droppedManifests, m.at);
    audit(db, m.actor, m.at, 'manifest.put', m.repository, m.digest, m.tag === null ? undefined : { tag: m.tag, previous: previous ?? null });
    return { kind: 'stored', repository: toRepository(repo) };
  });
}

/** A manifest row with its body, as better-sqlite3 returns a BLOB. */
type StoredRow = ManifestRow & { body: Uint8Array };

export function getManifest(db: Db, repository: string, ref: { tag: string } | { digest: Digest }): StoredManifest | null {
  const row = ('tag' in ref
    ? db.q(`SELECT ${MANIFEST_COLUMNS}, m.body FROM repositories r JOIN tags t ON t.repo_id = r.id AND t.name = ?
            JOIN manifests m ON m.repo_id = r.id AND m.digest = t.digest AND m.deleted_at IS NULL
            WHERE r.name = ? AND r.deleted_at IS NULL`).get(ref.tag, repository)
    : db.q(`SELECT ${MANIFEST_COLUMNS}, m.body FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.digest = ? AND m.deleted_at IS NULL
            WHERE r.name = ? AND r.deleted_at IS NULL`).get(ref.digest, repository)) as StoredRow | undefined;
  return row ? { ...toManifestSummary(row), body: row.body } : null;
}

export function listReferrers(db: Db, repository: string, subject: Digest): ManifestSummary[] {
  return (db.q(`SELECT ${MANIFEST_COLUMNS} FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.subject = ? AND m.deleted_at IS NULL
                WHERE r.name = ? AND r.deleted_at IS NULL ORDER BY m.digest`).all(subject, repository) as ManifestRow[]).map(toManifestSummary);
}

/** One transaction per batch; a time only moves forward, so batches flushed out of order never rewind it. */
export function recordPulls(db: Db, pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): void {
  if (pulls.length === 0) return;
  db.tx(() => {
    const update = db.q(`UPDATE manifests SET last_pulled_at = ?
                         WHERE repo_id = (SELECT id FROM repositories WHERE name = ? AND deleted_at IS NULL) AND digest = ?
                           AND (last_pulled_at IS NULL OR last_pulled_at < ?)`);
    for (const p of pulls) update.run(p.at.getTime(), p.repository, p.digest, p.at.getTime());
  });
}
