// The GC torture run shared by `npm run torture` (minutes) and the CI tests (under a minute): berth as a real
// process (or N replicas on shared stores behind a round-robin proxy) with a short grace period and GC every few
// hundred ms in every process, concurrent clients racing it with pushes of shared layers, pulls and deletes, SIGKILLs
// at random points (one replica at a time), then the end-of-run checks of verify.ts, read through the stores' ports.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseDuration } from '../../src/config/index.ts';
import { type Digest, deleteRepository, isRegistryError, runGc } from '../../src/core/index.ts';
import { type OpenedRegistry, openRegistry } from '../../src/main.ts';
import { runBerth } from '../e2e/harness.ts';
import type { Backend } from '../e2e/replicas-stores.ts';
import { TortureClient } from './client.ts';
import { SharedPool } from './content.ts';
import { TortureHttp } from './http.ts';
import { BlobDirectory, emptyStats, type TortureStats } from './model.ts';
import { GcObserver } from './observer.ts';
import { Prng } from './prng.ts';
import { pause } from './push.ts';
import { TortureReplicas } from './replicas.ts';
import { TortureServer } from './server.ts';
import { countGcAudit, explain } from './store-views.ts';
import type { TortureTarget } from './target.ts';
import { checkAcknowledgedTags, checkLiveManifests, checkStorage, type VerifySummary } from './verify.ts';

/** uploads.ownerLease of the processes under torture: short, so the end checks wait little for killed ones' sessions. */
const OWNER_LEASE_MS = 2_000;

export interface TortureOptions {
  seed: number;
  /** How long the clients run (the checks come after). */
  durationMs: number;
  clients: number;
  reposPerClient: number;
  /** Upper bound on operations per client, whatever the duration. */
  maxOpsPerClient: number;
  /** Pause between SIGKILLs, picked uniformly in [min, max] ms; max 0 = never kill. */
  killEveryMs: [number, number];
  /** How long the server stays down after a kill, in [min, max] ms. */
  downMs: [number, number];
  /** A second sweeper in this process (as `berth gc` from cron would be) every [min, max] ms; max 0 = none. */
  sweepEveryMs: [number, number];
  grace: string;
  gcInterval: string;
  restoreWindow: string;
  poolLayers: number;
  maxPoolLayerBytes: number;
  maxUniqueBytes: number;
  /** Tag some referrers too (see client.ts). */
  taggedReferrers: boolean;
  /** Keep the data dir (always kept when the run failed). */
  keepData: boolean;
  /** 0: one berth process on its own data dir; N: N replicas on shared `backend` stores behind the round-robin proxy. */
  replicas: number;
  backend: Backend;
  log(line: string): void;
}

export const DEFAULTS: Omit<TortureOptions, 'seed' | 'log'> = {
  durationMs: 180_000,
  clients: 4,
  reposPerClient: 3,
  maxOpsPerClient: 100_000,
  killEveryMs: [3_000, 9_000],
  downMs: [0, 400],
  sweepEveryMs: [1_000, 3_000],
  grace: '1s',
  gcInterval: '200ms',
  restoreWindow: '0',
  poolLayers: 32,
  maxPoolLayerBytes: 48 * 1024,
  maxUniqueBytes: 8 * 1024,
  taggedReferrers: true,
  keepData: false,
  replicas: 0,
  backend: 'embedded-shared',
};

export interface TortureResult {
  seed: number;
  ok: boolean;
  violations: string[];
  notes: string[];
  stats: TortureStats;
  kills: number;
  gc: {
    passes: number | null;
    blobsRemoved: number | null;
    bytesReclaimed: number | null;
    manifestsCollectedByGc: number;
    sideSweeps: { passes: number; blobs: number; killedCli: number };
  };
  reclaimedDuringRun: { blobs: number; bytes: number; of: number };
  verify: VerifySummary;
  requests: number;
  serverErrors: number;
  wallMs: number;
  /** The data dir (one process), or the replicas' scratch root (their shared stores' coordinates are in the notes). */
  dataDir: string;
  /** The command that repeats this run's choices. */
  replay: string;
}

