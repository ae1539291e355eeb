// The live-repository lookups every query module shares: all of them see a repository only through its live
// (not tombstoned) row, so a deleted repository vanishes from every answer in the same commit.
import { namespaceOf, newRepositoryId } from '../../../core/index.ts';
import { REPO_COLUMNS, type RepoRow } from '../rows-repositories.ts';
import type { Db } from './db.ts';

export function liveRepo(db: Db, name: string): RepoRow | undefined {
  return db.q(`SELECT ${REPO_COLUMNS} FROM repositories WHERE name = ? AND deleted_at IS NULL`)
    .get(name) as RepoRow | undefined;
}

export function liveRepoId(db: Db, name: string): string | undefined {
  return liveRepo(db, name)?.id;
}

/** Finds or creates the live repository (a fresh id when the name was never used or was deleted); call inside a transaction. */
export function ensureRepo(db: Db, name: string, at: Date): RepoRow {
  const found = liveRepo(db, name);
  if (found) return found;
  const row: RepoRow = { id: newRepositoryId(), name, artifact_kind: 'image', tag_mutability: 'MUTABLE', created_at: at.getTime() };
  db.q('INSERT INTO repositories (id, name, namespace, artifact_kind, tag_mutability, created_at) VALUES (?, ?, ?, ?, ?, ?)')
    .run(row.id, row.name, namespaceOf(name), row.artifact_kind, row.tag_mutability, row.created_at);
  return row;
}
