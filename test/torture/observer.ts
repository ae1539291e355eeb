// Watches online GC from outside while the torture runs: each process's own counters from /metrics (they restart with
// each process, so the last value seen per process generation is summed, over every replica) and GC failures in the logs.
import { type TortureHttp, UnknownOutcome } from './http.ts';
import type { TortureTarget } from './target.ts';

const COUNTERS = { passes: 'berth_gc_runs_total', blobsRemoved: 'berth_gc_blobs_removed_total', bytesReclaimed: 'berth_gc_reclaimed_bytes_total' } as const;
type Counter = keyof typeof COUNTERS;

export class GcObserver {
  readonly #server: TortureTarget;
  readonly #http: TortureHttp;
  /** Last value of each counter per process generation. */
  readonly #seen = new Map<string, Partial<Record<Counter, number>>>();
  #exported = false;
  #stop = false;
  #loop: Promise<void> | null = null;
  readonly gcFailures: string[] = [];

  constructor(server: TortureTarget, http: TortureHttp) {
    this.#server = server;
    this.#http = http;
  }

  start(): void {
    this.#loop = (async () => {
      for (let i = 0; i < 100_000 && !this.#stop; i++) {
        await this.#sample();
        await new Promise((r) => setTimeout(r, 500));
      }
    })();
  }

  async stop(): Promise<void> {
    if (this.#stop) return;
    this.#stop = true;
    await this.#loop;
    this.#loop = null;
    for (const log of this.#server.drainLogs()) {
      for (const line of log.split('\n')) if (/garbage collection failed/.test(line) && this.gcFailures.length < 50) this.gcFailures.push(line.slice(0, 400));
    }
  }

  async #sample(): Promise<void> {
    for (const p of this.#server.processes()) await this.#sampleOne(p.id, p.url);
  }

  async #sampleOne(id: string, base: string): Promise<void> {
    try {
      const r = await this.#http.send({ method: 'GET', target: '/metrics', base });
      if (r.status !== 200) return;
      const text = r.body.toString('utf8');
      const values: Partial<Record<Counter, number>> = {};
      for (const [key, name] of Object.entries(COUNTERS) as Array<[Counter, string]>) {
        const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
        if (m) {
          values[key] = Number(m[1]);
          this.#exported = true;
        }
      }
      this.#seen.set(id, values);
    } catch (e) {
      // Down or killed mid-request: the next sample sees the next process. Anything else is the harness's own bug.
      if (!(e instanceof UnknownOutcome) && !/was not back/.test((e as Error).message)) throw e;
    }
  }

  /** Sums over processes; null when this berth does not export GC counters. */
  totals(): Record<Counter, number | null> {
    const sum = (k: Counter): number | null => (this.#exported ? [...this.#seen.values()].reduce((s, v) => s + (v[k] ?? 0), 0) : null);
    return { passes: sum('passes'), blobsRemoved: sum('blobsRemoved'), bytesReclaimed: sum('bytesReclaimed') };
  }
}
