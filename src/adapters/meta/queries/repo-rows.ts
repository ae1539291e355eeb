// The live-repository lookups every query module shares: all of them see a repository only through its live
// (not tombstoned) row, so a deleted repository vanishes from every answer in the same commit.
import {
  type ArtifactKind,
  isTagImmutable,
  namespaceOf,
  newRepositoryId,
  type Repository,
  type RepositoryExtras,
  type TagMutability,
} from '../../../core/index.ts';
import { get, type Q, run } from '../sql/query.ts';

export interface RepoRow {
  id: string;
  name: string;
  artifact_kind: string;
  tag_mutability: string;
  /** JSON array of wildcard filters, or NULL (schema 10). */
  tag_mutability_exclusions: string | null;
  created_at: number;
}

/** The columns of a RepoRow, for `SELECT ${REPO_COLUMNS} FROM repositories ...`. */
export const REPO_COLUMNS = 'id, name, artifact_kind, tag_mutability, tag_mutability_exclusions, created_at';

function exclusionsOf(row: RepoRow): string[] {
  return row.tag_mutability_exclusions === null ? [] : (JSON.parse(row.tag_mutability_exclusions) as string[]);
}

/** The stored value of a list of exclusion filters: NULL for none. */
export function exclusionsColumn(filters: readonly string[] | undefined): string | null {
  return filters === undefined || filters.length === 0 ? null : JSON.stringify(filters);
}

export function toRepository(row: RepoRow): Repository {
  const exclusions = exclusionsOf(row);
  return {
    id: row.id,
    name: row.name,
    artifactKind: row.artifact_kind as ArtifactKind,
    tagMutability: row.tag_mutability as TagMutability,
    ...(exclusions.length > 0 ? { tagMutabilityExclusions: exclusions } : {}),
    createdAt: new Date(row.created_at),
  };
}

/** Whether the repository's mode and exclusion filters keep `tag` where it points (core's one rule). */
export function tagIsImmutable(row: RepoRow, tag: string): boolean {
  return isTagImmutable(row.tag_mutability as TagMutability, exclusionsOf(row), tag);
}

export interface ExtrasRow {
  id: string;
  settings: string | null;
  policy: string | null;
}

export function toRepositoryExtras(row: ExtrasRow, tags: ReadonlyArray<{ key: string; value: string }>): RepositoryExtras {
  return {
    settings: row.settings === null ? {} : (JSON.parse(row.settings) as Record<string, unknown>),
    policy: row.policy,
    resourceTags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
}

export function liveRepo(name: string): Q<RepoRow | undefined> {
  return get<RepoRow>(`SELECT ${REPO_COLUMNS} FROM repositories WHERE name = $1 AND deleted_at IS NULL`, name);
}

export function* liveRepoId(name: string): Q<string | undefined> {
  return (yield* liveRepo(name))?.id;
}

/** Finds or creates the live repository (a fresh id when the name was never used or was deleted); call in a registry write. */
export function* ensureRepo(name: string, at: Date): Q<RepoRow> {
  const found = yield* liveRepo(name);
  if (found) return found;
  const row: RepoRow = {
    id: newRepositoryId(),
    name,
    artifact_kind: 'image',
    tag_mutability: 'MUTABLE',
    tag_mutability_exclusions: null,
    created_at: at.getTime(),
  };
  yield* run(
    'INSERT INTO repositories (id, name, namespace, artifact_kind, tag_mutability, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
    row.id,
    row.name,
    namespaceOf(name),
    row.artifact_kind,
    row.tag_mutability,
    row.created_at,
  );
  return row;
}
