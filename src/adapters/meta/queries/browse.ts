// The repository and tag listings of the cloud management APIs: per-page counts, sizes and times computed with
// index probes per listed repository (never a scan of the whole registry), tags joined to live manifests only.
import type { Digest, Repository, RepositoryFilter, RepositorySummary, TagDetail } from '../../../core/index.ts';
import { all, get, type Q, textList, traits } from '../sql/query.ts';
import { liveRepoId, REPO_COLUMNS, type RepoRow, toRepository } from './repo-rows.ts';

/** LIKE pattern for "contains", with the wildcards of the text escaped (ESCAPE '\' needs standard_conforming_strings on PostgreSQL, the default). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface SummaryRow extends RepoRow {
  manifests: number;
  tags: number;
  blob_bytes: number | null;
  last_push: number | null;
  last_tag: number | null;
  last_pull: number | null;
  last_delete: number | null;
  last_untag: number | null;
}

/** Per-repository counts, sizes and times by index probes (never a scan of the registry); callers append `AND ...`. */
export const SUMMARY = `SELECT r.id, r.name, r.artifact_kind, r.tag_mutability, r.tag_mutability_exclusions, r.created_at,
    (SELECT COUNT(*) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS manifests,
    (SELECT COUNT(*) FROM tags t WHERE t.repo_id = r.id) AS tags,
    (SELECT SUM(b.size) FROM repository_blobs rb JOIN blobs b ON b.digest = rb.digest WHERE rb.repo_id = r.id) AS blob_bytes,
    (SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_push,
    (SELECT MAX(t.updated_at) FROM tags t WHERE t.repo_id = r.id) AS last_tag,
    (SELECT MAX(m.last_pulled_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_pull,
    (SELECT MAX(m.deleted_at) FROM manifests m WHERE m.repo_id = r.id) AS last_delete,
    (SELECT MAX(dt.deleted_at) FROM deleted_tags dt WHERE dt.repo_id = r.id) AS last_untag
  FROM repositories r WHERE r.deleted_at IS NULL`;

export function toSummary(r: SummaryRow): RepositorySummary {
  return {
    ...toRepository(r),
    // Deletes count as changes too, so the time never moves backwards when the newest content goes.
    updatedAt: new Date(Math.max(r.created_at, r.last_push ?? 0, r.last_tag ?? 0, r.last_delete ?? 0, r.last_untag ?? 0)),
    manifestCount: r.manifests,
    tagCount: r.tags,
    blobBytes: r.blob_bytes ?? 0,
    lastPulledAt: r.last_pull === null ? null : new Date(r.last_pull),
  };
}

export interface TagRow {
  name: string;
  digest: string;
  media_type: string;
  artifact_type: string | null;
  size: number;
  updated_at: number;
  pushed_at: number;
  last_pulled_at: number | null;
}

/** Tags joined to live manifests only; callers append `WHERE t.repo_id = <param> ...`. */
export const TAG_DETAIL = `SELECT t.name, t.digest, m.media_type, m.artifact_type, m.size, t.updated_at, m.pushed_at, m.last_pulled_at
  FROM tags t JOIN manifests m ON m.repo_id = t.repo_id AND m.digest = t.digest AND m.deleted_at IS NULL`;

export function toTagDetail(r: TagRow): TagDetail {
  return {
    tag: r.name,
    digest: r.digest as Digest,
    mediaType: r.media_type,
    artifactType: r.artifact_type,
    manifestSize: r.size,
    taggedAt: new Date(r.updated_at),
    pushedAt: new Date(r.pushed_at),
    lastPulledAt: r.last_pulled_at === null ? null : new Date(r.last_pulled_at),
  };
}

export function* listRepositorySummaries(f: RepositoryFilter): Q<RepositorySummary[]> {
  if (f.limit <= 0) return [];
  const byNamespace = f.namespace !== undefined;
  const rows = yield* all<SummaryRow>(
    `${SUMMARY} AND (CAST($1 AS INTEGER) = 0 OR (r.namespace = $2 AND r.namespace <> '')) AND r.name > $3 AND r.name LIKE $4 ESCAPE '\\'
                     ORDER BY r.name LIMIT $5`,
    byNamespace ? 1 : 0,
    f.namespace ?? '',
    f.after ?? '',
    containsPattern(f.nameContains ?? ''),
    f.limit,
  );
  return rows.map(toSummary);
}

export function* repositorySummary(name: string): Q<RepositorySummary | null> {
  const row = yield* get<SummaryRow>(`${SUMMARY} AND r.name = $1`, name);
  return row ? toSummary(row) : null;
}

/** The live ones of `names` with their summaries, in one statement whatever their number (a listing page). */
export function* repositorySummaries(names: readonly string[]): Q<Map<string, RepositorySummary>> {
  if (names.length === 0) return new Map();
  const rows = yield* all<SummaryRow>(`${SUMMARY} AND ${(yield* traits()).inList('r.name', '$1')}`, textList(names));
  return new Map(rows.map((r) => [r.name, toSummary(r)]));
}

export function* findRepositoryById(id: string): Q<Repository | null> {
  const row = yield* get<RepoRow>(`SELECT ${REPO_COLUMNS} FROM repositories WHERE id = $1 AND deleted_at IS NULL`, id);
  return row ? toRepository(row) : null;
}

export function* listTagDetails(
  repository: string,
  q: { after?: string | undefined; nameContains?: string | undefined; limit: number },
): Q<TagDetail[] | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  const rows = yield* all<TagRow>(
    `${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name > $2 AND t.name LIKE $3 ESCAPE '\\' ORDER BY t.name LIMIT $4`,
    repoId,
    q.after ?? '',
    containsPattern(q.nameContains ?? ''),
    q.limit,
  );
  return rows.map(toTagDetail);
}

export function* findTagDetail(repository: string, tag: string): Q<TagDetail | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  const row = yield* get<TagRow>(`${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name = $2`, repoId, tag);
  return row ? toTagDetail(row) : null;
}
