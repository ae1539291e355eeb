// Figures for retention runs (docs/LIFECYCLE.md "Figures"): a preview over repositories of 10,000 to 100,000 manifests
// in the embedded stores (time, peak RSS, live heap: flat?), and what a run over 10,000 repositories costs concurrent
// pushes on a real `berth serve` (p99 idle vs busy, alternating slices). Run (not a test; 127.0.0.1 only):
//   node --expose-gc bench/lifecycle-run.ts [--sizes 10000,50000,100000] [--repos 10000] [--skip-preview] [--skip-run]
import { randomBytes } from 'node:crypto';
import { cp, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/index.ts';
import { finishUpload, putLifecyclePolicy, putManifest, type RegistryDeps, startUpload } from '../src/core/index.ts';
import { evaluation, previewLifecycle } from '../src/core/usecases/lifecycle/apply.ts';
import { openRegistry } from '../src/main.ts';
import { type RunningBerth, startBerth } from '../test/e2e/harness.ts';
import { agent, bounded, makeSmallImage, pushSmallImage, sha } from './http.ts';
import { MiB } from './machine.ts';

const { values: flags } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,50000,100000' },
    repos: { type: 'string', default: '10000' },
    'per-repo': { type: 'string', default: '10' },
    pushes: { type: 'string', default: '400' }, // measured pushes per phase (idle, busy)
    slices: { type: 'string', default: '4' },
    work: { type: 'string', default: '/tmp/berth-lcbench' }, // seeded data dirs are kept here and reused
    'skip-preview': { type: 'boolean', default: false },
    'skip-run': { type: 'boolean', default: false },
    'seed-only': { type: 'boolean', default: false }, // seed the 10,000 repositories (minutes) in a run of its own
  },
});
const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);
const ACTOR = { principal: 'bench', dialect: 'cli' } as const;
const DAY = 86_400_000;
const OCI = 'application/vnd.oci.image.manifest.v1+json';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

let kept: unknown = null; // the last preview, kept alive until measured so `heldMiB` sees it

const openData = (dir: string): ReturnType<typeof openRegistry> => openRegistry(loadConfig({ env: {}, flags: { data: dir } }));

async function* once(b: Buffer): AsyncIterable<Uint8Array> {
  yield b;
}

/** Config and layer blobs linked into `repo`, and a function making its i-th manifest body (each distinct). */
async function blobsFor(deps: RegistryDeps, repo: string): Promise<(i: number) => Buffer> {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' }));
  const layer = Buffer.alloc(256, 7);
  for (const b of [config, layer]) {
    const s = await startUpload(deps, repo);
    await finishUpload(deps, repo, s.id, sha(b), { body: once(b) }, ACTOR);
  }
  return (i) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
        annotations: { repo, n: String(i) },
      }),
    );
}

const exists = (p: string): Promise<boolean> =>
  stat(p).then(
    () => true,
    () => false,
  );

