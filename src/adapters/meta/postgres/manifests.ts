// Manifests with their reference index, written in the same transaction as the manifest itself, so "what uses
// this blob" and "what does this index hold" can never disagree with the stored manifests.
import { HELM_CONFIG, type Digest, type ManifestSummary, type NewManifest, type PutManifestOutcome, type StoredManifest } from '../../../core/index.ts';
import { MANIFEST_COLUMNS, toManifestSummary, type ManifestRow } from '../rows-manifests.ts';
import { toRepository } from '../rows-repositories.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';
import { ensureRepo, liveRepo } from './repo-rows.ts';
import * as queue from './review-queue.ts';
import { pointTag, tagTarget } from './tags.ts';

/** A manifest row with its body, as pg returns a BYTEA. */
type StoredRow = ManifestRow & { body: Buffer };

/** BYTEA arrives as a Buffer; the port speaks Uint8Array (a view, no copy). */
export const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

async function missingReferences(t: Sql, repoId: string | undefined, blobs: Digest[], children: Digest[]): Promise<{ blobs: Digest[]; manifests: Digest[] }> {
  if (repoId === undefined) return { blobs, manifests: children };
  const missing = { blobs: [] as Digest[], manifests: [] as Digest[] };
  for (const d of blobs) if (!(await t.get('SELECT 1 FROM repository_blobs WHERE repo_id = $1 AND digest = $2', repoId, d))) missing.blobs.push(d);
  // A trashed child counts as missing: the client pushes it again, which brings it back.
  for (const d of children) {
    if (!(await t.get('SELECT 1 FROM manifests WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL', repoId, d))) missing.manifests.push(d);
  }
  return missing;
}

/**
 * Inserts the row; a re-push (same digest, hence the same bytes) keeps pushed_at, only refreshes parsed facts that
 * changed, and takes a trashed manifest out of the trash (its references never left).
 */
async function upsertManifest(t: Sql, repoId: string, m: NewManifest): Promise<void> {
  await t.run(`INSERT INTO manifests (repo_id, digest, media_type, artifact_type, subject, annotations, size, body, pushed_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (repo_id, digest) DO UPDATE SET media_type = excluded.media_type, artifact_type = excluded.artifact_type,
          subject = excluded.subject, annotations = excluded.annotations, deleted_at = NULL, deleted_batch = NULL
        WHERE manifests.media_type IS DISTINCT FROM excluded.media_type OR manifests.artifact_type IS DISTINCT FROM excluded.artifact_type
          OR manifests.subject IS DISTINCT FROM excluded.subject OR manifests.annotations IS DISTINCT FROM excluded.annotations
          OR manifests.deleted_at IS NOT NULL`,
  repoId, m.digest, m.mediaType, m.artifactType, m.subject, m.annotations === null ? null : JSON.stringify(m.annotations),
  m.body.byteLength, m.body, m.at.getTime());
}

