// Garbage collection over HTTP: run a pass (or a dry run) now, and see what the queue holds and how past passes
// went. Registry-wide, so it needs admin on every repository.
import { z } from 'zod';
import { gcClock } from '../../core/index.ts';
import { type BerthHandler, REGISTRY_ADMIN, sendJson } from './context.ts';
import { durationField, readJson } from './input.ts';
import { gcReportJson, gcStatusJson } from './wire.ts';

const GcBody = z.strictObject({
  dryRun: z.boolean().optional(),
  /** Overrides gc.grace for this pass, e.g. "10m". */
  grace: z.string().optional(),
});

/** Runs a pass and answers with its report once it ends (a real pass waits for one already running). */
export const postGc: BerthHandler<{ kind: 'gc' }> = async ({ ctx, req, reply, authorize }) => {
  const body = await readJson(req, GcBody);
  const graceMs = durationField('grace', body.grace);
  await authorize([REGISTRY_ADMIN]);
  const report = await ctx.gc.run({ dryRun: body.dryRun === true, ...(graceMs === undefined ? {} : { graceMs }) });
  sendJson(reply, 200, gcReportJson(report));
};

export const getGc: BerthHandler<{ kind: 'gc' }> = async ({ ctx, reply, authorize }) => {
  await authorize([REGISTRY_ADMIN]);
  const stats = await ctx.deps.meta.gcStats(gcClock(ctx.deps, ctx.gc.defaults));
  sendJson(reply, 200, { status: gcStatusJson(ctx.gc.status()), stats });
};
