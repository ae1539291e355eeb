// The console's repository listing: names by namespace and case-insensitive search, then counts, times and sizes for
// one page of names in three statements (never one per repository, never a scan of repositories off the page).
import type { NameSearch, RepositoryUsage } from '../../../core/index.ts';
import { all, type Q } from '../sql/query.ts';
import { containsPattern } from './browse.ts';
import { chunks, padded, placeholders } from './in-list.ts';

/** Repository names are lower case by their grammar, so lower-casing the text makes LIKE case-blind on both engines. */
const pattern = (contains: string | undefined): string => containsPattern((contains ?? '').toLowerCase());

export function* searchRepositoryNames(q: NameSearch): Q<string[]> {
  if (q.limit <= 0) return [];
  // Two shapes so each walks its own index: (namespace, name) for one namespace, the live-name index otherwise.
  const rows =
    q.namespace === undefined
      ? yield* all<{ name: string }>(
          `SELECT name FROM repositories WHERE deleted_at IS NULL AND name > $1 AND name LIKE $2 ESCAPE '\\' ORDER BY name LIMIT $3`,
          q.after ?? '',
          pattern(q.contains),
          q.limit,
        )
      : yield* all<{ name: string }>(
          `SELECT name FROM repositories WHERE deleted_at IS NULL AND namespace = $1 AND namespace <> '' AND name > $2 AND name LIKE $3 ESCAPE '\\'
            ORDER BY namespace, name LIMIT $4`,
          q.namespace,
          q.after ?? '',
          pattern(q.contains),
          q.limit,
        );
  return rows.map((r) => r.name);
}

interface RepoCountRow {
  id: string;
  name: string;
  created_at: number;
  tags: number;
}

interface ManifestAggRow {
  repo_id: string;
  manifests: number;
  manifest_bytes: number | null;
  last_push: number | null;
  last_pull: number | null;
}

interface BlobBytesRow {
  repo_id: string;
  total_bytes: number | null;
  unique_bytes: number | null;
}

/** A live manifest of the repository `x.repo_id` references the blob `x.blob_digest` (probed by (blob_digest, repo_id)). */
const USED_HERE = `EXISTS (SELECT 1 FROM manifest_blobs u JOIN manifests um ON um.repo_id = u.repo_id AND um.digest = u.manifest_digest AND um.deleted_at IS NULL
                   WHERE u.blob_digest = x.blob_digest AND u.repo_id = x.repo_id)`;

/** A live manifest of another live repository references it: the blob is not this repository's alone. */
const USED_ELSEWHERE = `EXISTS (SELECT 1 FROM manifest_blobs o
                   JOIN manifests om ON om.repo_id = o.repo_id AND om.digest = o.manifest_digest AND om.deleted_at IS NULL
                   JOIN repositories orr ON orr.id = o.repo_id AND orr.deleted_at IS NULL
                 WHERE o.blob_digest = x.blob_digest AND o.repo_id <> x.repo_id)`;

const dateOf = (ms: number | null | undefined): Date | null => (ms === null || ms === undefined ? null : new Date(ms));

function* usageChunk(names: readonly string[]): Q<RepositoryUsage[]> {
  const list = padded(names);
  const rows = yield* all<RepoCountRow>(
    `SELECT r.id, r.name, r.created_at, (SELECT COUNT(*) FROM tags t WHERE t.repo_id = r.id) AS tags
     FROM repositories r WHERE r.deleted_at IS NULL AND r.name IN (${placeholders(1, list.length)})`,
    ...list,
  );
  if (rows.length === 0) return [];
  const ids = padded(rows.map((r) => r.id));
  const within = placeholders(1, ids.length);
  // One pass over each repository's manifests for every aggregate (four subqueries would read them four times).
  const aggregates = yield* all<ManifestAggRow>(
    `SELECT repo_id, COUNT(*) AS manifests, SUM(size) AS manifest_bytes, MAX(pushed_at) AS last_push, MAX(last_pulled_at) AS last_pull
     FROM manifests WHERE deleted_at IS NULL AND repo_id IN (${within}) GROUP BY repo_id`,
    ...ids,
  );
  // Each referenced blob once per repository: the distinct digests first (one read of the references, no join), then
  // per distinct blob whether a live manifest here uses it (trashed ones do not count) and whether one elsewhere does.
  const sizes = yield* all<BlobBytesRow>(
    `SELECT x.repo_id, SUM(b.size) AS total_bytes, SUM(CASE WHEN ${USED_ELSEWHERE} THEN 0 ELSE b.size END) AS unique_bytes
     FROM (SELECT DISTINCT repo_id, blob_digest FROM manifest_blobs WHERE repo_id IN (${within})) x
     JOIN blobs b ON b.digest = x.blob_digest
     WHERE ${USED_HERE}
     GROUP BY x.repo_id`,
    ...ids,
  );
  const aggOf = new Map(aggregates.map((a) => [a.repo_id, a]));
  const bytesOf = new Map(sizes.map((s) => [s.repo_id, s]));
  const byName = new Map(
    rows.map((r) => {
      const agg = aggOf.get(r.id);
      const own = agg?.manifest_bytes ?? 0;
      const blobs = bytesOf.get(r.id);
      const usage: RepositoryUsage = {
        name: r.name,
        createdAt: new Date(r.created_at),
        tagCount: r.tags,
        manifestCount: agg?.manifests ?? 0,
        totalBytes: own + (blobs?.total_bytes ?? 0),
        uniqueBytes: own + (blobs?.unique_bytes ?? 0),
        lastPushedAt: dateOf(agg?.last_push),
        lastPulledAt: dateOf(agg?.last_pull),
      };
      return [r.name, usage];
    }),
  );
  return names.flatMap((n) => byName.get(n) ?? []);
}

export function* repositoryUsage(names: readonly string[]): Q<RepositoryUsage[]> {
  const out: RepositoryUsage[] = [];
  for (const chunk of chunks([...new Set(names)])) out.push(...(yield* usageChunk(chunk)));
  return out;
}