/** Makes the stored reference rows equal `wanted`, writing only the difference; returns the references dropped. */
async function replaceReferences(t: Sql, table: 'manifest_blobs' | 'manifest_children', repoId: string, digest: Digest, wanted: Digest[]): Promise<string[]> {
  const [from, to] = table === 'manifest_blobs' ? ['manifest_digest', 'blob_digest'] : ['parent_digest', 'child_digest'];
  const current = new Set((await t.all<{ d: string }>(`SELECT ${to} AS d FROM ${table} WHERE repo_id = $1 AND ${from} = $2`, repoId, digest)).map((r) => r.d));
  for (const d of wanted) {
    if (!current.delete(d)) await t.run(`INSERT INTO ${table} (repo_id, ${from}, ${to}) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, repoId, digest, d);
  }
  for (const d of current) await t.run(`DELETE FROM ${table} WHERE repo_id = $1 AND ${from} = $2 AND ${to} = $3`, repoId, digest, d);
  return [...current];
}

export function putManifest(db: Db, m: NewManifest): Promise<PutManifestOutcome> {
  const blobs = [...new Set(m.blobs)];
  const children = [...new Set(m.children)];
  return db.tx(async (t): Promise<PutManifestOutcome> => {
    const existing = await liveRepo(t, m.repository);
    const missing = await missingReferences(t, existing?.id, blobs, children);
    if (missing.blobs.length > 0 || missing.manifests.length > 0) return { kind: 'missing', ...missing };
    const repo = existing ?? await ensureRepo(t, m.repository, m.at);
    const previous = m.tag === null ? undefined : await tagTarget(t, repo.id, m.tag);
    if (m.tag !== null && previous !== undefined && previous !== m.digest && repo.tag_mutability === 'IMMUTABLE') {
      return { kind: 'tag-immutable', tag: m.tag, current: previous };
    }
    // A repository holding a Helm chart is a chart repository (ACR's ArtifactType HelmChart); it stays one.
    let artifactKind = repo.artifact_kind;
    if (m.artifactType === HELM_CONFIG && artifactKind !== 'helm-chart') {
      await t.run("UPDATE repositories SET artifact_kind = 'helm-chart' WHERE id = $1", repo.id);
      artifactKind = 'helm-chart';
    }
    await upsertManifest(t, repo.id, m);
    const droppedBlobs = await replaceReferences(t, 'manifest_blobs', repo.id, m.digest, blobs);
    const droppedManifests = await replaceReferences(t, 'manifest_children', repo.id, m.digest, children);
    await queue.remove(t, 'manifest', repo.id, m.digest);
    for (const b of blobs) await queue.remove(t, 'blob', '', b);
    for (const c of children) await queue.remove(t, 'manifest', repo.id, c);
    if (m.tag !== null && previous !== m.digest) {
      await pointTag(t, repo.id, m.tag, m.digest, m.at);
      if (previous !== undefined) droppedManifests.push(previous);
    }
    await queue.releaseBlobs(t, droppedBlobs, m.at);
    await queue.releaseManifests(t, repo.id, droppedManifests, m.at);
    await audit(t, m.actor, m.at, 'manifest.put', m.repository, m.digest, m.tag === null ? undefined : { tag: m.tag, previous: previous ?? null });
    return { kind: 'stored', repository: toRepository({ ...repo, artifact_kind: artifactKind }) };
  });
}

export async function getManifest(db: Sql, repository: string, ref: { tag: string } | { digest: Digest }): Promise<StoredManifest | null> {
  const row = 'tag' in ref
    ? await db.get<StoredRow>(`SELECT ${MANIFEST_COLUMNS}, m.body FROM repositories r JOIN tags t ON t.repo_id = r.id AND t.name = $1
            JOIN manifests m ON m.repo_id = r.id AND m.digest = t.digest AND m.deleted_at IS NULL
            WHERE r.name = $2 AND r.deleted_at IS NULL`, ref.tag, repository)
    : await db.get<StoredRow>(`SELECT ${MANIFEST_COLUMNS}, m.body FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.digest = $1 AND m.deleted_at IS NULL
            WHERE r.name = $2 AND r.deleted_at IS NULL`, ref.digest, repository);
  return row ? { ...toManifestSummary(row), body: bytes(row.body) } : null;
}

export async function listReferrers(db: Sql, repository: string, subject: Digest): Promise<ManifestSummary[]> {
  return (await db.all<ManifestRow>(`SELECT ${MANIFEST_COLUMNS} FROM repositories r JOIN manifests m ON m.repo_id = r.id AND m.subject = $1 AND m.deleted_at IS NULL
                WHERE r.name = $2 AND r.deleted_at IS NULL ORDER BY m.digest`, subject, repository)).map(toManifestSummary);
}

/** One transaction per batch; a time only moves forward, so batches flushed out of order never rewind it. */
export async function recordPulls(db: Db, pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): Promise<void> {
  if (pulls.length === 0) return;
  await db.tx(async (t) => {
    for (const p of pulls) {
      await t.run(`UPDATE manifests SET last_pulled_at = $1
                   WHERE repo_id = (SELECT id FROM repositories WHERE name = $2 AND deleted_at IS NULL) AND digest = $3
                     AND (last_pulled_at IS NULL OR last_pulled_at < $1)`, p.at.getTime(), p.repository, p.digest);
    }
  });
}
