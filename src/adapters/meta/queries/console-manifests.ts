// The console's tag and manifest pages: the page's keys first, then the facts, sizes, tags and protecting pins of all
// its manifests in one statement each (a page of 1,000 costs the same handful of statements as a page of 10).
import type { Digest, ManifestFacts, ManifestPage, Pin, PinPolicy, TagDetail } from '../../../core/index.ts';
import { all, type Q, traits } from '../sql/query.ts';
import { containsPattern, TAG_DETAIL, type TagRow, toTagDetail } from './browse.ts';
import { chunks, padded, placeholders } from './in-list.ts';
import { bytes, TAGGED } from './manifests.ts';
import { autoPin, MAX_DEPTH, type PinRow, toPin } from './pins.ts';
import { liveRepoId } from './repo-rows.ts';
import { byName } from './tag-names.ts';

export function* searchTags(repository: string, q: { contains?: string | undefined; after?: string | undefined; limit: number }): Q<TagDetail[] | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  // Tags may hold capitals: both sides lower-cased (SQLite's LIKE ignores ASCII case already, PostgreSQL's does not).
  const rows =
    q.contains === undefined
      ? yield* all<TagRow>(`${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name > $2 ORDER BY t.name LIMIT $3`, repoId, q.after ?? '', q.limit)
      : yield* all<TagRow>(
          `${TAG_DETAIL} WHERE t.repo_id = $1 AND t.name > $2 AND LOWER(t.name) LIKE $3 ESCAPE '\\' ORDER BY t.name LIMIT $4`,
          repoId,
          q.after ?? '',
          containsPattern(q.contains.toLowerCase()),
          q.limit,
        );
  return rows.map(toTagDetail);
}

export function* listManifestDigests(repository: string, q: ManifestPage): Q<Digest[] | null> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return null;
  if (q.limit <= 0) return [];
  const filter = TAGGED[q.tagged === undefined ? 'ANY' : q.tagged ? 'TAGGED' : 'UNTAGGED'];
  const rows = yield* all<{ digest: Digest }>(
    `SELECT m.digest FROM manifests m WHERE m.repo_id = $1 AND m.deleted_at IS NULL AND m.digest > $2 ${filter} ORDER BY m.digest LIMIT $3`,
    repoId,
    q.after ?? '',
    q.limit,
  );
  return rows.map((r) => r.digest);
}

interface FactsRow {
  digest: Digest;
  media_type: string;
  artifact_type: string | null;
  subject: Digest | null;
  size: number;
  body: Buffer;
  pushed_at: number;
  last_pulled_at: number | null;
}

/** The page's live manifests as the recursive walks' seed rows: `$1` is the repository id, the digests follow. */
const seeds = (count: number): string =>
  `SELECT digest AS seed, digest, 0 AS depth FROM manifests WHERE repo_id = $1 AND deleted_at IS NULL AND digest IN (${placeholders(2, count)})`;

function* factsChunk(repoId: string, digests: readonly Digest[]): Q<ManifestFacts[]> {
  const list = padded(digests);
  const within = placeholders(2, list.length);
  const rows = yield* all<FactsRow>(
    `SELECT digest, media_type, artifact_type, subject, size, body, pushed_at, last_pulled_at FROM manifests
      WHERE repo_id = $1 AND deleted_at IS NULL AND digest IN (${within})`,
    repoId,
    ...list,
  );
  if (rows.length === 0) return [];
  // Sorted here: asked to ORDER BY name, SQLite walks the repository's (repo_id, name) key (tag-names.ts).
  const tags = (yield* all<{ digest: Digest; name: string }>(
    `SELECT digest, name FROM tags WHERE repo_id = $1 AND digest IN (${within})`,
    repoId,
    ...list,
  )).sort(byName);
  const e = yield* traits();
  // What a pull of every platform fetches: the manifest, the children below it (each once) and their blobs (each once).
  const sizes = yield* all<{ seed: Digest; bytes: number | null }>(
    `WITH RECURSIVE tree(seed, digest, depth) AS (
       ${seeds(list.length)}
       UNION SELECT tree.seed, c.child_digest, tree.depth + 1 FROM tree ${e.orderedJoin} manifest_children c ON c.repo_id = $1 AND c.parent_digest = tree.digest
       WHERE tree.depth < ${MAX_DEPTH}),
     nodes AS (SELECT DISTINCT seed, digest FROM tree)
     SELECT seed, SUM(size) AS bytes FROM (
       SELECT n.seed, m.size FROM nodes n JOIN manifests m ON m.repo_id = $1 AND m.digest = n.digest
       UNION ALL
       SELECT x.seed, b.size FROM (SELECT DISTINCT n.seed, mb.blob_digest FROM nodes n JOIN manifest_blobs mb ON mb.repo_id = $1 AND mb.manifest_digest = n.digest) x
         JOIN blobs b ON b.digest = x.blob_digest
     ) AS parts GROUP BY seed`,
    repoId,
    ...list,
  );
  const tagsOf = new Map<string, string[]>();
  for (const t of tags) tagsOf.set(t.digest, [...(tagsOf.get(t.digest) ?? []), t.name]);
  const sizeOf = new Map(sizes.map((s) => [s.seed, s.bytes ?? 0]));
  return rows.map((r) => ({
    digest: r.digest,
    mediaType: r.media_type,
    artifactType: r.artifact_type,
    subject: r.subject,
    manifestSize: r.size,
    size: sizeOf.get(r.digest) ?? r.size,
    body: bytes(r.body),
    pushedAt: new Date(r.pushed_at),
    lastPulledAt: r.last_pulled_at === null ? null : new Date(r.last_pulled_at),
    tags: tagsOf.get(r.digest) ?? [],
  }));
}

