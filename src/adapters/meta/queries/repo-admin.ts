// Repository administration: explicit creation with settings and resource tags, tag mutability, policy and tag
// changes in one transaction each, and the image listings (manifests with their tags) the cloud APIs page through.
import type {
  Actor,
  CreateRepositoryOutcome,
  Digest,
  ImageSummary,
  NewRepository,
  Repository,
  RepositoryChange,
  RepositoryExtras,
  RepositoryWithExtras,
  TagStatus,
} from '../../../core/index.ts';
import { all, get, type Q, run, textList, traits } from '../sql/query.ts';
import { audit } from './audit.ts';
import { MANIFEST_COLUMNS, type ManifestRow, TAGGED, toManifestSummary } from './manifests.ts';
import { type ExtrasRow, ensureRepo, exclusionsColumn, liveRepo, REPO_COLUMNS, type RepoRow, toRepository, toRepositoryExtras } from './repo-rows.ts';
import { tagNamesOf } from './tag-names.ts';

export function* createRepository(r: NewRepository): Q<CreateRepositoryOutcome> {
  const existing = yield* liveRepo(r.name);
  if (existing) return { kind: 'exists', repository: toRepository(existing) };
  const row = yield* ensureRepo(r.name, r.at);
  const exclusions = exclusionsColumn(r.tagMutabilityExclusions);
  yield* run(
    'UPDATE repositories SET tag_mutability = $1, tag_mutability_exclusions = $2, settings = $3 WHERE id = $4',
    r.tagMutability,
    exclusions,
    JSON.stringify(r.settings),
    row.id,
  );
  for (const [key, value] of Object.entries(r.resourceTags))
    yield* run('INSERT INTO repository_tags (repo_id, key, value) VALUES ($1, $2, $3)', row.id, key, value);
  yield* audit(r.actor, r.at, 'repository.create', r.name, row.id, {
    tagMutability: r.tagMutability,
    ...(exclusions === null ? {} : { tagMutabilityExclusions: r.tagMutabilityExclusions }),
  });
  return { kind: 'created', repository: toRepository({ ...row, tag_mutability: r.tagMutability, tag_mutability_exclusions: exclusions }) };
}

export function* updateRepository(name: string, c: RepositoryChange, actor: Actor, at: Date): Q<Repository | null> {
  const row = yield* liveRepo(name);
  if (!row) return null;
  const mutability =
    c.tagMutability === undefined
      ? { tag_mutability: row.tag_mutability, tag_mutability_exclusions: row.tag_mutability_exclusions }
      : { tag_mutability: c.tagMutability, tag_mutability_exclusions: exclusionsColumn(c.tagMutabilityExclusions) };
  if (c.tagMutability !== undefined) {
    yield* run(
      'UPDATE repositories SET tag_mutability = $1, tag_mutability_exclusions = $2 WHERE id = $3',
      mutability.tag_mutability,
      mutability.tag_mutability_exclusions,
      row.id,
    );
  }
  if (c.settings !== undefined) yield* run('UPDATE repositories SET settings = $1 WHERE id = $2', JSON.stringify(c.settings), row.id);
  if (c.policy !== undefined) yield* run('UPDATE repositories SET policy = $1 WHERE id = $2', c.policy, row.id);
  for (const [key, value] of Object.entries(c.setTags ?? {})) {
    yield* run(
      `INSERT INTO repository_tags (repo_id, key, value) VALUES ($1, $2, $3)
                 ON CONFLICT (repo_id, key) DO UPDATE SET value = excluded.value`,
      row.id,
      key,
      value,
    );
  }
  for (const key of c.removeTags ?? []) yield* run('DELETE FROM repository_tags WHERE repo_id = $1 AND key = $2', row.id, key);
  const changed = Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => [k, true]),
  );
  yield* audit(actor, at, 'repository.update', name, row.id, changed);
  return toRepository({ ...row, ...mutability });
}

export function* repositoryExtras(name: string): Q<RepositoryExtras | null> {
  const row = yield* get<ExtrasRow>('SELECT id, settings, policy FROM repositories WHERE name = $1 AND deleted_at IS NULL', name);
  if (!row) return null;
  const tags = yield* all<{ key: string; value: string }>('SELECT key, value FROM repository_tags WHERE repo_id = $1 ORDER BY key', row.id);
  return toRepositoryExtras(row, tags);
}

