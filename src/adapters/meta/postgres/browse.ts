// The repository and tag listings of the cloud management APIs: per-page counts, sizes and times computed with
// index probes per listed repository (never a scan of the whole registry), tags joined to live manifests only.
import type { Digest, Repository, RepositoryFilter, RepositorySummary, TagDetail } from '../../../core/index.ts';
import { containsPattern } from '../like-pattern.ts';
import { SUMMARY, TAG_DETAIL, toSummary, toTagDetail, type SummaryRow, type TagRow } from '../rows-browse.ts';
import { REPO_COLUMNS, toRepository, type RepoRow } from '../rows-repositories.ts';
import type { Sql } from './db.ts';
import { liveRepoId } from './repo-rows.ts';

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
  const row = await db.get<RepoRow>(`SELECT ${REPO_COLUMNS} FROM repositories WHERE id = $1 AND deleted_at IS NULL`, id);
  return row ? toRepository(row) : null;
}

export async function listTagDetails(db: Sql, repository: string, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Promise<TagDetail[] | null> {
  const repoId = await liveRepoId(db, repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  const rows = await db.all<TagRow>(`${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name > $2 AND t.name LIKE $3 ESCAPE '\\' ORDER BY t.name LIMIT $4`,
    repoId, q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit);
  return rows.map(toTagDetail);
}

export async function findTagDetail(db: Sql, repository: string, tag: string): Promise<TagDetail | null> {
  const repoId = await liveRepoId(db, repository);
  if (repoId === undefined) return null;
  const row = await db.get<TagRow>(`${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name = $2`, repoId, tag);
  return row ? toTagDetail(row) : null;
}
