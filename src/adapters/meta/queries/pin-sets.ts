// Pin sets: the pins one source (a cluster, a podman host) reports as running, replaced as a whole in one write
// transaction, so a reader never sees half a sync and what a removed pin protected is queued for GC at once.
import { newPinId, type PinSetEntry, type PinSetOutcome, type PinSetReplacement } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { releaseProtected } from './pins.ts';
import { liveRepo } from './repo-rows.ts';

/** Entries named in the audit event's "missing" sample; the counts are always complete. */
export const MAX_AUDITED_MISSING = 20;

export function* replacePinSet(set: PinSetReplacement): Q<PinSetOutcome> {
  const current = yield* all<{ id: string; repo_id: string; digest: string }>('SELECT id, repo_id, digest FROM pins WHERE source = $1 ORDER BY id', set.source);
  const existing = new Map<string, string>();
  const duplicates: Array<{ id: string; repo_id: string; digest: string }> = [];
  for (const p of current) {
    const key = `${p.repo_id}\0${p.digest}`;
    if (existing.has(key)) duplicates.push(p);
    else existing.set(key, p.id);
  }
  const repoIds = new Map<string, string | null>();
  const wanted = new Set<string>();
  const missing: PinSetEntry[] = [];
  let added = 0;
  let kept = 0;
  const expiresAt = set.expiresAt?.getTime() ?? null;
  for (const entry of set.pins) {
    if (!repoIds.has(entry.repository)) repoIds.set(entry.repository, (yield* liveRepo(entry.repository))?.id ?? null);
    const repoId = repoIds.get(entry.repository) ?? null;
    const key = `${repoId}\0${entry.digest}`;
    if (repoId === null || wanted.has(key)) {
      if (repoId === null) missing.push(entry);
      continue;
    }
    if (!(yield* get('SELECT 1 FROM manifests WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL', repoId, entry.digest))) {
      missing.push(entry);
      continue;
    }
    wanted.add(key);
    const id = existing.get(key);
    if (id !== undefined) {
      yield* run('UPDATE pins SET expires_at = $1, reason = $2, owner = $3 WHERE id = $4', expiresAt, set.reason, set.owner, id);
      kept++;
      continue;
    }
    yield* run(
      'INSERT INTO pins (id, repo_id, digest, reason, owner, created_at, expires_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
      newPinId(),
      repoId,
      entry.digest,
      set.reason,
      set.owner,
      set.at.getTime(),
      expiresAt,
      set.source,
    );
    added++;
  }
  const gone = [...duplicates, ...current.filter((p) => !wanted.has(`${p.repo_id}\0${p.digest}`) && existing.get(`${p.repo_id}\0${p.digest}`) === p.id)];
  for (const p of gone) {
    yield* run('DELETE FROM pins WHERE id = $1', p.id);
    yield* releaseProtected(p.repo_id, p.digest, set.at);
  }
  yield* audit(set.actor, set.at, 'pin.sync', null, set.source, {
    added,
    kept,
    removed: gone.length,
    missing: missing.length,
    missingSample: missing.slice(0, MAX_AUDITED_MISSING).map((m) => `${m.repository}@${m.digest}`),
    expiresAt: set.expiresAt?.toISOString() ?? null,
  });
  return { added, kept, removed: gone.length, missing };
}
