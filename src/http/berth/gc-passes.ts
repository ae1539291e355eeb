// The GC pass history over HTTP (console issue 17): the passes of every replica and the CLI, newest first, one pass
// with its progress, and the bytes reclaimed per day for a chart. Registry-wide, so admin everywhere as /gc.
import { DAY_MS, type GcPass, RegistryError } from '../../core/index.ts';
import { type BerthHandler, REGISTRY_ADMIN, sendJson } from './context.ts';
import { berthErrorBody } from './errors.ts';
import { pageLimit, positiveIntParam } from './input.ts';

export interface GcPassJson {
  id: number;
  trigger: GcPass['trigger'];
  dryRun: boolean;
  state: GcPass['state'];
  startedAt: string;
  finishedAt: string | null;
  updatedAt: string;
  replica: string;
  progress: GcPass['progress'];
  report: GcPass['report'];
  error: string | null;
}

export function gcPassJson(p: GcPass): GcPassJson {
  return {
    id: p.id,
    trigger: p.trigger,
    dryRun: p.dryRun,
    state: p.state,
    startedAt: p.startedAt.toISOString(),
    finishedAt: p.finishedAt?.toISOString() ?? null,
    updatedAt: p.updatedAt.toISOString(),
    replica: p.replica,
    progress: p.progress,
    report: p.report,
    error: p.error,
  };
}

/** Where a pass is read (the Location of an accepted POST /gc). */
export function gcPassPath(id: number): string {
  return `/berth/v1/gc/passes/${id}`;
}

/** A pass id from the path: a positive whole number, else 400 (checked before the lookup). */
export function passIdParam(raw: string): number {
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new RegistryError('INVALID_REQUEST', `a GC pass id is a positive whole number, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/** The catalogue has no code for an unknown pass; the berth API's generic NOT_FOUND says it in the same shape. */
export function sendPassUnknown(reply: Parameters<BerthHandler>[0]['reply'], id: number): void {
  sendJson(reply, 404, berthErrorBody('NOT_FOUND', `no GC pass ${id} (the history keeps the newest 1,000)`));
}

export const getGcPasses: BerthHandler<{ kind: 'gc-passes' }> = async ({ ctx, query, reply, authorize }) => {
  const before = positiveIntParam(query, 'before');
  const limit = pageLimit(query);
  await authorize([REGISTRY_ADMIN]);
  const passes = await ctx.deps.meta.listGcPasses({ before, limit: limit + 1 }, ctx.deps.clock.now());
  const page = passes.slice(0, limit);
  sendJson(reply, 200, { passes: page.map(gcPassJson), next: passes.length > limit ? String(page.at(-1)!.id) : null });
};

export const getGcPass: BerthHandler<{ kind: 'gc-pass'; id: string }> = async ({ ctx, route, reply, authorize }) => {
  const id = passIdParam(route.id);
  await authorize([REGISTRY_ADMIN]);
  const pass = await ctx.deps.meta.findGcPass(id, ctx.deps.clock.now());
  if (!pass) return sendPassUnknown(reply, id);
  sendJson(reply, 200, { pass: gcPassJson(pass) });
};

/** The chart's range: 1 to a year of days, 30 unless asked. */
const MAX_DAYS = 366;

/** Every day of the range, oldest first, zero where no pass reclaimed anything (a chart needs no gaps filled). */
export const getGcReclaimed: BerthHandler<{ kind: 'gc-reclaimed' }> = async ({ ctx, query, reply, authorize }) => {
  const raw = query.get('days');
  if (raw !== null && !/^[1-9]\d{0,3}$/.test(raw)) throw new RegistryError('INVALID_REQUEST', `days must be a whole number from 1 to ${MAX_DAYS}`);
  const days = raw === null ? 30 : Number(raw);
  if (days > MAX_DAYS) throw new RegistryError('INVALID_REQUEST', `days must be a whole number from 1 to ${MAX_DAYS}`);
  await authorize([REGISTRY_ADMIN]);
  const today = Math.floor(ctx.deps.clock.now().getTime() / DAY_MS);
  const first = today - days + 1;
  const sums = new Map((await ctx.deps.meta.gcReclaimedByDay(new Date(first * DAY_MS))).map((d) => [d.day, d]));
  const out = [];
  for (let day = first; day <= today; day++) {
    const s = sums.get(day);
    out.push({ day: new Date(day * DAY_MS).toISOString().slice(0, 10), bytes: s?.bytes ?? 0, blobs: s?.blobs ?? 0, passes: s?.passes ?? 0 });
  }
  sendJson(reply, 200, { days: out });
};
