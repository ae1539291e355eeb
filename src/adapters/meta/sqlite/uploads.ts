// Resumable upload sessions: the bytes live in the blob store, this table remembers how many are durable so a
// client (or a restarted server) can resume; the offset moves only by compare-and-set.
import type { UploadSession } from '../../../core/index.ts';
import { toUpload, UPLOAD_COLUMNS, UPLOAD_READ_COLUMNS, type UploadPartRow, type UploadRow } from '../rows-uploads.ts';
import type { Db } from './db.ts';

export function createUpload(db: Db, s: UploadSession): void {
  db.tx(() => db.q(`INSERT INTO uploads (${UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?)`)
    .run(s.id, s.repository, s.offset, s.startedAt.getTime(), s.updatedAt.getTime()));
}

export function getUpload(db: Db, id: string): UploadSession | null {
  const row = db.q(`SELECT ${UPLOAD_READ_COLUMNS} FROM uploads WHERE id = ?`).get(id) as UploadRow | undefined;
  if (!row) return null;
  const parts = db.q('SELECT start, size, ref FROM upload_parts WHERE upload_id = ? AND start < ? ORDER BY start').all(id, row.received) as UploadPartRow[];
  return toUpload(row, parts);
}

export function advanceUpload(db: Db, id: string, from: number, to: number, at: Date, ref: string): boolean {
  return db.tx(() => {
    if (db.q('UPDATE uploads SET received = ?, updated_at = ? WHERE id = ? AND received = ?').run(to, at.getTime(), id, from).changes !== 1) return false;
    // A part recorded at or past `from` can only be left from a rewound session; the new one replaces it.
    db.q('DELETE FROM upload_parts WHERE upload_id = ? AND start >= ?').run(id, from);
    if (to > from) db.q('INSERT INTO upload_parts (upload_id, start, size, ref) VALUES (?, ?, ?, ?)').run(id, from, to - from, ref);
    return true;
  });
}

export function deleteUpload(db: Db, id: string): void {
  db.tx(() => {
    db.q('DELETE FROM upload_parts WHERE upload_id = ?').run(id);
    db.q('DELETE FROM uploads WHERE id = ?').run(id);
  });
}

/** Oldest first, so an expiry sweep with a small limit always makes progress. */
export function listIdleUploads(db: Db, before: Date, limit: number): UploadSession[] {
  if (limit <= 0) return [];
  return (db.q(`SELECT ${UPLOAD_READ_COLUMNS} FROM uploads WHERE updated_at < ? ORDER BY updated_at, id LIMIT ?`)
    .all(before.getTime(), limit) as UploadRow[]).map((r) => toUpload(r));
}
