// Deployment references and the question every delete transaction asks: which pins protect these manifests?
// A pin protects its manifest and, through the index, every child below it; an automatic pin is a recent pull.
import { newPinId, type Actor, type CreatePinOutcome, type NewPin, type Pin, type PinPolicy } from '../../../core/index.ts';
import { autoPin, MAX_DEPTH, MAX_NAMED, PIN_COLUMNS, toPin, type PinRow } from '../rows-pins.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';
import { liveRepo } from './repo-rows.ts';
import * as queue from './review-queue.ts';

export function createPin(db: Db, p: NewPin): Promise<CreatePinOutcome> {
  return db.tx(async (t): Promise<CreatePinOutcome> => {
    const repo = await liveRepo(t, p.repository);
    if (!repo) return { kind: 'unknown-repository' };
    if (!(await t.get('SELECT 1 FROM manifests WHERE repo_id = $1 AND digest = $2 AND deleted_at IS NULL', repo.id, p.digest))) return { kind: 'unknown-manifest' };
    const pin: Pin = { id: newPinId(), repository: p.repository, digest: p.digest, reason: p.reason, owner: p.owner, createdAt: p.at, expiresAt: p.expiresAt };
    await t.run('INSERT INTO pins (id, repo_id, digest, reason, owner, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      pin.id, repo.id, pin.digest, pin.reason, pin.owner, p.at.getTime(), p.expiresAt?.getTime() ?? null);
    await audit(t, p.actor, p.at, 'pin.create', p.repository, pin.digest, { pin: pin.id, reason: pin.reason, owner: pin.owner, expiresAt: p.expiresAt?.toISOString() ?? null });
    return { kind: 'created', pin };
  });
}

export async function listPins(db: Sql, f: { repository?: string | undefined; now: Date; after?: string | undefined; limit: number }): Promise<Pin[]> {
  if (f.limit <= 0) return [];
  const rows = f.repository === undefined
    ? await db.all<PinRow>(`SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id AND r.deleted_at IS NULL
            WHERE p.id > $1 AND (p.expires_at IS NULL OR p.expires_at > $2) ORDER BY p.id LIMIT $3`, f.after ?? '', f.now.getTime(), f.limit)
    : await db.all<PinRow>(`SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id AND r.deleted_at IS NULL AND r.name = $1
            WHERE p.id > $2 AND (p.expires_at IS NULL OR p.expires_at > $3) ORDER BY p.id LIMIT $4`, f.repository, f.after ?? '', f.now.getTime(), f.limit);
  return rows.map(toPin);
}

export async function findPin(db: Sql, id: string): Promise<Pin | null> {
  const row = await db.get<PinRow>(`SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id AND r.deleted_at IS NULL WHERE p.id = $1`, id);
  return row ? toPin(row) : null;
}

/** Removes a pin; the manifest and the children it protected are reviewed by GC again if nothing else holds them. */
export function deletePin(db: Db, id: string, actor: Actor, at: Date): Promise<Pin | null> {
  return db.tx(async (t) => {
    const row = await t.get<PinRow & { repo_id: string }>(`SELECT ${PIN_COLUMNS}, p.repo_id AS repo_id FROM pins p JOIN repositories r ON r.id = p.repo_id WHERE p.id = $1`, id);
    if (!row) return null;
    await t.run('DELETE FROM pins WHERE id = $1', id);
    await releaseProtected(t, row.repo_id, row.digest, at);
    await audit(t, actor, at, 'pin.delete', row.repository, row.digest, { pin: id });
    return toPin(row);
  });
}

/**
 * What the pin protected: the manifest, its descendants and (a referrer's pin protects its subject through the
 * delete cascade) the subjects it hangs from; each that is now an orphan is queued (a pin may have kept GC off it).
 */
export async function releaseProtected(t: Sql, repoId: string, digest: string, at: Date): Promise<void> {
  const below = await t.all<{ digest: string }>(`WITH RECURSIVE down(digest, depth) AS (
                        SELECT $1::text COLLATE "C", 0
                        UNION SELECT c.child_digest, down.depth + 1 FROM down JOIN manifest_children c ON c.repo_id = $2 AND c.parent_digest = down.digest
                        WHERE down.depth < ${MAX_DEPTH})
                      SELECT DISTINCT digest FROM down`, digest, repoId);
  const subjects = await t.all<{ digest: string }>(`WITH RECURSIVE up(digest, depth) AS (
                           SELECT $1::text COLLATE "C", 0
                           UNION SELECT m.subject, up.depth + 1 FROM manifests m JOIN up ON m.repo_id = $2 AND m.digest = up.digest
                           WHERE m.subject IS NOT NULL AND up.depth < ${MAX_DEPTH})
                         SELECT DISTINCT digest FROM up WHERE depth > 0`, digest, repoId);
  await queue.releaseManifests(t, repoId, [...below, ...subjects].map((r) => r.digest), at);
}

const PROTECTING = `WITH RECURSIVE up(digest, depth) AS (
    SELECT $1::text COLLATE "C", 0
    UNION SELECT c.parent_digest, up.depth + 1 FROM up JOIN manifest_children c ON c.repo_id = $2 AND c.child_digest = up.digest
    WHERE up.depth < ${MAX_DEPTH})
  SELECT p.id, $3::text AS repository, m.digest AS digest, p.reason, p.owner, p.created_at, p.expires_at, m.last_pulled_at
  FROM (SELECT DISTINCT digest FROM up) u
  JOIN manifests m ON m.repo_id = $2 AND m.digest = u.digest AND m.deleted_at IS NULL
  LEFT JOIN pins p ON p.repo_id = m.repo_id AND p.digest = m.digest AND (p.expires_at IS NULL OR p.expires_at > $4)`;

/**
 * Pins protecting any of `digests` (each, or an index above it): explicit unexpired pins, then automatic pins for
 * manifests pulled since `policy.pulledSince`. Runs inside the caller's delete transaction.
 */
export async function protectingPins(t: Sql, repoId: string, repository: string, digests: readonly string[], policy: PinPolicy, at: Date): Promise<Pin[]> {
  const found = new Map<string, Pin>();
  const since = policy.pulledSince?.getTime();
  for (const digest of digests) {
    const rows = await t.all<Omit<PinRow, 'id'> & { last_pulled_at: number | null; id: string | null }>(PROTECTING, digest, repoId, repository, at.getTime());
    for (const r of rows) {
      if (r.id !== null) found.set(r.id, toPin({ ...r, id: r.id }));
      if (since !== undefined && r.last_pulled_at !== null && r.last_pulled_at >= since) {
        found.set(`auto-pull:${r.digest}`, autoPin(repository, r.digest, r.last_pulled_at, at.getTime() - since));
      }
    }
    if (found.size >= MAX_NAMED) break;
  }
  return [...found.values()];
}

/** Every pin of a repository (a repository delete), explicit and automatic, bounded. */
export async function repositoryPins(t: Sql, repoId: string, repository: string, policy: PinPolicy, at: Date): Promise<Pin[]> {
  const pins = (await t.all<PinRow>(`SELECT p.id, $1::text AS repository, p.digest, p.reason, p.owner, p.created_at, p.expires_at FROM pins p
                      WHERE p.repo_id = $2 AND (p.expires_at IS NULL OR p.expires_at > $3) ORDER BY p.id LIMIT $4`,
  repository, repoId, at.getTime(), MAX_NAMED)).map(toPin);
  if (policy.pulledSince === null || pins.length >= MAX_NAMED) return pins;
  const since = policy.pulledSince.getTime();
  const pulled = await t.all<{ digest: string; last_pulled_at: number }>(
    'SELECT digest, last_pulled_at FROM manifests WHERE repo_id = $1 AND deleted_at IS NULL AND last_pulled_at >= $2 LIMIT $3',
    repoId, since, MAX_NAMED - pins.length);
  return [...pins, ...pulled.map((m) => autoPin(repository, m.digest, m.last_pulled_at, at.getTime() - since))];
}

/** An override: the explicit pins among `pins` are removed (automatic ones simply stop counting). */
export async function breakPins(t: Sql, pins: readonly Pin[]): Promise<void> {
  for (const p of pins) if (p.id !== 'auto-pull') await t.run('DELETE FROM pins WHERE id = $1', p.id);
}
