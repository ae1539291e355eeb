// The console's repository listing: names by namespace and case-insensitive search, then counts, times and sizes for
// one page of names in two statements (never one per repository, never a scan of repositories off the page).
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

interface UsageRow {
  id: string;
  name: string;
  created_at: number;
  tags: number;
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

/** Blob references of live manifests (`mb`, joined to their manifest `m`). */
const LIVE_USE = `FROM manifest_blobs mb JOIN manifests m ON m.repo_id = mb.repo_id AND m.digest = mb.manifest_digest AND m.deleted_at IS NULL`;

function* usageChunk(names: readonly string[]): Q<RepositoryUsage[]> {
  const list = padded(names);
  const rows = yield* all<UsageRow>(
    `SELECT r.id, r.name, r.created_at,
       (SELECT COUNT(*) FROM tags t WHERE t.repo_id = r.id) AS tags,
       (SELECT COUNT(*) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS manifests,
       (SELECT SUM(m.size) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS manifest_bytes,
       (SELECT MAX(m.pushed_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_push,
       (SELECT MAX(m.last_pulled_at) FROM manifests m WHERE m.repo_id = r.id AND m.deleted_at IS NULL) AS last_pull
     FROM repositories r WHERE r.deleted_at IS NULL AND r.name IN (${placeholders(1, list.length)})`,
    ...list,
  );
  if (rows.length === 0) return [];
  const ids = padded(rows.map((r) => r.id));
  // Each blob once per repository; unique when no live manifest of another live repository references it. The
  // probe uses manifest_blobs (blob_digest, repo_id), so a base layer shared by every repository costs one step.
  const sizes = yield* all<BlobBytesRow>(
    `SELECT x.repo_id, SUM(b.size) AS total_bytes,
       SUM(CASE WHEN EXISTS (SELECT 1 FROM manifest_blobs o
                               JOIN manifests om ON om.repo_id = o.repo_id AND om.digest = o.manifest_digest AND om.deleted_at IS NULL
                               JOIN repositories orr ON orr.id = o.repo_id AND orr.deleted_at IS NULL
                             WHERE o.blob_digest = x.blob_digest AND o.repo_id <> x.repo_id)
                THEN 0 ELSE b.size END) AS unique_bytes
     FROM (SELECT DISTINCT mb.repo_id, mb.blob_digest ${LIVE_USE} WHERE mb.repo_id IN (${placeholders(1, ids.length)})) x
     JOIN blobs b ON b.digest = x.blob_digest
     GROUP BY x.repo_id`,
    ...ids,
  );
  const bytesOf = new Map(sizes.map((s) => [s.repo_id, s]));
  const byName = new Map(
    rows.map((r) => {
      const own = r.manifest_bytes ?? 0;
      const blobs = bytesOf.get(r.id);
      const usage: RepositoryUsage = {
        name: r.name,
        createdAt: new Date(r.created_at),
        tagCount: r.tags,
        manifestCount: r.manifests,
        totalBytes: own + (blobs?.total_bytes ?? 0),
        uniqueBytes: own + (blobs?.unique_bytes ?? 0),
        lastPushedAt: r.last_push === null ? null : new Date(r.last_push),
        lastPulledAt: r.last_pull === null ? null : new Date(r.last_pull),
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
