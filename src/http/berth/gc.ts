// Garbage collection over HTTP: run a pass (or a dry run) now, and see what the queue holds and how past passes
// went. Registry-wide, so it needs admin on every repository.
import { z } from 'zod';
import { gcClock } from '../../core/index.ts';
import { type BerthHandler, REGISTRY_ADMIN, sendJson } from './context.ts';
import { gcPassJson, gcPassPath } from './gc-passes.ts';
import { durationField, readJson } from './input.ts';
import { gcReportJson, gcStatusJson } from './wire.ts';

const GcBody = z.strictObject({
  dryRun: z.boolean().optional(),
  /** Overrides gc.grace for this pass, e.g. "10m". */
  grace: z.string().optional(),
  /** false: answer 202 with the recorded pass at once (the running one, if a real pass runs here already). */
  wait: z.boolean().optional(),
});

/** Runs a pass and answers with its report once it ends (a real pass waits for one already running), or at once. */
export const postGc: BerthHandler<{ kind: 'gc' }> = async ({ ctx, req, reply, authorize }) => {
  const body = await readJson(req, GcBody);
  const graceMs = durationField('grace', body.grace);
  await authorize([REGISTRY_ADMIN]);
  const overrides = { dryRun: body.dryRun === true, ...(graceMs === undefined ? {} : { graceMs }) };
  if (body.wait === false) {
    const { pass } = await ctx.gc.begin(overrides, 'api');
    reply.header('location', gcPassPath(pass.id));
    sendJson(reply, 202, { pass: gcPassJson(pass) });
    return;
  }
  const report = await ctx.gc.run(overrides, 'api');
  sendJson(reply, 200, gcReportJson(report));
};

/** `status.last` is the newest real pass in the shared history (any replica, or the CLI); the rest is this process's. */
export const getGc: BerthHandler<{ kind: 'gc' }> = async ({ ctx, reply, authorize }) => {
  await authorize([REGISTRY_ADMIN]);
  const stats = await ctx.deps.meta.gcStats(gcClock(ctx.deps, ctx.gc.defaults));
  const last = await ctx.deps.meta.lastDoneGcPass();
  sendJson(reply, 200, { status: { ...gcStatusJson(ctx.gc.status()), last: last?.report ?? null }, stats });
};
