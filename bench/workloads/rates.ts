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

/** One image under `latest`; every GET must return exactly the pushed manifest's digest. */
export async function manifestGetRate(base: string, ns: string, o: RateOptions): Promise<LoadResult> {
  const img = makeSmallImage();
  await pushSmallImage(base, `${ns}/hot`, 'latest', img);
  const path = `/v2/${ns}/hot/manifests/latest`;
  const headers = { accept: MANIFEST_ACCEPT };
  const probe = await getText(base, path, headers);
  if (probe.headers['docker-content-digest'] !== img.digest || probe.text !== img.manifest.toString()) throw new Error('manifest GET: wrong bytes or digest');
  return load(base, path, headers, o);
}

/** One image tagged 100 times; the probe checks all 100 come back in one answer. */
export async function tagsListRate(base: string, ns: string, o: RateOptions, tags = 100): Promise<LoadResult> {
  const img = makeSmallImage(64);
  await pushSmallImage(base, `${ns}/tags`, 't000', img);
  await bounded(tags - 1, 60, 8, (i) => putManifest(base, `${ns}/tags`, `t${String(i + 1).padStart(3, '0')}`, img.manifest));
  const path = `/v2/${ns}/tags/tags/list`;
  const probe = JSON.parse((await getText(base, path)).text) as { tags?: string[] };
  if (probe.tags?.length !== tags) throw new Error(`tags/list: expected ${tags} tags, got ${probe.tags?.length}`);
  return load(base, path, {}, o);
}
