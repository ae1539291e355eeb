// Resumable upload sessions: the bytes live in the blob store, this table remembers how many are durable so a
// client (or another replica) can resume; the offset moves only by compare-and-set.
import type { Digest, UploadPart, UploadSession } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';

export interface UploadRow {
  id: string;
  repository: string;
  received: number;
  started_at: number;
  updated_at: number;
  digest: string | null;
  owner: string | null;
}
export interface UploadPartRow {
  start: number;
  size: number;
  ref: string;
}

/** The columns a new session writes, in the order the INSERTs bind them. */
export const UPLOAD_COLUMNS = 'id, repository, received, started_at, updated_at, owner';
/** The columns of an UploadRow (with the claimed digest). */
export const UPLOAD_READ_COLUMNS = `${UPLOAD_COLUMNS}, digest`;

const toUploadPart = (p: UploadPartRow): UploadPart => ({ offset: p.start, size: p.size, ref: p.ref });

export const toUpload = (r: UploadRow, parts?: UploadPartRow[]): UploadSession => ({
  id: r.id,
  repository: r.repository,
  offset: r.received,
  startedAt: new Date(r.started_at),
  updatedAt: new Date(r.updated_at),
  claimed: r.digest as Digest | null,
  ...(r.owner !== null ? { owner: r.owner } : {}),
  ...(parts ? { parts: parts.map(toUploadPart) } : {}),
});

// Each write here is one statement on one row, atomic on its own, so none waits for the registry lock: a PATCH
// of a big upload never queues behind a push's manifest.
export function* createUpload(s: UploadSession): Q<void> {
  yield* run(
    `INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
    s.id,
    s.repository,
    s.offset,
    s.startedAt.getTime(),
    s.updatedAt.getTime(),
    s.owner ?? null,
  );
}

export function* getUpload(id: string): Q<UploadSession | null> {
  const row = yield* get<UploadRow>(`SELECT ${UPLOAD_READ_COLUMNS} FROM uploads WHERE id = $1`, id);
  if (!row) return null;
  // Nothing received, no part below it to read: a blob sent whole with its closing PUT skips a round trip.
  const parts =
    row.received === 0
      ? []
      : yield* all<UploadPartRow>('SELECT start, size, ref FROM upload_parts WHERE upload_id = $1 AND start < $2 ORDER BY start', id, row.received);
  return toUpload(row, parts);
}

/** The offset's compare-and-set and the part it accepts, in one transaction (the UPDATE's row lock orders racing advances). */
export function* advanceUpload(id: string, from: number, to: number, at: Date, ref: string): Q<boolean> {
  if ((yield* run('UPDATE uploads SET received = $1, updated_at = $2 WHERE id = $3 AND received = $4', to, at.getTime(), id, from)) !== 1) return false;
  yield* run('DELETE FROM upload_parts WHERE upload_id = $1 AND start >= $2', id, from);
  if (to > from) yield* run('INSERT INTO upload_parts (upload_id, start, size, ref) VALUES ($1, $2, $3, $4)', id, from, to - from, ref);
  return true;
}

export function* deleteUpload(id: string): Q<void> {
  // The session row first: its row lock orders this against a racing advanceUpload (which locks the same row before
  // writing a part), so no part can be recorded after its session is gone.
  yield* run('DELETE FROM uploads WHERE id = $1', id);
  yield* run('DELETE FROM upload_parts WHERE upload_id = $1', id);
}

/** Oldest first, so an expiry sweep with a small limit always makes progress. */
export function* listIdleUploads(before: Date, limit: number): Q<UploadSession[]> {
  if (limit <= 0) return [];
  return (yield* all<UploadRow>(
    `SELECT ${UPLOAD_READ_COLUMNS} FROM uploads WHERE updated_at < $1 ORDER BY updated_at, id LIMIT $2`,
    before.getTime(),
    limit,
  )).map((r) => toUpload(r));
}

/** Takes the session over for `owner` (an append or commit on another process than the last one); false when it is gone. */
export function* adoptUpload(id: string, owner: string, at: Date): Q<boolean> {
  return (yield* run('UPDATE uploads SET owner = $1, updated_at = $2 WHERE id = $3', owner, at.getTime(), id)) === 1;
}

/**
 * A session is abandoned when nobody touched it since `idleBefore` and its owner holds no lease still running at `now`
 * (by the expiry the owner wrote; a lease renewed before leases had one counts as running if renewed since `idleBefore`).
 */
const ABANDONED = `owner IS NOT NULL AND updated_at < $1
  AND NOT EXISTS (SELECT 1 FROM process_leases p WHERE p.id = uploads.owner
    AND (p.expires_at >= $2 OR (p.expires_at IS NULL AND p.renewed_at >= $1)))`;

/** Abandoned sessions, oldest first. */
export function* listAbandonedUploads(idleBefore: Date, now: Date, limit: number): Q<UploadSession[]> {
  if (limit <= 0) return [];
  return (yield* all<UploadRow>(
    `SELECT ${UPLOAD_READ_COLUMNS} FROM uploads WHERE ${ABANDONED} ORDER BY updated_at, id LIMIT $3`,
    idleBefore.getTime(),
    now.getTime(),
    limit,
  )).map((r) => toUpload(r));
}

/** Deletes the session only if it is still abandoned (compare-and-delete: a process that adopted it meanwhile keeps it). */
export function* expireAbandonedUpload(id: string, idleBefore: Date, now: Date): Q<boolean> {
  if ((yield* run(`DELETE FROM uploads WHERE id = $3 AND ${ABANDONED}`, idleBefore.getTime(), now.getTime(), id)) !== 1) return false;
  yield* run('DELETE FROM upload_parts WHERE upload_id = $1', id);
  return true;
}

/**
 * The heartbeat of a process: its lease row, renewed to run until `expiresAt`; rows nobody renewed since `forgetBefore`
 * go (their owners are dead).
 */
export function* renewProcessLease(id: string, at: Date, expiresAt: Date, forgetBefore: Date): Q<void> {
  yield* run(
    `INSERT INTO process_leases (id, started_at, renewed_at, expires_at) VALUES ($1, $2, $2, $3)
     ON CONFLICT (id) DO UPDATE SET renewed_at = excluded.renewed_at, expires_at = excluded.expires_at`,
    id,
    at.getTime(),
    expiresAt.getTime(),
  );
  yield* run('DELETE FROM process_leases WHERE renewed_at < $1', forgetBefore.getTime());
}

/** A process that stops gives its lease up, so its idle sessions need not wait for the lease to run out. */
export function* endProcessLease(id: string): Q<void> {
  yield* run('DELETE FROM process_leases WHERE id = $1', id);
}
