// Online GC on berth alone (Distribution has no online GC to compare with): how fast a pass sweeps unreferenced
// blobs, what a continuously busy GC costs concurrent pushes (p50/p99 against the same server with no garbage),
// and whether a repository delete answers in the same time for 10,000 manifests as for 10.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { UNLINKS_IN_FLIGHT } from '../../src/adapters/blob/fs/remove-many.ts';
import { loadConfig } from '../../src/config/index.ts';
import { deleteRepository, finishUpload, putManifest, type RegistryDeps, runGc, startUpload } from '../../src/core/index.ts';
import { openRegistry } from '../../src/main.ts';
import { type RunningBerth, startBerth } from '../../test/e2e/harness.ts';
import type { GcRound } from '../gc-report.ts';
import { agent, bounded, deleteManifest, makeSmallImage, pushBlob, pushSmallImage, type SmallImage, sha } from '../http.ts';
import { flushDirtyPages, MiB, unlinkLimit } from '../machine.ts';

export interface GcParams {
  /** Unreferenced blobs one sweep removes, and their size. */
  sweepBlobs: number;
  sweepBlobBytes: number;
  /** Measured small-image pushes per phase (idle, GC busy), with this many in flight. */
  latencyPushes: number;
  latencyConcurrency: number;
  /** The idle and busy phases alternate this many times (each slice gets latencyPushes / slices pushes). */
  latencySlices: number;
  /** Images per second the garbage generator pushes (and, in the GC phase, deletes at once). */
  garbagePerSecond: number;
  /** Repository sizes compared for delete latency, and how many repositories of each are deleted. */
  repoSizes: [number, number];
  repoDeletes: [number, number];
}

export interface SweepResult {
  blobs: number;
  bytes: number;
  seconds: number;
  blobsPerSecond: number;
  mibPerSecond: number;
}
export interface LatencyPhase {
  pushes: number;
  p50ms: number;
  p99ms: number;
  gcBlobsRemoved: number | null;
  gcPasses: number | null;
}
export interface RepoDeleteResult {
  manifests: number;
  ms: number[];
  medianMs: number;
}

const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);
const ACTOR = { principal: 'bench', dialect: 'cli' } as const;

async function startServer(dir: string, env: Record<string, string>): Promise<RunningBerth> {
  await mkdir(dir, { recursive: true });
  return startBerth({ dataDir: dir, env: { BERTH_LOG_LEVEL: 'warn', ...env } });
}

async function stopServer(berth: RunningBerth): Promise<void> {
  const timer = setTimeout(() => berth.process.kill('SIGKILL'), 20_000);
  await berth.stop('SIGTERM');
  clearTimeout(timer);
}

const openData = (dir: string): ReturnType<typeof openRegistry> => openRegistry(loadConfig({ env: {}, flags: { data: dir } }));

/**
 * `count` blobs of `bytes` uploaded over HTTP to a berth on `dir` with no manifest (an abandoned push), as a registry
 * holds them: fsynced by berth, then written back (`sync`), so a sweep pays for freeing allocated blocks, not the
 * uploads' write-back. `env` points the server at other stores.
 */
export async function uploadUnreferenced(dir: string, count: number, bytes: number, env: Record<string, string> = {}): Promise<void> {
  const berth = await startServer(dir, { BERTH_GC_INTERVAL: '0', ...env });
  try {
    const blobs = Array.from({ length: count }, () => randomBytes(bytes));
    const up = await bounded(blobs.length, 600, 16, (i) => pushBlob(berth.url, `gc/sweep${i % 8}`, blobs[i]!, blobs[i]!.length, sha(blobs[i]!)));
    if (up.done !== blobs.length) throw new Error(`sweep: uploaded only ${up.done} of ${blobs.length} blobs`);
  } finally {
    await stopServer(berth);
  }
  flushDirtyPages();
}

/** (i) N blobs uploaded over HTTP with no manifest (an abandoned push), then one pass with grace 0, in-process. */
export async function sweepRate(dir: string, p: GcParams): Promise<SweepResult> {
  await uploadUnreferenced(dir, p.sweepBlobs, p.sweepBlobBytes);
  const opened = await openData(dir);
  try {
    const t = performance.now();
    const r = await runGc(opened.deps, { graceMs: 0, restoreWindowMs: 0, dryRun: false });
    const seconds = (performance.now() - t) / 1000;
    if (r.blobsRemoved !== p.sweepBlobs || r.errors > 0) throw new Error(`sweep: removed ${r.blobsRemoved} of ${p.sweepBlobs} blobs, ${r.errors} errors`);
    let left = 0;
    for await (const _ of opened.deps.blobs.list()) left++;
    if (left !== 0) throw new Error(`sweep: ${left} blob files left after the pass`);
    return {
      blobs: r.blobsRemoved,
      bytes: r.bytesReclaimed,
      seconds,
      blobsPerSecond: r.blobsRemoved / seconds,
      mibPerSecond: r.bytesReclaimed / MiB / seconds,
    };
  } finally {
    await opened.close();
  }
}

