// The audit trail: who changed what through which dialect, written inside the mutation's own transaction so an
// event exists exactly when the change does.
import type { Actor, AuditEvent } from '../../../core/index.ts';
import type { Db } from './db.ts';

interface AuditRow { id: number; at: number; principal: string; dialect: string; action: string; repository: string | null; target: string | null; detail: string | null }

export function audit(db: Db, actor: Actor, at: Date, action: string, repository: string | null, target: string | null, detail?: Record<string, unknown>): void {
  db.q('INSERT INTO audit_events (at, principal, dialect, action, repository, target, detail) VALUES (?, ?, ?, ?, ?, ?, ?)')
    .run(at.getTime(), actor.principal, actor.dialect, action, repository, target, detail === undefined ? null : JSON.stringify(detail));
}

/** Newest first; `before` is the id of the last event of the previous page; `action` matches a prefix ("manifest."). */
export function listAudit(db: Db, q: { before?: number | undefined; limit: number; repository?: string | undefined; action?: string | undefined }): AuditEvent[] {
  if (q.limit <= 0) return [];
  const rows = db.q(`SELECT id, at, principal, dialect, action, repository, target, detail FROM audit_events
                     WHERE id < ? AND (? IS NULL OR repository = ?) AND (? IS NULL OR substr(action, 1, length(?)) = ?)
                     ORDER BY id DESC LIMIT ?`)
    .all(q.before ?? Number.MAX_SAFE_INTEGER, q.repository ?? null, q.repository ?? null, q.action ?? null, q.action ?? null, q.action ?? null, q.limit) as AuditRow[];
  return rows.map((r) => ({
    id: r.id, at: new Date(r.at), principal: r.principal, dialect: r.dialect, action: r.action, repository: r.repository,
    target: r.target, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
  }));
}
