// Watches online GC from outside while the torture runs: the server's own counters from /metrics (they restart with
// each process, so the last value seen per process is summed) and GC failures in its log.
import { UnknownOutcome, type TortureHttp } from './http.ts';
import type { TortureServer } from './server.ts';

const COUNTERS = { passes: 'berth_gc_runs_total', blobsRemoved: 'berth_gc_blobs_removed_total', bytesReclaimed: 'berth_gc_reclaimed_bytes_total' } as const;
type Counter = keyof typeof COUNTERS;

export class GcObserver {
  readonly #server: TortureServer;
  readonly #http: TortureHttp;
  /** Last value of each counter per server process (by start number). */
  readonly #seen = new Map<number, Partial<Record<Counter, number>>>();
  #exported = false;
  #stop = false;
  #loop: Promise<void> | null = null;
  readonly gcFailures: string[] = [];

  constructor(server: TortureServer, http: TortureHttp) {
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
    for (const log of [...this.#server.logs, this.#server.output()]) {
      for (const line of log.split('\n')) if (/garbage collection failed/.test(line) && this.gcFailures.length < 50) this.gcFailures.push(line.slice(0, 400));
    }
    this.#server.logs.length = 0;
  }

  async #sample(): Promise<void> {
    const generation = this.#server.starts;
    try {
      const r = await this.#http.send({ method: 'GET', target: '/metrics' });
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
      if (this.#server.starts === generation) this.#seen.set(generation, values);
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
