// Repository catalog: live names in order, and the O(1) delete that tombstones the row so the name is free at
// once while the content waits for garbage collection.
import type { Actor, DeleteRepositoryOutcome, Page, PinPolicy, Repository } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { breakPins, pinSummary, repositoryPins } from './pins.ts';
import { liveRepo, toRepository } from './repo-rows.ts';

export function* findRepository(name: string): Q<Repository | null> {
  const row = yield* liveRepo(name);
  return row ? toRepository(row) : null;
}

export function* listRepositories(page: Page): Q<string[]> {
  if (page.limit <= 0) return [];
  return (yield* all<{ name: string }>(
    'SELECT name FROM repositories WHERE deleted_at IS NULL AND name > $1 ORDER BY name LIMIT $2',
    page.after ?? '',
    page.limit,
  )).map((r) => r.name);
}

export function* deleteRepository(name: string, force: boolean, actor: Actor, at: Date, policy: PinPolicy, onlyId?: string): Q<DeleteRepositoryOutcome> {
  const row = yield* liveRepo(name);
  if (!row || (onlyId !== undefined && row.id !== onlyId)) return { kind: 'unknown' };
  // The same probe as SQLite's (see there): the untagged children of a deleted index do not count as images.
  if (
    !force &&
    (yield* get(
      `SELECT 1 FROM manifests m WHERE m.repo_id = $1 AND m.deleted_at IS NULL AND (
                               EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = m.repo_id AND t.digest = m.digest)
                               OR NOT EXISTS (SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                                              WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest AND p.deleted_at IS NOT NULL)
                               OR EXISTS (SELECT 1 FROM manifest_children c JOIN manifests p ON p.repo_id = c.repo_id AND p.digest = c.parent_digest
                                          WHERE c.repo_id = m.repo_id AND c.child_digest = m.digest AND p.deleted_at IS NULL)) LIMIT 1`,
      row.id,
    ))
  ) {
    return { kind: 'not-empty' };
  }
  const pins = yield* repositoryPins(row.id, name, policy, at);
  if (pins.length > 0 && !policy.breakPins) return { kind: 'pinned', pins };
  yield* breakPins(pins);
  yield* run('UPDATE repositories SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL', at.getTime(), row.id);
  yield* audit(actor, at, 'repository.delete', name, row.id, { force, ...(pins.length > 0 ? { brokenPins: pinSummary(pins) } : {}) });
  return { kind: 'deleted', repository: toRepository(row), brokenPins: pins };
}
