// Repository catalog: live names in order, and the O(1) delete that tombstones the row so the name is free at
// once while the content waits for garbage collection.
import type { Actor, DeleteRepositoryOutcome, Page, Repository } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { liveRepo, toRepository } from './repo-rows.ts';

export function findRepository(db: Db, name: string): Repository | null {
  const row = liveRepo(db, name);
  return row ? toRepository(row) : null;
}

export function listRepositories(db: Db, page: Page): string[] {
  if (page.limit <= 0) return [];
  return (db.q('SELECT name FROM repositories WHERE deleted_at IS NULL AND name > ? ORDER BY name LIMIT ?')
    .all(page.after ?? '', page.limit) as Array<{ name: string }>).map((r) => r.name);
}

export function deleteRepository(db: Db, name: string, force: boolean, actor: Actor, at: Date): DeleteRepositoryOutcome {
  return db.tx((): DeleteRepositoryOutcome => {
    const row = liveRepo(db, name);
    if (!row) return { kind: 'unknown' };
    // An index-only count over the repository's primary-key range; content rows are never touched here.
    const manifests = (db.q('SELECT COUNT(*) AS n FROM manifests WHERE repo_id = ?').get(row.id) as { n: number }).n;
    if (manifests > 0 && !force) return { kind: 'not-empty', manifests };
    db.q('UPDATE repositories SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(at.getTime(), row.id);
    audit(db, actor, at, 'repository.delete', name, row.id, { manifests, force });
    return { kind: 'deleted', repository: toRepository(row), manifests };
  });
}
