// `npm run bench`: berth and CNCF Distribution side by side on this machine, the same workloads measured on one
// registry at a time; prints each metric with the ratio berth / Distribution against its target and saves JSON.
// `--self-test` puts a second Distribution in the berth column, to check the harness itself (ratios near 1x).
// Then the backends (the embedded default vs PostgreSQL + S3 with one and two replicas behind a round-robin proxy), and
// online GC on berth alone (sweep rate, push latency with GC busy, repository delete at 10 vs 10,000 manifests), and
// the growth row (random GETs and RSS after 100,000 manifests on the embedded default, bench/scale.ts).
import '../bin/thread-pool.js'; // first: GC sweeps in this process, with berth's thread pool
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { replicaBackend } from '../test/e2e/replicas-stores.ts';
import { postgresServer } from '../test/servers.ts';
import { measureBackends } from './backends.ts';
import { backendTable, cpuTable, s3Table } from './backends-report.ts';
import { type GcRound, gcRows, gcTable, medianGc } from './gc-report.ts';
import { growthRows, growthTable } from './growth-report.ts';
import { agent, makeSmallImage } from './http.ts';
import { loopbackLimits } from './loopback.ts';
import { BigBlob, fsyncDiskLimit, sha256Limit } from './machine.ts';
import { measure, measureReads, type Params } from './measure.ts';
import { distributionVersion, ensureCommand, type Registry, startBerthRegistry, startDistribution } from './registries.ts';
import { type Limits, type Measured, median, rows, saveJson, table } from './report.ts';
import { measureScale, type ScaleResult, scaleTable } from './scale.ts';
import { type GcParams, measureGcRound } from './workloads/gc.ts';

const { values: flags } = parseArgs({
  options: {
    'self-test': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false }, // small sizes and short phases, to try the harness in a minute
    rounds: { type: 'string' }, // repeat everything, alternating which registry goes first; the table shows medians
    'blob-mib': { type: 'string' },
    seconds: { type: 'string' },
    images: { type: 'string' },
    'gc-blobs': { type: 'string' }, // unreferenced blobs the GC sweep removes (default 5000, --quick 1000)
    'only-gc': { type: 'boolean', default: false }, // just the GC workload (no Distribution needed)
    'skip-gc': { type: 'boolean', default: false },
    'only-backends': { type: 'boolean', default: false }, // just the backend section (no Distribution needed)
    'skip-backends': { type: 'boolean', default: false },
    'replica-backend': { type: 'string' }, // shared stores of the replica columns: postgres-s3 (default), embedded-shared, postgres-file
    scale: { type: 'boolean', default: false }, // only the growth run: --scale-manifests (default 1,000,000) on the embedded default
    'scale-manifests': { type: 'string' },
    'scale-meta': { type: 'string', default: 'embedded' }, // the growth run's metadata store: embedded (SQLite) or postgres (the test server)
    'skip-growth': { type: 'boolean', default: false }, // the regular run's growth row (100,000 manifests, ~5 min; --quick: 10,000)
    'growth-manifests': { type: 'string' },
    'only-growth': { type: 'boolean', default: false }, // just the growth row (no Distribution needed)
  },
});
const quick = flags.quick;
const P: Params = {
  blobMiB: Number(flags['blob-mib'] ?? (quick ? 32 : 256)),
  blobRuns: 3,
  limitMiB: quick ? 64 : 256,
  rate: { seconds: Number(flags.seconds ?? (quick ? 2 : 10)), warmupSeconds: quick ? 0.5 : 2, connections: 32, maxRequests: 2_000_000 },
  rateSlices: quick ? 2 : 5,
  images: Number(flags.images ?? (quick ? 50 : 200)),
  writeSeconds: quick ? 5 : 15,
  writeConcurrency: 8,
  rounds: Math.max(1, Number(flags.rounds ?? 1)),
};
const G: GcParams = {
  sweepBlobs: Number(flags['gc-blobs'] ?? (quick ? 1_000 : 5_000)),
  sweepBlobBytes: 16 * 1024,
  latencyPushes: quick ? 150 : 400,
  latencyConcurrency: 2,
  latencySlices: quick ? 2 : 4,
  garbagePerSecond: 40,
  repoSizes: [10, 10_000],
  repoDeletes: quick ? [5, 1] : [9, 3],
};
const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

