// Repository catalog: listing live names, and the O(1) tombstone delete that frees a name at once.
import type { Actor, DeleteRepositoryOutcome, Page, Repository } from '../../../core/index.ts';
import { audit, liveRepo, toRepository, type ReviewQueue } from './common.ts';
import type { Db } from './db.ts';

export function findRepository(db: Db, name: string): Repository | null {
  const row = liveRepo(db, name);
  return row ? toRepository(row) : null;
}

export function listRepositories(db: Db, page: Page): string[] {
  if (page.limit <= 0) return [];
  return (db.q('SELECT name FROM repositories WHERE deleted_at IS NULL AND name > ? ORDER BY name LIMIT ?')
    .all(page.after ?? '', page.limit) as Array<{ name: string }>).map((r) => r.name);
}

export function deleteRepository(db: Db, queue: ReviewQueue, name: string, force: boolean, actor: Actor, at: Date): DeleteRepositoryOutcome {
  return db.tx(() => {
    const row = liveRepo(db, name);
    if (!row) return { kind: 'unknown' };
    const manifests = (db.q('SELECT COUNT(*) AS n FROM manifests WHERE repo_id = ?').get(row.id) as { n: number }).n;
    if (manifests > 0 && !force) return { kind: 'not-empty', manifests };
    db.q('UPDATE repositories SET deleted_at = ? WHERE id = ?').run(at.getTime(), row.id);
    // The tombstoned repository's rows stay until GC purges them; the name is free for a new, empty repository.
    queue.add('repository', row.id, '', at);
    audit(db, actor, at, 'repository.delete', name, row.id, { manifests, force });
    return { kind: 'deleted', repository: toRepository(row), manifests };
  });
}
