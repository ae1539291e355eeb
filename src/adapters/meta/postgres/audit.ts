// The audit trail: who changed what through which dialect, written inside the mutation's own transaction so an
// event exists exactly when the change does.
import type { Actor, AuditEvent } from '../../../core/index.ts';
import { AUDIT_EVENTS, toAuditEvent, type AuditRow } from '../rows-audit.ts';
import type { Sql } from './db.ts';

export async function audit(t: Sql, actor: Actor, at: Date, action: string, repository: string | null, target: string | null, detail?: Record<string, unknown>): Promise<void> {
  await t.run('INSERT INTO audit_events (at, principal, dialect, action, repository, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    at.getTime(), actor.principal, actor.dialect, action, repository, target, detail === undefined ? null : JSON.stringify(detail));
}

/**
 * Newest first; `before` is the id of the last event of the previous page; `action` matches a prefix ("manifest.").
 * The optional filters are typed (::text): PostgreSQL cannot infer the type of a parameter only compared with NULL.
 */
export async function listAudit(db: Sql, q: { before?: number | undefined; limit: number; repository?: string | undefined; action?: string | undefined }): Promise<AuditEvent[]> {
  if (q.limit <= 0) return [];
  const rows = await db.all<AuditRow>(`${AUDIT_EVENTS}
                     WHERE id < $1 AND ($2::text IS NULL OR repository = $2::text) AND ($3::text IS NULL OR left(action, length($3::text)) = $3::text)
                     ORDER BY id DESC LIMIT $4`,
  q.before ?? Number.MAX_SAFE_INTEGER, q.repository ?? null, q.action ?? null, q.limit);
  return rows.map(toAuditEvent);
}