/** Reads one counter from /metrics (null when this berth does not export it). */
async function counter(base: string, name: string): Promise<number | null> {
  const r = await request(`${base}/metrics`, { dispatcher: agent });
  const text = await r.body.text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

/**
 * Pushes images at a steady rate until stopped. With `garbage` each is deleted by digest right away (restore
 * window 0: GC purges it and sweeps its blobs a grace period later); without, a DELETE of an unknown tag keeps the
 * request mix identical while leaving nothing to collect, so the two phases differ only in the work GC has.
 */
function generator(base: string, garbage: boolean, perSecond: number, prefix: string): { stop(): Promise<number> } {
  let stopped = false;
  let made = 0;
  const loop = (async () => {
    const started = performance.now();
    for (let i = 0; !stopped && i < 1_000_000; i++) {
      const due = started + (i * 1000) / perSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const img = makeSmallImage(512);
      // Tags never repeat: a moved tag would orphan an image and give GC work in the idle phase.
      await pushSmallImage(base, 'gc/garbage', `${prefix}-${i}`, img);
      if (garbage) await deleteManifest(base, 'gc/garbage', img.digest);
      else await request(`${base}/v2/gc/garbage/manifests/absent-${i}`, { method: 'DELETE', dispatcher: agent }).then((r) => r.body.dump());
      made++;
    }
  })();
  loop.catch(() => undefined); // reported by stop(), which awaits it
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return made;
    },
  };
}

/** Pushes `images` (2 blobs + manifest each), `concurrency` in flight; returns each push's latency in ms. */
async function timedPushes(base: string, images: SmallImage[], tag: string, concurrency: number): Promise<number[]> {
  const latencies: number[] = [];
  await bounded(images.length, 300, concurrency, async (i) => {
    const t = performance.now();
    await pushSmallImage(base, 'gc/measured', `${tag}${i}`, images[i]!);
    latencies.push(performance.now() - t);
  });
  return latencies;
}

function summarize(latencies: number[], passes: number | null, removed: number | null): LatencyPhase {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  return { pushes: sorted.length, p50ms: at(0.5), p99ms: at(0.99), gcPasses: passes, gcBlobsRemoved: removed };
}

const add = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/**
 * (ii) The same server (GC every 100 ms, grace 1 s, restore window 0), with and without garbage arriving. The two
 * phases alternate in slices (idle, busy, busy, idle, ...) so the VM's drifting disk and CPU speed hit both alike.
 */
export async function pushLatencyUnderGc(dir: string, p: GcParams): Promise<{ idle: LatencyPhase; busy: LatencyPhase }> {
  const berth = await startServer(dir, { BERTH_GC_INTERVAL: '100ms', BERTH_GC_GRACE: '1s', BERTH_DELETION_RESTORE_WINDOW: '0' });
  try {
    const lat = { idle: [] as number[], busy: [] as number[] };
    const gc = { idle: { passes: 0 as number | null, removed: 0 as number | null }, busy: { passes: 0 as number | null, removed: 0 as number | null } };
    const per = Math.ceil(p.latencyPushes / p.latencySlices);
    for (let slice = 0; slice < p.latencySlices; slice++) {
      for (const name of slice % 2 === 0 ? (['idle', 'busy'] as const) : (['busy', 'idle'] as const)) {
        const gen = generator(berth.url, name === 'busy', p.garbagePerSecond, `${name}${slice}`);
        // Garbage comes due one grace period after it is made (and the last slice's is swept by then): settle first.
        await new Promise((r) => setTimeout(r, 1_500));
        const passes0 = await counter(berth.url, 'berth_gc_runs_total');
        const removed0 = await counter(berth.url, 'berth_gc_blobs_removed_total');
        lat[name].push(
          ...(await timedPushes(
            berth.url,
            Array.from({ length: per }, () => makeSmallImage(1024)),
            `${name}${slice}-`,
            p.latencyConcurrency,
          )),
        );
        const passes1 = await counter(berth.url, 'berth_gc_runs_total');
        const removed1 = await counter(berth.url, 'berth_gc_blobs_removed_total');
        await gen.stop();
        gc[name].passes = add(gc[name].passes, passes0 === null || passes1 === null ? null : passes1 - passes0);
        gc[name].removed = add(gc[name].removed, removed0 === null || removed1 === null ? null : removed1 - removed0);
      }
    }
    const idle = summarize(lat.idle, gc.idle.passes, gc.idle.removed);
    const busy = summarize(lat.busy, gc.busy.passes, gc.busy.removed);
    for (const [name, r] of [
      ['idle', idle],
      ['busy', busy],
    ] as const) {
      log(
        `gc push latency, ${name}: p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms over ${r.pushes} pushes in ${p.latencySlices} slices; ` +
          `GC passes ${r.gcPasses ?? 'n/a'}, blobs removed ${r.gcBlobsRemoved ?? 'n/a'}`,
      );
    }
    return { idle, busy };
  } finally {
    await stopServer(berth);
  }
}

