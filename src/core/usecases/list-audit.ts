// The audit trail as callers page through it: newest first, bounded pages, optional repository/action filters.
import { RegistryError } from '../errors.ts';
import type { AuditEvent } from '../model/records.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

export async function listAudit(
  deps: UsesMeta<'listAudit'> & Pick<RegistryDeps, 'limits'>,
  q: { before?: number | undefined; limit?: number | undefined; repository?: string | undefined; action?: string | undefined },
): Promise<AuditEvent[]> {
  if (q.before !== undefined && !(Number.isSafeInteger(q.before) && q.before > 0))
    throw new RegistryError('PAGINATION_INVALID', 'before must be a positive event id');
  const limit = q.limit ?? 100;
  if (!(Number.isSafeInteger(limit) && limit > 0)) throw new RegistryError('PAGINATION_INVALID', 'limit must be a positive number');
  return deps.meta.listAudit({ before: q.before, limit: Math.min(limit, deps.limits.maxPageSize), repository: q.repository, action: q.action });
}
