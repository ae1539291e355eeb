// Request-rate load generator in its own thread, so the client's HTTP work does not share the main event loop.
// A warm-up, then the measured phase; both bounded by a request count and a duration.
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'undici';

export interface LoadJob {
  origin: string;
  path: string;
  /** When set, each request takes one of these at random instead of `path` (a cold, spread-out read load). */
  paths?: string[];
  headers: Record<string, string>;
  connections: number;
  warmupSeconds: number;
  seconds: number;
  maxRequests: number;
}

export interface LoadResult {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
}

const job = workerData as LoadJob;
const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1, keepAliveTimeout: 30_000 });

async function phase(seconds: number, maxRequests: number, latencies?: Float64Array): Promise<LoadResult> {
  let sent = 0;
  let ok = 0;
  let failed = 0;
  const statuses: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: job.connections }, async () => {
      while (sent < maxRequests && performance.now() < deadline) {
        const i = sent++;
        const t = performance.now();
        try {
          const path = job.paths ? job.paths[Math.floor(Math.random() * job.paths.length)]! : job.path;
          const r = await pool.request({ method: 'GET', path, headers: job.headers });
          await r.body.dump({ limit: 1 << 20 });
          statuses[r.statusCode] = (statuses[r.statusCode] ?? 0) + 1;
          if (r.statusCode === 200) ok++;
          else failed++;
        } catch (e) {
          failed++;
          statuses[(e as Error).name] = (statuses[(e as Error).name] ?? 0) + 1;
        }
        if (latencies) latencies[i] = performance.now() - t;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  let p50ms = NaN;
  let p99ms = NaN;
  if (latencies) {
    const sorted = latencies.subarray(0, sent).sort();
    p50ms = sorted[Math.floor(sent * 0.5)] ?? NaN;
    p99ms = sorted[Math.floor(sent * 0.99)] ?? NaN;
  }
  return { ok, failed, statuses, seconds: elapsed, perSecond: ok / elapsed, p50ms, p99ms };
}

await phase(job.warmupSeconds, job.maxRequests);
const result = await phase(job.seconds, job.maxRequests, new Float64Array(job.maxRequests));
await pool.close();
parentPort!.postMessage(result);
