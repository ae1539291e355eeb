// Deployment references and the question every delete transaction asks: which pins protect these manifests?
// A pin protects its manifest and, through the index, every child below it; an automatic pin is a recent pull.
import { newPinId, type Actor, type CreatePinOutcome, type NewPin, type Pin, type PinPolicy } from '../../../core/index.ts';
import { autoPin, MAX_DEPTH, MAX_NAMED, PIN_COLUMNS, toPin, type PinRow } from '../rows-pins.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';
import { liveRepo } from './repo-rows.ts';
import type { ReviewQueue } from './review-queue.ts';

// The walks below (MAX_DEPTH deep) are written FROM <walk> CROSS JOIN <table> so SQLite probes the indexes from the
// few walked digests instead of scanning the repository (a plain JOIN lets the planner pick the repository's
// primary-key range).

export function createPin(db: Db, p: NewPin): CreatePinOutcome {
  return db.tx((): CreatePinOutcome => {
    const repo = liveRepo(db, p.repository);
    if (!repo) return { kind: 'unknown-repository' };
    if (!db.q('SELECT 1 FROM manifests WHERE repo_id = ? AND digest = ? AND deleted_at IS NULL').get(repo.id, p.digest)) return { kind: 'unknown-manifest' };
    const pin: Pin = { id: newPinId(), repository: p.repository, digest: p.digest, reason: p.reason, owner: p.owner, createdAt: p.at, expiresAt: p.expiresAt };
    db.q('INSERT INTO pins (id, repo_id, digest, reason, owner, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(pin.id, repo.id, pin.digest, pin.reason, pin.owner, p.at.getTime(), p.expiresAt?.getTime() ?? null);
    audit(db, p.actor, p.at, 'pin.create', p.repository, pin.digest, { pin: pin.id, reason: pin.reason, owner: pin.owner, expiresAt: p.expiresAt?.toISOString() ?? null });
    return { kind: 'created', pin };
  });
}

export function listPins(db: Db, f: { repository?: string | undefined; now: Date; after?: string | undefined; limit: number }): Pin[] {
  if (f.limit <= 0) return [];
  const rows = f.repository === undefined
    ? db.q(`SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id AND r.deleted_at IS NULL
            WHERE p.id > ? AND (p.expires_at IS NULL OR p.expires_at > ?) ORDER BY p.id LIMIT ?`).all(f.after ?? '', f.now.getTime(), f.limit)
    : db.q(`SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id AND r.deleted_at IS NULL AND r.name = ?
            WHERE p.id > ? AND (p.expires_at IS NULL OR p.expires_at > ?) ORDER BY p.id LIMIT ?`).all(f.repository, f.after ?? '', f.now.getTime(), f.limit);
  return (rows as PinRow[]).map(toPin);
}

export function findPin(db: Db, id: string): Pin | null {
  const row = db.q(`SELECT ${PIN_COLUMNS} FROM pins p JOIN repositories r ON r.id = p.repo_id AND r.deleted_at IS NULL WHERE p.id = ?`).get(id) as PinRow | undefined;
  return row ? toPin(row) : null;
}

/** Removes a pin; the manifest and the children it protected are reviewed by GC again if nothing else holds them. */
export function deletePin(db: Db, queue: ReviewQueue, id: string, actor: Actor, at: Date): Pin | null {
  return db.tx(() => {
    const row = db.q(`SELECT ${PIN_COLUMNS}, p.repo_id AS repo_id FROM pins p JOIN repositories r ON r.id = p.repo_id WHERE p.id = ?`)
      .get(id) as (PinRow & { repo_id: string }) | undefined;
    if (!row) return null;
    db.q('DELETE FROM pins WHERE id = ?').run(id);
    releaseProtected(db, queue, row.repo_id, row.digest, at);
    audit(db, actor, at, 'pin.delete', row.repository, row.digest, { pin: id });
    return toPin(row);
  });
}

/**
 * What the pin protected: the manifest, its descendants and (a referrer's pin protects its subject through the
 * delete cascade) the subjects it hangs from; each that is now an orphan is queued (a pin may have kept GC off it).
 */
export function releaseProtected(db: Db, queue: ReviewQueue, repoId: string, digest: string, at: Date): void {
  const below = db.q(`WITH RECURSIVE down(digest, depth) AS (
                        SELECT ?, 0
                        UNION SELECT c.child_digest, down.depth + 1 FROM down CROSS JOIN manifest_children c ON c.repo_id = ? AND c.parent_digest = down.digest
                        WHERE down.depth < ${MAX_DEPTH})
                      SELECT DISTINCT digest FROM down`).all(digest, repoId) as Array<{ digest: string }>;
  const subjects = db.q(`WITH RECURSIVE up(digest, depth) AS (
                           SELECT ?, 0
                           UNION SELECT m.subject, up.depth + 1 FROM manifests m JOIN up ON m.repo_id = ? AND m.digest = up.digest
                           WHERE m.subject IS NOT NULL AND up.depth < ${MAX_DEPTH})
                         SELECT DISTINCT digest FROM up WHERE depth > 0`).all(digest, repoId) as Array<{ digest: string }>;
  queue.releaseManifests(repoId, [...below, ...subjects].map((r) => r.digest), at);
}

/**
 * Pins protecting any of `digests` (each, or an index above it): explicit unexpired pins, then automatic pins for
 * manifests pulled since `policy.pulledSince`. Runs inside the caller's delete transaction.
 */
export function protectingPins(db: Db, repoId: string, repository: string, digests: readonly string[], policy: PinPolicy, at: Date): Pin[] {
  const explicit = db.q(`WITH RECURSIVE up(digest, depth) AS (
                           SELECT ?, 0
                           UNION SELECT c.parent_digest, up.depth + 1 FROM up CROSS JOIN manifest_children c ON c.repo_id = ? AND c.child_digest = up.digest
                           WHERE up.depth < ${MAX_DEPTH})
                         SELECT p.id, ? AS repository, m.digest AS digest, p.reason, p.owner, p.created_at, p.expires_at, m.last_pulled_at
                         FROM (SELECT DISTINCT digest FROM up) u
                         CROSS JOIN manifests m ON m.repo_id = ? AND m.digest = u.digest AND m.deleted_at IS NULL
                         LEFT JOIN pins p ON p.repo_id = m.repo_id AND p.digest = m.digest AND (p.expires_at IS NULL OR p.expires_at > ?)`);
  const found = new Map<string, Pin>();
  const since = policy.pulledSince?.getTime();
  for (const digest of digests) {
    const rows = explicit.all(digest, repoId, repository, repoId, at.getTime()) as Array<PinRow & { last_pulled_at: number | null; id: string | null }>;
    for (const r of rows) {
      if (r.id !== null) found.set(r.id, toPin(r));
      if (since !== undefined && r.last_pulled_at !== null && r.last_pulled_at >= since) {
        found.set(`auto-pull:${r.digest}`, autoPin(repository, r.digest, r.last_pulled_at, at.getTime() - since));
      }
    }
    if (found.size >= MAX_NAMED) break;
  }
  return [...found.values()];
}

/** Every pin of a repository (a repository delete), explicit and automatic, bounded. */
export function repositoryPins(db: Db, repoId: string, repository: string, policy: PinPolicy, at: Date): Pin[] {
  const pins = (db.q(`SELECT p.id, ? AS repository, p.digest, p.reason, p.owner, p.created_at, p.expires_at FROM pins p
                      WHERE p.repo_id = ? AND (p.expires_at IS NULL OR p.expires_at > ?) ORDER BY p.id LIMIT ?`)
    .all(repository, repoId, at.getTime(), MAX_NAMED) as PinRow[]).map(toPin);
  if (policy.pulledSince === null || pins.length >= MAX_NAMED) return pins;
  const since = policy.pulledSince.getTime();
  const pulled = db.q(`SELECT digest, last_pulled_at FROM manifests WHERE repo_id = ? AND deleted_at IS NULL AND last_pulled_at >= ? LIMIT ?`)
    .all(repoId, since, MAX_NAMED - pins.length) as Array<{ digest: string; last_pulled_at: number }>;
  return [...pins, ...pulled.map((m) => autoPin(repository, m.digest, m.last_pulled_at, at.getTime() - since))];
}

/** An override: the explicit pins among `pins` are removed (automatic ones simply stop counting). */
export function breakPins(db: Db, pins: readonly Pin[]): void {
  const remove = db.q('DELETE FROM pins WHERE id = ?');
  for (const p of pins) if (p.id !== 'auto-pull') remove.run(p.id);
}
