// Repository catalog: live names in order, and the O(1) delete that tombstones the row so the name is free at
// once while the content waits for garbage collection.
import type { Actor, DeleteRepositoryOutcome, Page, PinPolicy, Repository } from '../../../core/index.ts';
import { pinSummary } from '../rows-pins.ts';
import { toRepository } from '../rows-repositories.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { breakPins, repositoryPins } from './pins.ts';
import { liveRepo } from './repo-rows.ts';

export function findRepository(db: Db, name: string): Repository | null {
  const row = liveRepo(db, name);
  return row ? toRepository(row) : null;
}

export function listRepositories(db: Db, page: Page): string[] {
  if (page.limit <= 0) return [];
  return (db.q('SELECT name FROM repositories WHERE deleted_at IS NULL AND name > ? ORDER BY name LIMIT ?')
    .all(page.after ?? '', page.limit) as Array<{ name: string }>).map((r) => r.name);
}

export function deleteRepository(db: Db, name: string, force: boolean, actor: Actor, at: Date, policy: PinPolicy, onlyId?: string): DeleteRepositoryOutcome {
  return db.tx((): DeleteRepositoryOutcome => {
    const row = liveRepo(db, name);
    if (!row || (onlyId !== undefined && row.id !== onlyId)) return { kind: 'unknown' };
    // Index probes, stopping at the first manifest that counts, so the answer takes the same time for 10 manifests as
    // for 100,000. The untagged children of a deleted index are part of that deleted image (its restore brings them
    // back, GC takes them with it), not images of their own: alone they leave the repository empty.
    if (!force && db.q(`SELECT 1 FROM manifests m WHERE m.repo_id = ? AND m.deleted_at IS NULL AND (
                          EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)
                          OR NOT EXISTS (SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                                         WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest AND p.deleted_at IS NOT NULL)
                          OR EXISTS (SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                                     WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest AND p.deleted_at IS NULL)) LIMIT 1`).get(row.id)) {
      return { kind: 'not-empty' };
    }
    const pins = repositoryPins(db, row.id, name, policy, at);
    if (pins.length > 0 && !policy.breakPins) return { kind: 'pinned', pins };
    breakPins(db, pins);
    db.q('UPDATE repositories SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL').run(at.getTime(), row.id);
    audit(db, actor, at, 'repository.delete', name, row.id, { force, ...(pins.length > 0 ? { brokenPins: pinSummary(pins) } : {}) });
    return { kind: 'deleted', repository: toRepository(row), brokenPins: pins };
  });
}