/** Seeds a data dir once (in-process, through the use cases) and keeps it; later runs reuse it. */
async function seeded(name: string, fill: (deps: RegistryDeps) => Promise<void>): Promise<string> {
  const dir = join(flags.work, name);
  if (await exists(join(dir, '.seeded'))) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t = performance.now();
  const opened = await openData(dir);
  try {
    await fill(opened.deps);
  } finally {
    await opened.close();
  }
  await mkdir(join(dir, '.seeded'));
  log(`seeded ${name} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  return dir;
}

/** One repository of n manifests, every other one tagged `t<i>`, the rest untagged; policy: tagged keep 1000, untagged 1 day. */
async function bigRepository(n: number): Promise<string> {
  return seeded(`big-${n}`, async (deps) => {
    const body = await blobsFor(deps, 'big/repo');
    for (let i = 0; i < n; i++) {
      const b = body(i);
      const reference = i % 2 === 0 ? `t${i}` : sha(b);
      await putManifest(deps, { repository: 'big/repo', reference, body: b, contentType: OCI, actor: ACTOR });
    }
    const policy = {
      family: 'expire',
      rules: [
        { priority: 1, tagStatus: 'tagged', tagPrefixes: ['t'], count: { type: 'imageCountMoreThan', n: 1000 } },
        { priority: 2, tagStatus: 'untagged', count: { type: 'sinceImagePushed', days: 1 } },
      ],
    };
    await putLifecyclePolicy(deps, 'repository', 'big/repo', policy, ACTOR);
  });
}

interface MemoryFigure {
  ms: number;
  rssBeforeMiB: number;
  peakRssMiB: number;
  /** Live heap (after a full GC) at its highest while reading, minus before. */
  liveHeapMiB: number;
  /** Live heap the answer still holds afterwards. */
  heldMiB: number;
  expire: number;
}

/** Times `work` once plainly (peak RSS sampled per page), then again with a full GC per page for the live heap. */
async function measure(deps: RegistryDeps, work: (d: RegistryDeps) => Promise<number>): Promise<MemoryFigure> {
  const meta = Object.create(deps.meta) as RegistryDeps['meta'];
  let sample = (): void => undefined;
  meta.listLifecycleImages = (repo, page) => {
    sample();
    return deps.meta.listLifecycleImages(repo, page);
  };
  const wrapped = { ...deps, meta };
  gc!();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  sample = () => void (peakRss = Math.max(peakRss, process.memoryUsage().rss));
  const t = performance.now();
  let expire = await work(wrapped);
  const ms = performance.now() - t;
  kept = null;
  gc!();
  const base = process.memoryUsage().heapUsed;
  let peakHeap = base;
  sample = () => {
    gc!();
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  };
  expire = await work(wrapped);
  gc!();
  const after = process.memoryUsage().heapUsed;
  return {
    ms,
    rssBeforeMiB: rssBefore / MiB,
    peakRssMiB: peakRss / MiB,
    liveHeapMiB: Math.max(0, peakHeap - base) / MiB,
    heldMiB: Math.max(0, after - base) / MiB,
    expire,
  };
}

async function previewFigures(): Promise<void> {
  const rows: string[] = [];
  for (const n of flags.sizes.split(',').map(Number)) {
    const dir = await bigRepository(n);
    const opened = await openData(dir);
    try {
      const now = new Date(Date.now() + 2 * DAY); // untagged images are then past their day: nearly everything expires
      const stream = await measure(opened.deps, async (deps) => {
        const e = await evaluation(deps, 'big/repo', now);
        let expire = 0;
        for await (const d of e?.decisions ?? []) if (d.verdict === 'expire') expire++;
        return expire;
      });
      const preview = await measure(opened.deps, async (deps) => {
        const p = await previewLifecycle(deps, 'big/repo', now);
        kept = p;
        return p.counts.expire;
      });
      kept = null;
      const fmt = (f: MemoryFigure): string =>
        `${f.ms.toFixed(0)} ms | ${f.rssBeforeMiB.toFixed(0)} → ${f.peakRssMiB.toFixed(0)} MiB | +${f.liveHeapMiB.toFixed(1)} MiB | +${f.heldMiB.toFixed(1)} MiB`;
      rows.push(`| ${n.toLocaleString('en')} | ${stream.expire.toLocaleString('en')} | evaluation (a run's read) | ${fmt(stream)} |`);
      rows.push(`| ${n.toLocaleString('en')} | ${preview.expire.toLocaleString('en')} | berth preview | ${fmt(preview)} |`);
      log(rows.slice(-2).join('\n'));
    } finally {
      await opened.close();
    }
  }
  console.log('\n| manifests | expire | what | time | RSS before → peak | live heap, peak | live heap, held after |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  void kept;
}

/** 10,000 repositories `lc/rNNNNN` of `per` tagged images; the namespace default keeps the newest per-1 of any. */
async function manyRepositories(repos: number, per: number): Promise<string> {
  return seeded(`many-${repos}x${per}`, async (deps) => {
    for (let r = 0; r < repos; r++) {
      const repo = `lc/r${String(r).padStart(5, '0')}`;
      const body = await blobsFor(deps, repo);
      for (let i = 0; i < per; i++) await putManifest(deps, { repository: repo, reference: `v${i}`, body: body(i), contentType: OCI, actor: ACTOR });
      if (r % 1000 === 999) log(`seeded ${r + 1} repositories`);
    }
    const policy = { family: 'expire', rules: [{ priority: 1, tagStatus: 'any', count: { type: 'imageCountMoreThan', n: per - 1 } }] };
    await putLifecyclePolicy(deps, 'namespace', 'lc', policy, ACTOR);
  });
}

/** Manifests left in the seeded repositories: each one the run expired is one fewer. */
async function seededManifests(dir: string, repos: number): Promise<number> {
  const opened = await openData(dir);
  try {
    let n = 0;
    for (let r = 0; r < repos; r++) n += (await opened.deps.meta.listLifecycleImages(`lc/r${String(r).padStart(5, '0')}`, { limit: 100 })).length;
    return n;
  } finally {
    await opened.close();
  }
}

const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))] ?? NaN;
const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.5)] ?? NaN;

