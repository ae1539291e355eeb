// A GC pass with its entry in the shared pass history: the row exists before the pass does any work (so an API
// caller gets its id at once), its progress is written at most once a second with a renewed lease, and it ends with
// the report or the error. A process that dies leaves a row whose lease runs out, read from then on as failed.
import type { GcPass, GcPassProgress, GcTrigger } from '../../ports/gc-history.ts';
import type { RegistryDeps, UsesMeta } from '../deps.ts';
import type { GcDeps, GcOptions, GcProgress, GcReport } from './options.ts';
import { runGc } from './sweep.ts';

/** A running pass not renewed for this long is abandoned; renewed every tenth of it even while no progress comes. */
export const GC_PASS_LEASE_MS = 60_000;
/** The history keeps the newest passes only. */
export const GC_PASSES_KEPT = 1_000;
/** Progress reaches the store at most this often (and at least this often while it changes). */
export const GC_PROGRESS_EVERY_MS = 1_000;
const RENEW_EVERY_MS = GC_PASS_LEASE_MS / 10;

export type GcHistoryDeps = UsesMeta<'startGcPass' | 'progressGcPass' | 'finishGcPass'> & Pick<RegistryDeps, 'clock'>;

export interface RecordedGcPass {
  /** The pass as recorded when it started (state running). */
  pass: GcPass;
  /** Settles when the pass and its record end. */
  report: Promise<GcReport>;
}

/** A dry run's plan keeps this many entries per list in the history (its counts and bytes cover everything). */
export const STORED_PLAN_ENTRIES = 100;

/**
 * The report as stored in the history: JSON, times as ISO strings (as the berth API shows reports). A dry run's plan
 * lists up to 10,000 entries per kind; a thousand of those rows would weigh gigabytes, so the history keeps the first few.
 */
export function storedReport(r: GcReport): Record<string, unknown> {
  const plan = r.plan && {
    ...r.plan,
    manifests: r.plan.manifests.slice(0, STORED_PLAN_ENTRIES),
    trash: r.plan.trash.slice(0, STORED_PLAN_ENTRIES),
    blobs: r.plan.blobs.slice(0, STORED_PLAN_ENTRIES),
  };
  return { ...r, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt.toISOString(), ...(plan ? { plan } : {}) };
}

/**
 * Records a pass as started by `trigger` on `replica`, then runs it; resolves once the record exists. Failures of the
 * history writes after the start never fail the pass (they are reported to `onError`).
 */
export async function startRecordedGc(
  deps: GcDeps & GcHistoryDeps,
  o: GcOptions,
  who: { trigger: GcTrigger; replica: string },
  onError: (err: unknown) => void = () => undefined,
): Promise<RecordedGcPass> {
  const leaseFrom = (at: Date): Date => new Date(at.getTime() + GC_PASS_LEASE_MS);
  const at = deps.clock.now();
  const pass = await deps.meta.startGcPass({ ...who, dryRun: o.dryRun, at, leaseUntil: leaseFrom(at), keep: GC_PASSES_KEPT });

  let latest: GcPassProgress | null = null;
  let written: GcPassProgress | null = null;
  let writtenAt = at.getTime();
  let writing: Promise<void> = Promise.resolve();
  const flush = (): void => {
    const now = deps.clock.now();
    if (latest === written && now.getTime() - writtenAt < RENEW_EVERY_MS) return;
    const progress = latest;
    written = progress;
    writtenAt = now.getTime();
    writing = writing.then(() => deps.meta.progressGcPass(pass.id, progress, now, leaseFrom(now))).catch(onError);
  };
  const timer = setInterval(flush, GC_PROGRESS_EVERY_MS);
  timer.unref();
  const onProgress = (p: GcProgress): void => {
    latest = { phase: p.phase, done: p.done, total: p.total };
    o.onProgress?.(p);
  };

  const report = (async (): Promise<GcReport> => {
    try {
      const r = await runGc(deps, { ...o, onProgress });
      clearInterval(timer);
      await writing;
      if (latest !== written) await deps.meta.progressGcPass(pass.id, latest, deps.clock.now(), leaseFrom(deps.clock.now())).catch(onError);
      await deps.meta
        .finishGcPass(
          pass.id,
          { state: 'done', report: storedReport(r), totals: { blobsRemoved: r.blobsRemoved, bytesReclaimed: r.bytesReclaimed } },
          deps.clock.now(),
        )
        .catch(onError);
      return r;
    } catch (err) {
      clearInterval(timer);
      await writing;
      const error = err instanceof Error ? err.message : String(err);
      await deps.meta.finishGcPass(pass.id, { state: 'failed', error }, deps.clock.now()).catch(onError);
      throw err;
    }
  })();
  // Whoever started it may not wait for the report (the API's wait:false); the rejection is theirs to see, not a crash.
  report.catch(() => undefined);
  return { pass, report };
}

/** Runs a pass and records it; resolves with its report (the CLI and a waiting API call). */
export async function runRecordedGc(
  deps: GcDeps & GcHistoryDeps,
  o: GcOptions,
  who: { trigger: GcTrigger; replica: string },
  onError?: (err: unknown) => void,
): Promise<GcReport> {
  return (await startRecordedGc(deps, o, who, onError)).report;
}
