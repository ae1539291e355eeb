// The repository and tag listings of the cloud management APIs: per-page counts, sizes and times computed with
// index probes per listed repository (never a scan of the whole registry), tags joined to live manifests only.
import type { Digest, Repository, RepositoryFilter, RepositorySummary, TagDetail } from '../../../core/index.ts';
import { containsPattern } from '../like-pattern.ts';
import { SUMMARY, TAG_DETAIL, toSummary, toTagDetail, type SummaryRow, type TagRow } from '../rows-browse.ts';
import { REPO_COLUMNS, toRepository, type RepoRow } from '../rows-repositories.ts';
import type { Db } from './db.ts';
import { liveRepoId } from './repo-rows.ts';

export function listRepositorySummaries(db: Db, f: RepositoryFilter): RepositorySummary[] {
  if (f.limit <= 0) return [];
  const byNamespace = f.namespace !== undefined;
  const rows = db.q(`${SUMMARY} AND (? = 0 OR (r.namespace = ? AND r.namespace <> '')) AND r.name > ? AND r.name LIKE ? ESCAPE '\\'
                     ORDER BY r.name LIMIT ?`)
    .all(byNamespace ? 1 : 0, f.namespace ?? '', f.after ?? '', containsPattern(f.nameContains ?? ''), f.limit) as SummaryRow[];
  return rows.map(toSummary);
}

export function repositorySummary(db: Db, name: string): RepositorySummary | null {
  const row = db.q(`${SUMMARY} AND r.name = ?`).get(name) as SummaryRow | undefined;
  return row ? toSummary(row) : null;
}

export function findRepositoryById(db: Db, id: string): Repository | null {
  const row = db.q(`SELECT ${REPO_COLUMNS} FROM repositories WHERE id = ? AND deleted_at IS NULL`).get(id) as RepoRow | undefined;
  return row ? toRepository(row) : null;
}

export function listTagDetails(db: Db, repository: string, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): TagDetail[] | null {
  const repoId = liveRepoId(db, repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  const rows = db.q(`${TAG_DETAIL} WHERE t.repo_id = ? AND t.name > ? AND t.name LIKE ? ESCAPE '\\' ORDER BY t.name LIMIT ?`)
    .all(repoId, q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit) as TagRow[];
  return rows.map(toTagDetail);
}

export function findTagDetail(db: Db, repository: string, tag: string): TagDetail | null {
  const repoId = liveRepoId(db, repository);
  if (repoId === undefined) return null;
  const row = db.q(`${TAG_DETAIL} WHERE t.repo_id = ? AND t.name = ?`).get(repoId, tag) as TagRow | undefined;
  return row ? toTagDetail(row) : null;
}
