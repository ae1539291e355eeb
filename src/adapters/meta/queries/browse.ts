// The repository and tag listings of the cloud management APIs: per-page counts, sizes and times computed with
// index probes per listed repository (never a scan of the whole registry), tags joined to live manifests only.
import type { Digest, Repository, RepositoryFilter, RepositorySummary, TagDetail } from '../../../core/index.ts';
import { containsPattern } from '../like-pattern.ts';
import { SUMMARY, TAG_DETAIL, toSummary, toTagDetail, type SummaryRow, type TagRow } from '../rows-browse.ts';
import { REPO_COLUMNS, toRepository, type RepoRow } from '../rows-repositories.ts';
import { liveRepoId } from './repo-rows.ts';
import { all, get, run, traits, type Q } from '../sql/query.ts';

export function* listRepositorySummaries(f: RepositoryFilter): Q<RepositorySummary[]> {
  if (f.limit <= 0) return [];
  const byNamespace = f.namespace !== undefined;
  const rows = yield* all<SummaryRow>(`${SUMMARY} AND (CAST($1 AS INTEGER) = 0 OR (r.namespace = $2 AND r.namespace <> '')) AND r.name > $3 AND r.name LIKE $4 ESCAPE '\\'
                     ORDER BY r.name LIMIT $5`, byNamespace ? 1 : 0, f.namespace ?? '', f.after ?? '', containsPattern(f.nameContains ?? ''), f.limit);
  return rows.map(toSummary);
}

export function* repositorySummary(name: string): Q<RepositorySummary | null> {
  const row = yield* get<SummaryRow>(`${SUMMARY} AND r.name = $1`, name);
  return row ? toSummary(row) : null;
}

export function* findRepositoryById(id: string): Q<Repository | null> {
  const row = yield* get<RepoRow>(`SELECT ${REPO_COLUMNS} FROM repositories WHERE id = $1 AND deleted_at IS NULL`, id);
  return row ? toRepository(row) : null;
}

export function* listTagDetails(repository: string, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Q<TagDetail[] | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  const rows = yield* all<TagRow>(`${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name > $2 AND t.name LIKE $3 ESCAPE '\\' ORDER BY t.name LIMIT $4`,
    repoId, q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit);
  return rows.map(toTagDetail);
}

export function* findTagDetail(repository: string, tag: string): Q<TagDetail | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  const row = yield* get<TagRow>(`${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name = $2`, repoId, tag);
  return row ? toTagDetail(row) : null;
}