export function* repositoryPolicy(name: string): Q<string | null> {
  return (yield* get<{ policy: string | null }>('SELECT policy FROM repositories WHERE name = $1 AND deleted_at IS NULL', name))?.policy ?? null;
}

export function* repositoryPolicies(names: readonly string[]): Q<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = yield* all<{ name: string; policy: string }>(
    `SELECT name, policy FROM repositories WHERE deleted_at IS NULL AND policy IS NOT NULL AND ${(yield* traits()).inList('name', '$1')}`,
    textList(names),
  );
  return new Map(rows.map((r) => [r.name, r.policy]));
}

/**
 * The live ones of `names` with their extras, in two statements whatever their number: a listing shows a page of
 * repositories with their settings (on PostgreSQL two round trips a page, not two a repository).
 */
export function* repositoriesWithExtras(names: readonly string[]): Q<Map<string, RepositoryWithExtras>> {
  const out = new Map<string, RepositoryWithExtras>();
  if (names.length === 0) return out;
  const t = yield* traits();
  const rows = yield* all<RepoRow & ExtrasRow>(
    `SELECT ${REPO_COLUMNS}, settings, policy FROM repositories WHERE deleted_at IS NULL AND ${t.inList('name', '$1')}`,
    textList(names),
  );
  if (rows.length === 0) return out;
  const tags = yield* all<{ repo_id: string; key: string; value: string }>(
    `SELECT repo_id, key, value FROM repository_tags WHERE ${t.inList('repo_id', '$1')} ORDER BY repo_id, key`,
    textList(rows.map((r) => r.id)),
  );
  const tagsOf = Map.groupBy(tags, (tag) => tag.repo_id);
  for (const row of rows) out.set(row.name, { repository: toRepository(row), extras: toRepositoryExtras(row, tagsOf.get(row.id) ?? []) });
  return out;
}

function* withTags(repoId: string, rows: ManifestRow[]): Q<ImageSummary[]> {
  const out: ImageSummary[] = [];
  for (const r of rows) {
    out.push({ ...toManifestSummary(r), tags: yield* tagNamesOf(repoId, r.digest) });
  }
  return out;
}

export function* listImages(repository: string, q: { tagStatus: TagStatus; after?: Digest | undefined; limit: number }): Q<ImageSummary[] | null> {
  const repo = yield* liveRepo(repository);
  if (!repo) return null;
  if (q.limit <= 0) return [];
  const rows = yield* all<ManifestRow>(
    `SELECT ${MANIFEST_COLUMNS} FROM manifests m WHERE m.repo_id = $1 AND m.deleted_at IS NULL AND m.digest > $2 ${TAGGED[q.tagStatus]}
                     ORDER BY m.digest LIMIT $3`,
    repo.id,
    q.after ?? '',
    q.limit,
  );
  return yield* withTags(repo.id, rows);
}

export function* findImages(repository: string, digests: readonly Digest[]): Q<ImageSummary[]> {
  const repo = yield* liveRepo(repository);
  if (!repo) return [];
  const rows: ManifestRow[] = [];
  for (const d of new Set(digests)) {
    const row = yield* get<ManifestRow>(
      `SELECT ${MANIFEST_COLUMNS} FROM manifests m WHERE m.repo_id = $1 AND m.digest = $2 AND m.deleted_at IS NULL`,
      repo.id,
      d,
    );
    if (row) rows.push(row);
  }
  return yield* withTags(repo.id, rows);
}

export function* indexParents(repository: string, digest: Digest): Q<Digest[]> {
  const e = yield* traits();
  return (yield* all<{ d: Digest }>(
    `SELECT c.parent_digest AS d FROM repositories r
                ${e.orderedJoin} manifest_children c ON c.repo_id = r.id AND c.child_digest = $1
                ${e.orderedJoin} manifests m ON m.repo_id = c.repo_id AND m.digest = c.parent_digest AND m.deleted_at IS NULL
                WHERE r.name = $2 AND r.deleted_at IS NULL ORDER BY c.parent_digest LIMIT 100`,
    digest,
    repository,
  )).map((r) => r.d);
}
