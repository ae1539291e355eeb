// The repository and tag listings of the cloud management APIs: per-page counts, sizes and times computed with
// index probes per listed repository (never a scan of the whole registry), tags joined to live manifests only.
import type { Digest, Repository, RepositoryFilter, RepositorySummary, TagDetail } from '../../../core/index.ts';
import type { Sql } from './db.ts';
import { containsPattern } from './namespaces.ts';
import { liveRepoId, toRepository, type RepoRow } from './repo-rows.ts';

interface SummaryRow extends RepoRow {
  manifests: number; tags: number; blob_bytes: number | null; last_push: number | null; last_tag: number | null; last_pull: number | null;
  last_delete: number | null; last_untag: number | null;
}

const SUMMARY = `SELECT r.id, r.name, r.artifact_kind, r.tag_mutability, r.created_at,
    (SELECT COUNT(*) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS manifests,
    (SELECT COUNT(*) FROM tags t WHERE t.repo_id = r.id) AS tags,
    (SELECT SUM(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest WHERE rb.repo_id = r.id) AS blob_bytes,
    (SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_push,
    (SELECT MAX(t.updated_at) FROM tags t WHERE t.repo_id = r.id) AS last_tag,
    (SELECT MAX(m.last_pulled_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_pull,
    (SELECT MAX(m.deleted_at) FROM manifests m WHERE m.repo_id = r.id) AS last_delete,
    (SELECT MAX(dt.deleted_at) FROM deleted_tags dt WHERE dt.repo_id = r.id) AS last_untag
  FROM repositories r WHERE r.deleted_at IS NULL`;

function toSummary(r: SummaryRow): RepositorySummary {
  return {
    ...toRepository(r),
    // Deletes count as changes too, so the time never moves backwards when the newest content goes.
    updatedAt: new Date(Math.max(r.created_at, r.last_push ?? 0, r.last_tag ?? 0, r.last_delete ?? 0, r.last_untag ?? 0)),
    manifestCount: r.manifests, tagCount: r.tags, blobBytes: r.blob_bytes ?? 0,
    lastPulledAt: r.last_pull === null ? null : new Date(r.last_pull),
  };
}

export async function listRepositorySummaries(db: Sql, f: RepositoryFilter): Promise<RepositorySummary[]> {
  if (f.limit <= 0) return [];
  const byNamespace = f.namespace !== undefined;
  const rows = await db.all<SummaryRow>(`${SUMMARY} AND ($1::int = 0 OR (r.namespace = $2 AND r.namespace <> '')) AND r.name > $3 AND r.name LIKE $4 ESCAPE '\\'
                     ORDER BY r.name LIMIT $5`, byNamespace ? 1 : 0, f.namespace ?? '', f.after ?? '', containsPattern(f.nameContains ?? ''), f.limit);
  return rows.map(toSummary);
}

export async function repositorySummary(db: Sql, name: string): Promise<RepositorySummary | null> {
  const row = await db.get<SummaryRow>(`${SUMMARY} AND r.name = $1`, name);
  return row ? toSummary(row) : null;
}

export async function findRepositoryById(db: Sql, id: string): Promise<Repository | null> {
  const row = await db.get<RepoRow>('SELECT id, name, artifact_kind, tag_mutability, created_at FROM repositories WHERE id = $1 AND deleted_at IS NULL', id);
  return row ? toRepository(row) : null;
}

interface TagRow {
  name: string; digest: string; media_type: string; artifact_type: string | null; size: number; updated_at: number; pushed_at: number; last_pulled_at: number | null;
}

const TAG_DETAIL = `SELECT t.name, t.digest, m.media_type, m.artifact_type, m.size, t.updated_at, m.pushed_at, m.last_pulled_at
  FROM tags t JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest AND m.deleted_at IS NULL WHERE t.repo_id = $1`;

function toTagDetail(r: TagRow): TagDetail {
  return {
    tag: r.name, digest: r.digest as Digest, mediaType: r.media_type, artifactType: r.artifact_type, manifestSize: r.size,
    taggedAt: new Date(r.updated_at), pushedAt: new Date(r.pushed_at), lastPulledAt: r.last_pulled_at === null ? null : new Date(r.last_pulled_at),
  };
}

export async function listTagDetails(db: Sql, repository: string, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Promise<TagDetail[] | null> {
  const repoId = await liveRepoId(db, repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  const rows = await db.all<TagRow>(`${TAG_DETAIL} AND t.name > $2 AND t.name LIKE $3 ESCAPE '\\' ORDER BY t.name LIMIT $4`,
    repoId, q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit);
  return rows.map(toTagDetail);
}

export async function findTagDetail(db: Sql, repository: string, tag: string): Promise<TagDetail | null> {
  const repoId = await liveRepoId(db, repository);
  if (repoId === undefined) return null;
  const row = await db.get<TagRow>(`${TAG_DETAIL} AND t.name = $2`, repoId, tag);
  return row ? toTagDetail(row) : null;
}