const started: Registry[] = [];
let work: string | undefined;
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all(started.map((r) => r.stop().catch(() => undefined)));
    if (work) await rm(work, { recursive: true, force: true, maxRetries: 3 });
    await agent.close().catch(() => undefined);
  })();
  return cleaning;
}
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    if (cleaning) process.exit(code); // a second Ctrl-C does not wait
    log(`${signal}: stopping registries and removing temp files`);
    void cleanup().finally(() => process.exit(code));
  });
}

async function main(): Promise<void> {
  // The backend rows run on RGW with bluestore (objects on disk), as a deployment would; tests keep the faster memstore.
  process.env.S3_STORE ??= 'bluestore';
  work = await mkdtemp(join(tmpdir(), 'berth-bench-'));
  const record: Record<string, unknown> = { at: new Date().toISOString(), selfTest: flags['self-test'], commit: gitCommit() };
  if (flags.scale) {
    const manifests = Number(flags['scale-manifests'] ?? 1_000_000);
    const metaUrl = await scaleMeta(flags['scale-meta']);
    log(`growth: ${manifests.toLocaleString('en-US')} manifests, 20 tags a repository, 16 clients, metadata ${flags['scale-meta']}`);
    record.scale = await measureScale(work, { manifests, tagsPerRepo: 20, clients: 16, rate: scaleRate, ...(metaUrl ? { metaUrl } : {}) });
    process.stdout.write(`\n${scaleTable(record.scale as ScaleResult)}\n`);
    log(`saved ${await saveJson(record)}`);
    return;
  }
  const only = flags['only-gc'] || flags['only-backends'] || flags['only-growth'];
  if (!only) Object.assign(record, await compare(work));
  if (!flags['self-test'] && !flags['skip-backends'] && (!only || flags['only-backends'])) record.backends = await backends(work);
  if (!flags['self-test'] && !flags['skip-gc'] && (!only || flags['only-gc'])) record.gc = await gc(work);
  if (!flags['self-test'] && !flags['skip-growth'] && (!only || flags['only-growth'])) record.growth = await growth(work);
  log(`saved ${await saveJson(record)}`);
}

const scaleRate = { seconds: quick ? 2 : 10, warmupSeconds: quick ? 0.5 : 2, connections: 32, maxRequests: 2_000_000 };

/** --scale-meta: undefined for the embedded store, or a fresh schema on the PostgreSQL test server (test/servers.ts). */
async function scaleMeta(kind: string | undefined): Promise<string | undefined> {
  if (kind === undefined || kind === 'embedded') return undefined;
  if (kind !== 'postgres') throw new Error(`--scale-meta: embedded or postgres, not ${kind}`);
  const { url } = await postgresServer();
  return `${url}${url.includes('?') ? '&' : '?'}schema=bench_scale_${Date.now().toString(36)}`;
}

/** The growth row: the scale run at 100,000 manifests (--quick 10,000) on the embedded default; prints its table. */
async function growth(work: string): Promise<Record<string, unknown>> {
  const manifests = Number(flags['growth-manifests'] ?? (quick ? 10_000 : 100_000));
  log(`growth: ${manifests.toLocaleString('en-US')} manifests on the embedded default`);
  const r = await measureScale(work, { manifests, tagsPerRepo: 20, clients: 16, rate: scaleRate });
  const all = growthRows(r);
  process.stdout.write(`\n${growthTable(all, r)}\n`);
  return { result: r, rows: all };
}

