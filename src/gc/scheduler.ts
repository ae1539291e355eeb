// Online GC inside `berth serve`: a pass on a timer and on demand, one at a time in this process (other processes
// and replicas may sweep concurrently; the store's compare-and-act steps make that safe), with totals for metrics.
import { type GcDeps, type GcOptions, type GcReport, runGc } from '../core/index.ts';

export interface GcTotals {
  runs: number;
  blobsRemoved: number;
  bytesReclaimed: number;
  manifestsCollected: number;
  manifestsPurged: number;
  errors: number;
  /** Blobs per second of the last pass that removed any. */
  lastSweepRate: number;
}

export interface GcStatus {
  running: boolean;
  last: GcReport | null;
  lastError: string | null;
  totals: GcTotals;
}

export class GcScheduler {
  readonly #deps: GcDeps;
  readonly #defaults: Pick<GcOptions, 'graceMs' | 'restoreWindowMs'>;
  readonly #onError: (err: unknown) => void;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<GcReport> | null = null;
  #last: GcReport | null = null;
  #lastError: string | null = null;
  readonly #totals: GcTotals = { runs: 0, blobsRemoved: 0, bytesReclaimed: 0, manifestsCollected: 0, manifestsPurged: 0, errors: 0, lastSweepRate: 0 };

  constructor(deps: GcDeps, defaults: Pick<GcOptions, 'graceMs' | 'restoreWindowMs'>, onError: (err: unknown) => void) {
    this.#deps = deps;
    this.#defaults = defaults;
    this.#onError = onError;
  }

  /** Runs a pass every `intervalMs` (0 = never on its own); the first one after one interval. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#current === null) this.run({}).catch(this.#onError);
    }, intervalMs);
    this.#timer.unref();
  }

  /** Runs a pass now; a dry run runs beside a real pass, a real pass waits for the one in progress. */
  async run(overrides: Partial<Pick<GcOptions, 'graceMs' | 'dryRun' | 'onProgress'>>): Promise<GcReport> {
    const options: GcOptions = { ...this.#defaults, dryRun: false, ...overrides, signal: this.#abort.signal };
    if (options.dryRun) return runGc(this.#deps, options);
    while (this.#current) await this.#current.catch(() => undefined);
    this.#current = runGc(this.#deps, options);
    try {
      const report = await this.#current;
      this.#record(report);
      return report;
    } catch (err) {
      this.#totals.errors++;
      this.#lastError = err instanceof Error ? err.message : String(err);
      throw err;
    } finally {
      this.#current = null;
    }
  }

  /** The grace period and restore window a pass uses unless told otherwise (the API's stats use the same clock). */
  get defaults(): Pick<GcOptions, 'graceMs' | 'restoreWindowMs'> {
    return { ...this.#defaults };
  }

  status(): GcStatus {
    return { running: this.#current !== null, last: this.#last, lastError: this.#lastError, totals: { ...this.#totals } };
  }

  /** Stops the timer and lets a pass in progress end at its next batch boundary. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#current?.catch(() => undefined);
  }

  #record(r: GcReport): void {
    this.#last = r;
    this.#lastError = null;
    const t = this.#totals;
    t.runs++;
    t.blobsRemoved += r.blobsRemoved;
    t.bytesReclaimed += r.bytesReclaimed;
    t.manifestsCollected += r.manifestsCollected;
    t.manifestsPurged += r.manifestsPurged + r.repositoryManifestsPurged;
    t.errors += r.errors;
    const seconds = (r.finishedAt.getTime() - r.startedAt.getTime()) / 1000;
    if (r.blobsRemoved > 0) t.lastSweepRate = r.blobsRemoved / Math.max(seconds, 0.001);
  }
}