async function* once(b: Buffer): AsyncIterable<Uint8Array> {
  yield b;
}

/** Fills a repository with `n` distinct tagged manifests through the core use cases (in-process: 10,000 in seconds). */
async function fillRepository(deps: RegistryDeps, repo: string, n: number): Promise<void> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', repo }));
  const layer = randomBytes(256);
  for (const b of [config, layer]) {
    const s = await startUpload(deps, repo);
    await finishUpload(deps, repo, s.id, sha(b), { body: once(b) }, ACTOR);
  }
  for (let i = 0; i < n; i++) {
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
        annotations: { n: String(i), h: createHash('md5').update(`${repo}${i}`).digest('hex') },
      }),
    );
    await putManifest(deps, { repository: repo, reference: `t${i}`, body, contentType: 'application/vnd.oci.image.manifest.v1+json', actor: ACTOR });
  }
}

/** (iii) deleteRepository (force) timed in-process, the work `berth repo rm --force` does after starting up. */
export async function repoDeleteLatency(dir: string, p: GcParams): Promise<[RepoDeleteResult, RepoDeleteResult]> {
  const opened = await openData(dir);
  try {
    const { deps } = opened;
    await fillRepository(deps, 'warmup/repo', 10);
    await deleteRepository(deps, 'warmup/repo', true, ACTOR);
    const out: RepoDeleteResult[] = [];
    for (const [k, size] of p.repoSizes.entries()) {
      const ms: number[] = [];
      for (let i = 0; i < p.repoDeletes[k]!; i++) {
        const repo = `del${size}/r${i}`;
        await fillRepository(deps, repo, size);
        const t = performance.now();
        await deleteRepository(deps, repo, true, ACTOR);
        ms.push(performance.now() - t);
      }
      const sorted = [...ms].sort((a, b) => a - b);
      out.push({ manifests: size, ms, medianMs: sorted[Math.floor((sorted.length - 1) / 2)]! });
      log(`gc repository delete, ${size} manifests: ${ms.map((x) => x.toFixed(2)).join(', ')} ms`);
    }
    return [out[0]!, out[1]!];
  } finally {
    await opened.close();
  }
}

export async function measureGcRound(work: string, round: number, p: GcParams): Promise<GcRound> {
  const base = join(work, `gc-round${round}`);
  log(`gc round ${round}: sweep of ${p.sweepBlobs} unreferenced ${p.sweepBlobBytes / 1024} KiB blobs`);
  const sweep = await sweepRate(join(base, 'sweep'), p);
  log(`gc round ${round}: ${sweep.blobsPerSecond.toFixed(0)} blobs/s, ${sweep.mibPerSecond.toFixed(1)} MiB/s`);
  // Right after the sweep, on the same disk in the same state: what bare unlinks of as many such files allow.
  const unlinksPerSecond = await unlinkLimit(join(base, 'unlink-probe'), p.sweepBlobs, p.sweepBlobBytes, UNLINKS_IN_FLIGHT);
  log(`gc round ${round}: the filesystem's bare unlinks: ${unlinksPerSecond.toFixed(0)}/s`);
  log(`gc round ${round}: push latency, ${p.latencyPushes} pushes idle then with GC busy (${p.garbagePerSecond} garbage images/s)`);
  const latency = await pushLatencyUnderGc(join(base, 'latency'), p);
  log(`gc round ${round}: repository delete, ${p.repoSizes[0]} vs ${p.repoSizes[1]} manifests`);
  const repoDelete = await repoDeleteLatency(join(base, 'repos'), p);
  return { sweep, unlinksPerSecond, latency, repoDelete };
}
