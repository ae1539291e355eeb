// Online GC inside `berth serve`: a pass on a timer and on demand, one at a time in this process (other processes
// and replicas may sweep concurrently; the store's compare-and-act steps make that safe), with totals for metrics.
import { hostname } from 'node:os';
import { type GcDeps, type GcHistoryDeps, type GcOptions, type GcReport, type GcTrigger, type RecordedGcPass, startRecordedGc } from '../core/index.ts';

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

/** How this process is named in the GC pass history: its host and pid (replicas and the CLI tell apart). */
export function replicaName(): string {
  return `${hostname()}:${process.pid}`;
}

type RunOverrides = Partial<Pick<GcOptions, 'graceMs' | 'dryRun' | 'onProgress'>>;

export class GcScheduler {
  readonly #deps: GcDeps & GcHistoryDeps;
  /** Names this process in the pass history (host and pid). */
  readonly #replica: string;
  readonly #defaults: Pick<GcOptions, 'graceMs' | 'restoreWindowMs'>;
  readonly #onError: (err: unknown) => void;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<RecordedGcPass> | null = null;
  #last: GcReport | null = null;
  #lastError: string | null = null;
  readonly #totals: GcTotals = { runs: 0, blobsRemoved: 0, bytesReclaimed: 0, manifestsCollected: 0, manifestsPurged: 0, errors: 0, lastSweepRate: 0 };

  constructor(deps: GcDeps & GcHistoryDeps, defaults: Pick<GcOptions, 'graceMs' | 'restoreWindowMs'>, onError: (err: unknown) => void, replica = 'berth') {
    this.#deps = deps;
    this.#replica = replica;
    this.#defaults = defaults;
    this.#onError = onError;
  }

  /** Runs a pass every `intervalMs` (0 = never on its own); the first one after one interval. */
  start(intervalMs: number): void {
    if (intervalMs <= 0) return;
    this.#timer = setInterval(() => {
      if (this.#current === null) this.run({}, 'schedule').catch(this.#onError);
    }, intervalMs);
    this.#timer.unref();
  }

  /** Runs a pass now; a dry run runs beside a real pass, a real pass waits for the one in progress. */
  async run(overrides: RunOverrides, trigger: GcTrigger = 'api'): Promise<GcReport> {
    if (overrides.dryRun) return (await this.#start(overrides, trigger)).report;
    while (this.#current) await this.#current.then((c) => c.report).catch(() => undefined);
    return (await this.#startReal(overrides, trigger)).report;
  }

  /** Starts a pass and answers once it is recorded; a real pass while one runs here answers with the running one. */
  async begin(overrides: RunOverrides, trigger: GcTrigger = 'api'): Promise<RecordedGcPass> {
    if (overrides.dryRun) return this.#start(overrides, trigger);
    return this.#current ?? this.#startReal(overrides, trigger);
  }

  #start(overrides: RunOverrides, trigger: GcTrigger): Promise<RecordedGcPass> {
    const options: GcOptions = { ...this.#defaults, dryRun: false, ...overrides, signal: this.#abort.signal };
    return startRecordedGc(this.#deps, options, { trigger, replica: this.#replica }, this.#onError);
  }

  /** Set before the first await, so two callers never start two real passes in this process. */
  #startReal(overrides: RunOverrides, trigger: GcTrigger): Promise<RecordedGcPass> {
    const fail = (err: unknown): never => {
      this.#totals.errors++;
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#current = null;
      throw err;
    };
    const current = this.#start({ ...overrides, dryRun: false }, trigger).then((started) => {
      const report = started.report.then((r) => {
        this.#record(r);
        this.#current = null;
        return r;
      }, fail);
      report.catch(() => undefined);
      return { pass: started.pass, report };
    }, fail);
    this.#current = current;
    return current;
  }

  /** The grace period and restore window a pass uses unless told otherwise (the API's stats use the same clock). */
  get defaults(): Pick<GcOptions, 'graceMs' | 'restoreWindowMs'> {
    return { ...this.#defaults };
  }

  /** Aborted when the server stops (open progress streams end with it). */
  get stopping(): AbortSignal {
    return this.#abort.signal;
  }

  status(): GcStatus {
    return { running: this.#current !== null, last: this.#last, lastError: this.#lastError, totals: { ...this.#totals } };
  }

  /** Stops the timer and lets a pass in progress end at its next batch boundary. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#abort.abort();
    await this.#current?.then((c) => c.report).catch(() => undefined);
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