/** berth and Distribution side by side; returns what goes into the JSON record. */
async function compare(work: string): Promise<Record<string, unknown>> {
  ensureCommand('docker-registry', 'docker-registry'); // CNCF Distribution
  ensureCommand('curl', 'curl'); // moves the large blobs
  log(`machine limits (${P.limitMiB} MiB each)`);
  const disk = await fsyncDiskLimit(work, P.limitMiB);
  const machine = { sha256MiBs: await sha256Limit(P.limitMiB), fsyncDiskMiBs: disk.sustained, fsyncDiskBurstMiBs: disk.burst };
  log(`generating a ${P.blobMiB} MiB random blob`);
  const blob = await BigBlob.create(work, P.blobMiB);
  log('loopback HTTP limits (curl against a server that only discards or repeats)');
  const limits: Limits = { ...machine, ...(await loopbackLimits(blob.path, P.blobMiB)) };

  const selfTest = flags['self-test'];
  const columns: [string, string] = selfTest ? ['distribution-a', 'distribution-b'] : ['berth', 'distribution'];
  log(selfTest ? 'self-test: two Distribution instances' : 'starting berth and Distribution');
  started.push(selfTest ? await startDistribution(work, 'distribution-a') : await startBerthRegistry(work));
  started.push(await startDistribution(work, selfTest ? 'distribution-b' : 'distribution'));
  for (const r of started) log(`${r.software} on ${r.url} (pid ${r.pid})`);

  const perRound: { m: Measured; detail: object }[][] = [[], []];
  for (let round = 1; round <= P.rounds; round++) {
    const images = Array.from({ length: P.images }, () => makeSmallImage(1024));
    const reads = await measureReads([started[0]!, started[1]!], round, P);
    const order = round % 2 === 1 ? [0, 1] : [1, 0];
    for (const i of order) perRound[i]!.push(await measure(columns[i]!, started[i]!, { round, blob, images }, reads[i]!, P));
  }
  const summary = perRound.map((rs) => median(rs.map((r) => r.m)));
  const all = rows(summary[0]!, summary[1]!, limits);
  process.stdout.write(`\n${table(all, limits, columns, P.rounds)}\n`);
  const software = started.map((r) => r.software);
  // Free the CPU for the GC workload that follows.
  await Promise.all(started.splice(0).map((r) => r.stop().catch(() => undefined)));
  return {
    columns,
    params: P,
    limits,
    rows: all,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      distribution: distributionVersion(),
      commit: gitCommit(),
    },
    results: Object.fromEntries(columns.map((c, i) => [c, { software: software[i], median: summary[i], rounds: perRound[i] }])),
  };
}

/** The embedded default vs shared stores with one and two replicas (one round); prints its table, returns its JSON part. */
async function backends(work: string): Promise<Record<string, unknown>> {
  ensureCommand('curl', 'curl');
  const dir = join(work, 'backend-blob');
  await mkdir(dir, { recursive: true });
  log(`backends: generating a ${P.blobMiB} MiB random blob`);
  const blob = await BigBlob.create(dir, P.blobMiB);
  const params = {
    backend: replicaBackend(flags['replica-backend'] ?? process.env.BERTH_REPLICA_BACKEND),
    blobRuns: P.blobRuns,
    rate: P.rate,
    images: P.images,
    writeSeconds: P.writeSeconds,
    writeConcurrency: P.writeConcurrency,
  };
  const columns = await measureBackends(work, blob, params);
  process.stdout.write(`\n${backendTable(columns)}\n`);
  const versusS3 = s3Table(columns);
  if (versusS3) process.stdout.write(`\n${versusS3}\n`);
  process.stdout.write(`\n${cpuTable(columns)}\n`);
  return { params, columns };
}

/** Online GC on berth alone, `--rounds` times; prints its table and returns its JSON part. */
async function gc(work: string): Promise<Record<string, unknown>> {
  const rounds: GcRound[] = [];
  for (let round = 1; round <= P.rounds; round++) rounds.push(await measureGcRound(work, round, G));
  const summary = medianGc(rounds);
  const gcAll = gcRows(summary, G);
  process.stdout.write(`\n${gcTable(gcAll, P.rounds)}\n`);
  return { params: G, median: summary, rows: gcAll, rounds };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: import.meta.dirname, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

try {
  await main();
} catch (e) {
  log(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
