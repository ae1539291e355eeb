// Helpers every query module shares: live-repository lookup, the GC review queue and the audit trail, so each
// mutation writes them inside its own transaction.
import { newRepositoryId, type Actor, type Repository, type ArtifactKind, type TagMutability } from '../../../core/index.ts';
import type { Db } from './db.ts';

export interface RepoRow {
  id: string;
  name: string;
  artifact_kind: string;
  tag_mutability: string;
  created_at: number;
}

export function toRepository(row: RepoRow): Repository {
  return {
    id: row.id, name: row.name, artifactKind: row.artifact_kind as ArtifactKind,
    tagMutability: row.tag_mutability as TagMutability, createdAt: new Date(row.created_at),
  };
}

export function liveRepo(db: Db, name: string): RepoRow | undefined {
  return db.q('SELECT id, name, artifact_kind, tag_mutability, created_at FROM repositories WHERE name = ? AND deleted_at IS NULL')
    .get(name) as RepoRow | undefined;
}

export function liveRepoId(db: Db, name: string): string | undefined {
  return (db.q('SELECT id FROM repositories WHERE name = ? AND deleted_at IS NULL').get(name) as { id: string } | undefined)?.id;
}

/** Finds or creates the live repository; call inside a transaction. */
export function ensureRepo(db: Db, name: string, at: Date): RepoRow {
  const found = liveRepo(db, name);
  if (found) return found;
  const row: RepoRow = { id: newRepositoryId(), name, artifact_kind: 'image', tag_mutability: 'MUTABLE', created_at: at.getTime() };
  db.q('INSERT INTO repositories (id, name, artifact_kind, tag_mutability, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(row.id, row.name, row.artifact_kind, row.tag_mutability, row.created_at);
  return row;
}

export type QueueKind = 'blob' | 'manifest' | 'repository';

export class ReviewQueue {
  readonly #db: Db;
  readonly #delayMs: number;

  constructor(db: Db, delayMs: number) {
    this.#db = db;
    this.#delayMs = delayMs;
  }

  /** Queues (or postpones: never DO NOTHING) a review of something that just lost a reference. */
  add(kind: QueueKind, repoId: string, digest: string, at: Date): void {
    this.#db.q(`INSERT INTO gc_review_queue (kind, repo_id, digest, review_after) VALUES (?, ?, ?, ?)
                ON CONFLICT (kind, repo_id, digest) DO UPDATE SET review_after = excluded.review_after`)
      .run(kind, repoId, digest, at.getTime() + this.#delayMs);
  }

  /** Something gained a reference: it is no longer a candidate. */
  remove(kind: QueueKind, repoId: string, digest: string): void {
    this.#db.q('DELETE FROM gc_review_queue WHERE kind = ? AND repo_id = ? AND digest = ?').run(kind, repoId, digest);
  }
}

export function audit(db: Db, actor: Actor, at: Date, action: string, repository: string | null, target: string | null, detail?: unknown): void {
  db.q('INSERT INTO audit_events (at, principal, dialect, action, repository, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(at.getTime(), actor.principal, actor.dialect, action, repository, target, detail === undefined ? null : JSON.stringify(detail));
}
