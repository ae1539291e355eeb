// The repository row and its mappers, defined once so the SQLite and PostgreSQL stores cannot drift in what a repository is.
import type { ArtifactKind, Repository, RepositoryExtras, TagMutability } from '../../core/index.ts';

export interface RepoRow {
  id: string;
  name: string;
  artifact_kind: string;
  tag_mutability: string;
  created_at: number;
}

/** The columns of a RepoRow, for `SELECT ${REPO_COLUMNS} FROM repositories ...`. */
export const REPO_COLUMNS = 'id, name, artifact_kind, tag_mutability, created_at';

export function toRepository(row: RepoRow): Repository {
  return {
    id: row.id, name: row.name, artifactKind: row.artifact_kind as ArtifactKind,
    tagMutability: row.tag_mutability as TagMutability, createdAt: new Date(row.created_at),
  };
}

export interface ExtrasRow { id: string; settings: string | null; policy: string | null }

export function toRepositoryExtras(row: ExtrasRow, tags: ReadonlyArray<{ key: string; value: string }>): RepositoryExtras {
  return {
    settings: row.settings === null ? {} : (JSON.parse(row.settings) as Record<string, unknown>),
    policy: row.policy,
    resourceTags: Object.fromEntries(tags.map((t) => [t.key, t.value])),
  };
}