export async function runTorture(o: TortureOptions): Promise<TortureResult> {
  const started = Date.now();
  const prng = new Prng(o.seed);
  const violations: string[] = [];
  const notes: string[] = [];
  const violation = (m: string): void => {
    if (violations.length < 200) violations.push(`[+${((Date.now() - started) / 1000).toFixed(1)}s] ${m}`);
    o.log(`VIOLATION: ${m}`);
  };
  const env = {
    BERTH_GC_GRACE: o.grace,
    BERTH_GC_INTERVAL: o.gcInterval,
    BERTH_DELETION_RESTORE_WINDOW: o.restoreWindow,
    BERTH_UPLOADS_OWNER_LEASE: `${OWNER_LEASE_MS}ms`,
    BERTH_LOG_LEVEL: 'warn',
  };
  let dataDir = '';
  let server: TortureTarget;
  let replicas: TortureReplicas | null = null;
  if (o.replicas > 0) {
    replicas = await TortureReplicas.start({ backend: o.backend, replicas: o.replicas, env });
    server = replicas;
    dataDir = replicas.cluster.stores.root;
    notes.push(
      `${o.replicas} replicas on ${o.backend}: --meta ${replicas.cluster.stores.meta.replace(/:[^:@/]*@/, ':***@')} --blobs ${replicas.cluster.stores.blobs}`,
    );
  } else {
    dataDir = await mkdtemp(join(tmpdir(), 'berth-torture-'));
    server = new TortureServer({ dataDir, env });
  }
  const http = new TortureHttp(server);
  const stats = emptyStats();
  const verify: VerifySummary = {
    tagsChecked: 0,
    manifestsChecked: 0,
    blobsChecked: 0,
    danglingChildrenExplained: 0,
    fsck: null,
    finalGc: [],
    keptByPurgeMarkers: 0,
    blobFilesLeft: 0,
    blobAreaLeft: 0,
  };
  const blobs = new BlobDirectory();
  const observer = new GcObserver(server, http);
  let opened: OpenedRegistry | null = null;
  let clients: TortureClient[] = [];
  let reclaimed = { blobs: 0, bytes: 0, of: 0 };
  let collectedByGc = 0;
  const sideSweeps = { passes: 0, blobs: 0, killedCli: 0 };
  try {
    await server.startDown();
    // The admin side (repository deletes) works on the same stores from this process, as `berth repo rm` does.
    opened = replicas ? await replicas.cluster.open() : await openRegistry(loadConfig({ env: {}, flags: { data: dataDir } }));
    const deps = opened.deps;
    const stores = await server.cliStores();
    const admin = {
      deleteRepository: async (name: string): Promise<'deleted' | 'unknown'> => {
        try {
          await deleteRepository(deps, name, true, { principal: 'torture', dialect: 'cli' });
          return 'deleted';
        } catch (e) {
          if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') return 'unknown';
          throw e;
        }
      },
    };
    const pool = new SharedPool(prng.fork(1000), o.poolLayers, o.maxPoolLayerBytes);
    const deadline = Date.now() + o.durationMs;
    clients = Array.from(
      { length: o.clients },
      (_, id) =>
        new TortureClient(
          { http, prng: prng.fork(id), stats, blobs, violation, hardStop: deadline + 5_000, explain: (repo, digest) => explain(deps, repo, digest) },
          { id, repos: o.reposPerClient, maxUniqueBytes: o.maxUniqueBytes, pool, admin, taggedReferrers: o.taggedReferrers, graceMs: parseDuration(o.grace) },
        ),
    );
    let stop = false;
    const killerPrng = prng.fork(2000);
    const killer = (async () => {
      for (let i = 0; i < 100_000 && o.killEveryMs[1] > 0 && !stop; i++) {
        await pause(killerPrng.int(o.killEveryMs[0], o.killEveryMs[1]));
        if (stop || Date.now() >= deadline) break;
        await server.killOne();
        o.log(`kill #${server.kills} (${stats.ops} ops so far)`);
        await pause(killerPrng.int(o.downMs[0], o.downMs[1]));
        await server.startDown();
      }
    })();
    const sweeperPrng = prng.fork(3000);
    const sweeper = (async () => {
      for (let i = 0; i < 100_000 && o.sweepEveryMs[1] > 0 && !stop && Date.now() < deadline; i++) {
        await pause(sweeperPrng.int(o.sweepEveryMs[0], o.sweepEveryMs[1]));
        if (sweeperPrng.chance(0.3)) {
          // A `berth gc` or `berth fsck --repair` child SIGKILLed mid-run, as a killed cron job or an operator's ^C would leave it.
          const args = sweeperPrng.chance(0.5) ? ['gc', '--grace', o.grace] : ['fsck', '--repair'];
          await runBerth([...args, ...stores.args], stores.env, { killAfterMs: sweeperPrng.int(400, 2_500) });
          sideSweeps.killedCli++;
          continue;
        }
        const r = await runGc(deps, { graceMs: parseDuration(o.grace), restoreWindowMs: parseDuration(o.restoreWindow), dryRun: false });
        sideSweeps.passes++;
        sideSweeps.blobs += r.blobsRemoved;
        if (r.errors > 0) notes.push(`the second sweeper's pass had ${r.errors} failed removals`);
      }
    })();
    observer.start();
    const load = clients.map((c) =>
      c
        .run(deadline, o.maxOpsPerClient, () => stop)
        .catch((e: unknown) => {
          violation(`client crashed: ${(e as Error).stack ?? String(e)}`);
        }),
    );
    await Promise.all(load);
    stop = true;
    await sweeper.catch((e: unknown) => violation(`the second sweeper failed: ${(e as Error).stack ?? String(e)}`));
    await killer.catch((e: unknown) => violation(`berth did not come back after a SIGKILL: ${(e as Error).message}`));
    await server.startDown();
    await observer.stop();
    o.log(`load done: ${stats.ops} ops, ${server.kills} kills; final SIGKILL, then checks`);

    // The run ends with one more crash (of every process): acknowledged writes must survive it like any other.
    await server.killAll();
    reclaimed = await reclaimedSoFar(deps, blobs);
    collectedByGc = await countGcAudit(deps);
    await server.startDown({ BERTH_GC_INTERVAL: '0' });
    const v = {
      http,
      deps,
      repos: clients.flatMap((c) => c.repos),
      violation,
      note: (m: string) => void notes.push(m),
      stores,
      ownerLeaseMs: OWNER_LEASE_MS,
    };
    verify.tagsChecked = await checkAcknowledgedTags(v);
    const live = await checkLiveManifests(v);
    verify.manifestsChecked = live.manifests;
    verify.blobsChecked = live.blobs;
    verify.danglingChildrenExplained = live.danglingExplained;
    const code = await server.stopAll();
    if (code !== 0) violation(`berth exited with ${code} on SIGTERM`);
    await checkStorage(v, verify);
  } catch (e) {
    violation(`torture harness failed: ${(e as Error).stack ?? String(e)}`);
  } finally {
    await observer.stop();
    await server.stopAll().catch(() => undefined);
    await opened?.close().catch(() => undefined);
    await http.close().catch(() => undefined);
  }
  for (const e of http.serverErrors.slice(0, 20)) violation(`5xx: ${e.method} ${e.path} -> ${e.status} ${e.body}`);
  for (const m of http.unexplained.slice(0, 20)) violation(`connection failed while nobody had killed the server: ${m}`);
  for (const line of observer.gcFailures.slice(0, 10)) notes.push(`server log: ${line}`);
  const ok = violations.length === 0;
  // Replicas: their stores (schema, key prefix, shared dir) go with the cluster unless the run failed or keeps data.
  if (replicas) await replicas.dispose({ keepStores: !ok || o.keepData }).catch(() => undefined);
  if (!replicas && ok && !o.keepData) await rm(dataDir, { recursive: true, force: true });
  const gcCounters = observer.totals();
  return {
    seed: o.seed,
    ok,
    violations,
    notes,
    stats,
    kills: server.kills,
    gc: { ...gcCounters, manifestsCollectedByGc: collectedByGc, sideSweeps },
    reclaimedDuringRun: reclaimed,
    verify,
    requests: http.requests,
    serverErrors: http.serverErrors.length,
    wallMs: Date.now() - started,
    dataDir,
    replay:
      `node test/torture/run.ts --seed ${o.seed} --duration ${o.durationMs}ms --clients ${o.clients} --kill-every ${o.killEveryMs[0]}ms-${o.killEveryMs[1]}ms --sweep-every ${o.sweepEveryMs[0]}ms-${o.sweepEveryMs[1]}ms ` +
      `--grace ${o.grace} --gc-interval ${o.gcInterval} --restore-window ${o.restoreWindow}${o.taggedReferrers ? '' : ' --no-tagged-referrers'}` +
      `${o.replicas > 0 ? ` --replicas ${o.replicas} --backend ${o.backend}` : ''}`,
  };
}

/** Pushed blobs whose bytes are gone at the end of the load: what online GC gave back while clients ran. */
async function reclaimedSoFar(deps: OpenedRegistry['deps'], blobs: BlobDirectory): Promise<{ blobs: number; bytes: number; of: number }> {
  let n = 0;
  let bytes = 0;
  for (const [digest, size] of blobs.sizes) {
    if ((await deps.blobs.stat(digest as Digest)) === null) {
      n++;
      bytes += size;
    }
  }
  return { blobs: n, bytes, of: blobs.sizes.size };
}
