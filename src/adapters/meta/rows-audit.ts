// The audit-event row and mapper, shared so the trail reads the same from either store (the paging SQL stays per store).
import type { AuditEvent } from '../../core/index.ts';

export interface AuditRow { id: number; at: number; principal: string; dialect: string; action: string; repository: string | null; target: string | null; detail: string | null }

/** Every column of an AuditRow; callers append `WHERE ...`. */
export const AUDIT_EVENTS = 'SELECT id, at, principal, dialect, action, repository, target, detail FROM audit_events';

export const toAuditEvent = (r: AuditRow): AuditEvent => ({
  id: r.id, at: new Date(r.at), principal: r.principal, dialect: r.dialect, action: r.action, repository: r.repository,
  target: r.target, detail: r.detail === null ? null : (JSON.parse(r.detail) as Record<string, unknown>),
});
