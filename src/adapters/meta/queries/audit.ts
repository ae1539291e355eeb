// The audit trail: who changed what through which dialect, written inside the mutation's own transaction so an
// event exists exactly when the change does.
import type { Actor, AuditEvent } from '../../../core/index.ts';
import { all, type Q, run } from '../sql/query.ts';

export interface AuditRow {
  id: number;
  at: number;
  principal: string;
  dialect: string;
  action: string;
  repository: string | null;
  target: string | null;
  detail: string | null;
}

/** Every column of an AuditRow; callers append `WHERE ...`. */
export const AUDIT_EVENTS = 'SELECT id, at, principal, dialect, action, repository, target, detail FROM audit_events';

export const toAuditEvent = (r: AuditRow): AuditEvent => ({
  id: r.id,
  at: new Date(r.at),
  principal: r.principal,
  dialect: r.dialect,
  action: r.action,
  repository: r.repository,
  target: r.target,
  detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
});

export function* audit(actor: Actor, at: Date, action: string, repository: string | null, target: string | null, detail?: Record<string, unknown>): Q<void> {
  yield* run(
    'INSERT INTO audit_events (at, principal, dialect, action, repository, target, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
    at.getTime(),
    actor.principal,
    actor.dialect,
    action,
    repository,
    target,
    detail === undefined ? null : JSON.stringify(detail),
  );
}

/**
 * Newest first; `before` is the id of the last event of the previous page; `action` matches a prefix ("manifest.").
 * The optional filters are CAST: PostgreSQL cannot infer the type of a parameter only compared with NULL.
 */
export function* listAudit(q: { before?: number | undefined; limit: number; repository?: string | undefined; action?: string | undefined }): Q<AuditEvent[]> {
  if (q.limit <= 0) return [];
  const rows = yield* all<AuditRow>(
    `${AUDIT_EVENTS}
    WHERE id < $1 AND (CAST($2 AS TEXT) IS NULL OR repository = CAST($2 AS TEXT))
      AND (CAST($3 AS TEXT) IS NULL OR substr(action, 1, length(CAST($3 AS TEXT))) = CAST($3 AS TEXT))
    ORDER BY id DESC LIMIT $4`,
    q.before ?? Number.MAX_SAFE_INTEGER,
    q.repository ?? null,
    q.action ?? null,
    q.limit,
  );
  return rows.map(toAuditEvent);
}