export function* manifestFacts(repository: string, digests: readonly Digest[]): Q<ManifestFacts[]> {
  const repoId = yield* liveRepoId(repository);
  if (repoId === undefined) return [];
  const found = new Map<string, ManifestFacts>();
  for (const chunk of chunks([...new Set(digests)])) for (const f of yield* factsChunk(repoId, chunk)) found.set(f.digest, f);
  return digests.flatMap((d) => found.get(d) ?? []);
}

type ProtectorRow = Omit<PinRow, 'id' | 'repository'> & { seed: Digest; id: string | null; last_pulled_at: number | null };

/**
 * The delete's own pin rule for many digests at once (queries/pins.ts, manifest-delete.ts): a delete takes the
 * manifest and its referrers (down the subject chain), and a pin on any of them or on an index above any of them
 * refuses it; manifests pulled since `pulledSince` count as pinned.
 */
function* protectingChunk(repoId: string, repository: string, digests: readonly Digest[], policy: PinPolicy, at: Date): Q<Array<[Digest, Pin]>> {
  const e = yield* traits();
  const list = padded(digests);
  const n = list.length;
  const rows = yield* all<ProtectorRow>(
    `WITH RECURSIVE down(seed, digest, depth) AS (
       ${seeds(n)}
       UNION SELECT down.seed, m.digest, down.depth + 1 FROM down ${e.orderedJoin} manifests m ON m.repo_id = $1 AND m.subject = down.digest AND m.deleted_at IS NULL
       WHERE down.depth < ${MAX_DEPTH}),
     up(seed, digest, depth) AS (
       SELECT seed, digest, 0 FROM down
       UNION SELECT up.seed, c.parent_digest, up.depth + 1 FROM up ${e.orderedJoin} manifest_children c ON c.repo_id = $1 AND c.child_digest = up.digest
       WHERE up.depth < ${MAX_DEPTH})
     SELECT u.seed, p.id, m.digest, p.reason, p.owner, p.created_at, p.expires_at, p.source, m.last_pulled_at
     FROM (SELECT DISTINCT seed, digest FROM up) u
     ${e.orderedJoin} manifests m ON m.repo_id = $1 AND m.digest = u.digest AND m.deleted_at IS NULL
     LEFT JOIN pins p ON p.repo_id = m.repo_id AND p.digest = m.digest AND (p.expires_at IS NULL OR p.expires_at > $${n + 2})
     WHERE p.id IS NOT NULL OR m.last_pulled_at >= $${n + 3}`,
    repoId,
    ...list,
    at.getTime(),
    // No automatic pins: a bound no pull time reaches.
    policy.pulledSince?.getTime() ?? Number.MAX_SAFE_INTEGER,
  );
  const since = policy.pulledSince?.getTime();
  const out: Array<[Digest, Pin]> = [];
  for (const r of rows) {
    if (r.id !== null) out.push([r.seed, toPin({ ...r, id: r.id, repository })]);
    if (since !== undefined && r.last_pulled_at !== null && r.last_pulled_at >= since) {
      out.push([r.seed, autoPin(repository, r.digest, r.last_pulled_at, at.getTime() - since)]);
    }
  }
  return out;
}

export function* pinsProtecting(repository: string, digests: readonly Digest[], policy: PinPolicy, at: Date): Q<Map<Digest, Pin[]>> {
  const repoId = yield* liveRepoId(repository);
  const found = new Map<Digest, Map<string, Pin>>();
  if (repoId === undefined) return new Map();
  for (const chunk of chunks([...new Set(digests)])) {
    for (const [seed, pin] of yield* protectingChunk(repoId, repository, chunk, policy, at)) {
      const pins = found.get(seed) ?? new Map<string, Pin>();
      pins.set(pin.id === 'auto-pull' ? `auto-pull:${pin.digest}` : pin.id, pin);
      found.set(seed, pins);
    }
  }
  const byId = (a: Pin, b: Pin): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : a.digest < b.digest ? -1 : 1);
  return new Map([...found].map(([seed, pins]) => [seed, [...pins.values()].sort(byId)]));
}
