// Read request rates (manifest GET, tags/list) measured by a load generator in a worker thread, after checking
// once that the registry answers what a client expects.
import { Worker } from 'node:worker_threads';
import { bounded, getText, MANIFEST_ACCEPT, makeSmallImage, pushSmallImage, putManifest } from '../http.ts';
import type { LoadJob, LoadResult } from '../load-worker.ts';

export interface RateOptions {
  seconds: number;
  warmupSeconds: number;
  connections: number;
  maxRequests: number;
}

/** Runs the load worker on `path` (or a random one of `paths` per request). */
export function load(base: string, path: string, headers: Record<string, string>, o: RateOptions, paths?: string[]): Promise<LoadResult> {
  const job: LoadJob = { origin: base, path, headers, ...o, ...(paths ? { paths } : {}) };
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../load-worker.ts', import.meta.url), { workerData: job });
    const timer = setTimeout(
      () => void worker.terminate().then(() => reject(new Error(`${path}: load worker overran`))),
      (o.seconds + o.warmupSeconds + 60) * 1000,
    );
    worker.once('message', (m: LoadResult) => {
      clearTimeout(timer);
      if (m.failed > 0 || m.ok === 0) reject(new Error(`${path}: ${m.ok} ok, ${m.failed} failed ${JSON.stringify(m.statuses)}`));
      else resolve(m);
    });
    worker.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** A read to load: the path and headers, after the registry was checked to answer it as a client expects. */
export interface ReadTarget {
  path: string;
  headers: Record<string, string>;
}

/** One image under `latest`; every GET must return exactly the pushed manifest's digest. */
export async function manifestGetTarget(base: string, ns: string): Promise<ReadTarget> {
  const img = makeSmallImage();
  await pushSmallImage(base, `${ns}/hot`, 'latest', img);
  const path = `/v2/${ns}/hot/manifests/latest`;
  const headers = { accept: MANIFEST_ACCEPT };
  const probe = await getText(base, path, headers);
  if (probe.headers['docker-content-digest'] !== img.digest || probe.text !== img.manifest.toString()) throw new Error('manifest GET: wrong bytes or digest');
  return { path, headers };
}

/** One image tagged 100 times; the probe checks all 100 come back in one answer. */
export async function tagsListTarget(base: string, ns: string, tags = 100): Promise<ReadTarget> {
  const img = makeSmallImage(64);
  await pushSmallImage(base, `${ns}/tags`, 't000', img);
  await bounded(tags - 1, 60, 8, (i) => putManifest(base, `${ns}/tags`, `t${String(i + 1).padStart(3, '0')}`, img.manifest));
  const path = `/v2/${ns}/tags/tags/list`;
  const probe = JSON.parse((await getText(base, path)).text) as { tags?: string[] };
  if (probe.tags?.length !== tags) throw new Error(`tags/list: expected ${tags} tags, got ${probe.tags?.length}`);
  return { path, headers: {} };
}

export async function manifestGetRate(base: string, ns: string, o: RateOptions): Promise<LoadResult> {
  const t = await manifestGetTarget(base, ns);
  return load(base, t.path, t.headers, o);
}

/**
 * The same read against two registries in alternating slices (A, B, B, A, A, B, ...: each leads as often), so a VM
 * whose speed drifts within seconds slows both alike; each slice has its own warm-up (half the whole run's). Rates are the requests of all
 * slices over their measured time; latency percentiles are the median of the slices'.
 */
export async function pairedRates(
  bases: readonly [string, string],
  targets: readonly [ReadTarget, ReadTarget],
  o: RateOptions,
  slices: number,
): Promise<[LoadResult, LoadResult]> {
  const per: [LoadResult[], LoadResult[]] = [[], []];
  const slice = { ...o, seconds: o.seconds / slices, warmupSeconds: o.warmupSeconds / 2 };
  for (let k = 0; k < slices; k++) {
    for (const i of k % 2 === 0 ? [0, 1] : [1, 0]) per[i]!.push(await load(bases[i]!, targets[i]!.path, targets[i]!.headers, slice));
  }
  return [combine(per[0]), combine(per[1])];
}

function combine(parts: LoadResult[]): LoadResult {
  const mid = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ok = parts.reduce((n, p) => n + p.ok, 0);
  const seconds = parts.reduce((n, p) => n + p.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    ok,
    failed: parts.reduce((n, p) => n + p.failed, 0),
    statuses,
    seconds,
    perSecond: ok / seconds,
    p50ms: mid(parts.map((p) => p.p50ms)),
    p99ms: mid(parts.map((p) => p.p99ms)),
  };
}
