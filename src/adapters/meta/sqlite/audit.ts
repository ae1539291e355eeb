// The audit trail: who changed what through which dialect, written inside the mutation's own transaction so an
// event exists exactly when the change does.
import type { Actor, AuditEvent } from '../../../core/index.ts';
import { AUDIT_EVENTS, toAuditEvent, type AuditRow } from '../rows-audit.ts';
import type { Db } from './db.ts';

export function audit(db: Db, actor: Actor, at: Date, action: string, repository: string | null, target: string | null, detail?: Record<string, unknown>): void {
  db.q('INSERT INTO audit_events (at, principal, dialect, action, repository, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(at.getTime(), actor.principal, actor.dialect, action, repository, target, detail === undefined ? null : JSON.stringify(detail));
}

/** Newest first; `before` is the id of the last event of the previous page; `action` matches a prefix ("manifest."). */
export function listAudit(db: Db, q: { before?: number | undefined; limit: number; repository?: string | undefined; action?: string | undefined }): AuditEvent[] {
  if (q.limit <= 0) return [];
  const rows = db.q(`${AUDIT_EVENTS}
                     WHERE id < ? AND (? IS NULL OR repository = ?) AND (? IS NULL OR substr(action, 1, length(?)) = ?)
                     ORDER BY id DESC LIMIT ?`)
    .all(q.before ?? Number.MAX_SAFE_INTEGER, q.repository ?? null, q.repository ?? null, q.action ?? null, q.action ?? null, q.action ?? null, q.limit) as AuditRow[];
  return rows.map(toAuditEvent);
}
