// `berth audit`: who deleted, restored, pinned or collected what, through which API (the trail every mutation
// writes in its own transaction), newest first.
import type { Command } from 'commander';
import { listAudit, parseRepositoryName } from '../../core/index.ts';
import { action, type GlobalOptions, positiveIntArg, print, table, withDataOptions } from '../context.ts';
import { withRegistry } from './content.ts';

interface AuditOptions extends GlobalOptions {
  repository?: string;
  action?: string;
  limit?: number;
  before?: number;
}

/** The table shows the start of the detail; --json has all of it. */
function detailText(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  const text = JSON.stringify(detail);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

export function registerAudit(program: Command): void {
  withDataOptions(program.command('audit').description('list audit events, newest first'))
    .option('--repository <name>', 'only events of this repository')
    .option('--action <prefix>', 'only actions starting with this, e.g. "manifest." or "pin.create"')
    .option('--limit <n>', 'at most this many events (default 100)', positiveIntArg)
    .option('--before <id>', 'events older than this event id (the next page)', positiveIntArg)
    .action(
      action(async (o: AuditOptions) => {
        const repository = o.repository === undefined ? undefined : parseRepositoryName(o.repository);
        const events = await withRegistry(o, (r) => listAudit(r.deps, { repository, action: o.action, limit: o.limit, before: o.before }));
        const rows = events.map((e) => ({ ...e, at: e.at.toISOString() }));
        print(o, { events: rows }, () =>
          rows.length === 0
            ? 'no events'
            : table([
                ['ID', 'AT', 'WHO', 'VIA', 'ACTION', 'REPOSITORY', 'TARGET', 'DETAIL'],
                ...rows.map((e) => [String(e.id), e.at, e.principal, e.dialect, e.action, e.repository ?? '-', e.target ?? '-', detailText(e.detail)]),
              ]),
        );
      }),
    );
}