async function runFigures(): Promise<void> {
  const repos = Number(flags.repos);
  const per = Number(flags['per-repo']);
  const template = await manyRepositories(repos, per);
  if (flags['seed-only']) return;
  const dir = join(flags.work, 'serve');
  await rm(dir, { recursive: true, force: true });
  await cp(template, dir, { recursive: true });
  const before = await seededManifests(dir, repos);
  const slices = Number(flags.slices);
  const each = Math.ceil(Number(flags.pushes) / slices);
  const lat = { idle: [] as number[], busy: [] as number[] };
  let busyMs = 0;
  // A fresh server per slice: busy ones run the scheduler (lifecycle.interval 1s: runLifecycleEverywhere, the real
  // scheduled pass, resuming where the last slice's pass stopped since done repositories have nothing left to expire),
  // idle ones never run it. A busy server is killed at the slice's end, mid-run, as a crash would (each delete is its
  // own transaction).
  for (let slice = 0; slice < slices; slice++) {
    for (const phase of slice % 2 === 0 ? (['idle', 'busy'] as const) : (['busy', 'idle'] as const)) {
      const berth: RunningBerth = await startBerth({
        dataDir: dir,
        env: { BERTH_LOG_LEVEL: 'warn', BERTH_GC_INTERVAL: '0', BERTH_LIFECYCLE_INTERVAL: phase === 'busy' ? '1s' : '0' },
      });
      try {
        await new Promise((r) => setTimeout(r, 2_500)); // the scheduled pass under way (or the same wait, idle)
        const t = performance.now();
        const images = Array.from({ length: each }, () => makeSmallImage(1024));
        await bounded(images.length, 300, 2, async (i) => {
          const t0 = performance.now();
          await pushSmallImage(berth.url, 'push/measured', `${phase}${slice}-${i}-${randomBytes(3).toString('hex')}`, images[i]!);
          lat[phase].push(performance.now() - t0);
        });
        if (phase === 'busy') busyMs += performance.now() - t + 1_500;
      } finally {
        const timer = setTimeout(() => berth.process.kill('SIGKILL'), 20_000);
        await berth.stop(phase === 'busy' ? 'SIGKILL' : 'SIGTERM');
        clearTimeout(timer);
      }
    }
  }
  const expired = before - (await seededManifests(dir, repos));
  const ratio = p99(lat.busy) / p99(lat.idle);
  console.log('\n| pushes idle / busy | p50 idle | p99 idle | p50 busy | p99 busy | p99 ratio | deletes | deletes/s while busy |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${lat.idle.length} / ${lat.busy.length} | ${p50(lat.idle).toFixed(1)} ms | ${p99(lat.idle).toFixed(1)} ms | ${p50(lat.busy).toFixed(1)} ms | ` +
      `${p99(lat.busy).toFixed(1)} ms | ${ratio.toFixed(2)}x | ${expired.toLocaleString('en')} | ${(expired / (busyMs / 1000)).toFixed(0)} |`,
  );
}

if (!flags['skip-preview']) await previewFigures();
if (!flags['skip-run']) await runFigures();
await agent.close();
