// The audit trail over HTTP: who deleted, restored, pinned or unpinned what, through which API, newest first.
// It spans every repository, so it needs admin on every repository.
import { listAudit } from '../../core/index.ts';
import { type BerthHandler, REGISTRY_ADMIN, sendJson } from './context.ts';
import { positiveIntParam, repositoryParam, textParam } from './input.ts';
import { auditJson } from './wire.ts';

/** `before` is the id of the last event of the previous page; `action` matches a prefix ("manifest.", "pin."). */
export const getAudit: BerthHandler<{ kind: 'audit' }> = async ({ ctx, query, reply, authorize }) => {
  const q = {
    before: positiveIntParam(query, 'before'),
    limit: positiveIntParam(query, 'limit'),
    repository: repositoryParam(query),
    action: textParam(query, 'action'),
  };
  await authorize([REGISTRY_ADMIN]);
  const events = await listAudit(ctx.deps, q);
  sendJson(reply, 200, { events: events.map(auditJson) });
};
