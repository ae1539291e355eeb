// The JSON shapes of the berth API: dates as ISO strings, absent values as null, stable field names.
import type { AuditEvent, DeletedTag, GcReport, Pin } from '../../core/index.ts';
import type { GcStatus } from '../../gc/index.ts';

export interface PinJson {
  id: string;
  repository: string;
  digest: string;
  reason: string;
  owner: string;
  createdAt: string;
  expiresAt: string | null;
  /** The pin set that wrote it (pin sync); null for a pin made by hand. */
  source: string | null;
}

export function pinJson(p: Pin): PinJson {
  return {
    id: p.id,
    repository: p.repository,
    digest: p.digest,
    reason: p.reason,
    owner: p.owner,
    createdAt: p.createdAt.toISOString(),
    expiresAt: p.expiresAt?.toISOString() ?? null,
    source: p.source,
  };
}

export function deletedTagJson(t: DeletedTag): { tag: string; digest: string; deletedAt: string } {
  return { tag: t.tag, digest: t.digest, deletedAt: t.deletedAt.toISOString() };
}

export function auditJson(e: AuditEvent): Omit<AuditEvent, 'at'> & { at: string } {
  return { ...e, at: e.at.toISOString() };
}

export type GcReportJson = Omit<GcReport, 'startedAt' | 'finishedAt'> & { startedAt: string; finishedAt: string };

export function gcReportJson(r: GcReport): GcReportJson {
  return { ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString() };
}

export function gcStatusJson(s: GcStatus): Omit<GcStatus, 'last'> & { last: GcReportJson | null } {
  return { ...s, last: s.last ? gcReportJson(s.last) : null };
}
