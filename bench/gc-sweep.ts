// Where one GC pass spends its time sweeping orphan blobs, on the embedded stores or on PostgreSQL + S3, without the
// HTTP uploads of `npm run bench -- --only-gc` (seeding through the stores directly takes seconds, not minutes), so
// the blob step can be profiled at 5,000 and 20,000 blobs. `node bench/gc-sweep.ts [--backend embedded|postgres-s3]
// [--blobs N] [--bytes B] [--seed stores|http]`: prints blobs/s and the time and calls per store method. Seeded through
// the stores, the files are never synced, so their unlinks skip freeing allocated blocks and the rate is flattering
// (12,600-15,800 blobs/s here); `--seed http` uploads through a running berth, which fsyncs each blob, as the bench
// does (9,100-13,300, depending on the thread pool).
import '../bin/thread-pool.js'; // first: the sweep runs in this process, with berth's thread pool
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { loadConfig } from '../src/config/index.ts';
import { type Digest, type RegistryDeps, runGc } from '../src/core/index.ts';
import { openRegistry } from '../src/main.ts';
import { s3Client, sharedStores } from '../test/e2e/replicas-stores.ts';
import { s3Server } from '../test/servers.ts';
import { bounded } from './http.ts';
import { uploadUnreferenced } from './workloads/gc.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'embedded' },
    blobs: { type: 'string', default: '5000' },
    bytes: { type: 'string', default: '16384' },
    seed: { type: 'string', default: 'stores' },
  },
});
const backend = values.backend === 'postgres-s3' ? 'postgres-s3' : 'embedded';
const N = Math.max(1, Number(values.blobs));
const BYTES = Math.max(1, Number(values.bytes));
const log = (m: string): void => void process.stderr.write(`gc-sweep: ${m}\n`);

interface Tally {
  calls: number;
  ms: number;
}

/** Wraps every method of a store so each call's time is added to `tally` under "<what>.<method>". */
function timed<T extends object>(what: string, target: T, tally: Map<string, Tally>): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      const v = Reflect.get(t, key, receiver) as unknown;
      if (typeof v !== 'function' || typeof key !== 'string') return v;
      return (...args: unknown[]) => {
        const start = performance.now();
        const out = (v as (...a: unknown[]) => unknown).apply(t, args);
        const done = (): void => {
          const row = tally.get(`${what}.${key}`) ?? { calls: 0, ms: 0 };
          row.calls++;
          row.ms += performance.now() - start;
          tally.set(`${what}.${key}`, row);
        };
        if (out instanceof Promise) return out.finally(done);
        done();
        return out;
      };
    },
  });
}

/** Bytes this process has had written to storage (`/proc/self/io`): on the embedded stores, SQLite's WAL and checkpoints. */
function writtenBytes(): number {
  return Number(/^write_bytes: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1] ?? Number.NaN);
}

const root = await mkdtemp(join(tmpdir(), 'berth-gc-sweep-'));
const stores = backend === 'postgres-s3' ? await sharedStores('postgres-s3', 'gc-sweep') : null;
const config = loadConfig({ env: stores?.env ?? {}, flags: { data: join(root, 'data'), ...(stores ? { meta: stores.meta, blobs: stores.blobs } : {}) } });

/** N orphan blobs written straight into the stores (never synced) and linked, as a push that lost its manifest. */
async function seedThroughStores(deps: RegistryDeps): Promise<void> {
  const at = new Date(Date.now() - 60_000);
  const actor = { principal: 'bench', dialect: 'cli' } as const;
  const s3 = stores ? await s3Server() : null;
  const client = s3 ? s3Client(s3) : null;
  const prefix = stores ? `${new URL(stores.blobs.replace(/^s3:/, 'http:')).pathname.split('/')[1]}/` : '';
  const t0 = performance.now();
  const seeded = await bounded(N, 3_600, 16, async (i) => {
    const bytes = randomBytes(BYTES);
    const hex = createHash('sha256').update(bytes).digest('hex');
    const digest: Digest = `sha256:${hex}`;
    if (client && s3) {
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}blobs/sha256/${hex}`, Body: bytes }));
    } else {
      const dir = join(config.data, 'blobs', 'sha256', hex.slice(0, 2));
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, hex), bytes);
    }
    await deps.meta.linkBlob(`gc/sweep${i % 8}`, { digest, size: BYTES }, actor, at);
  });
  client?.destroy();
  if (seeded.done !== N) throw new Error(`seeded only ${seeded.done} of ${N}`);
  log(`${backend}: seeded ${N} orphan blobs of ${BYTES} bytes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// `--seed http` uploads the blobs through a running berth, as `npm run bench -- --only-gc` does, then sweeps in process.
const overHttp = values.seed === 'http';
if (overHttp) {
  const t0 = performance.now();
  await uploadUnreferenced(config.data, N, BYTES, stores?.env);
  log(`${backend}: uploaded ${N} blobs of ${BYTES} bytes over HTTP in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
const opened = await openRegistry(config);
try {
  const deps: RegistryDeps = opened.deps;
  if (!overHttp) await seedThroughStores(deps);

  const tally = new Map<string, Tally>();
  const gcDeps: RegistryDeps = { ...deps, meta: timed('meta', deps.meta, tally), blobs: timed('blobs', deps.blobs, tally) };
  const t = performance.now();
  const cpu = process.cpuUsage();
  const written = writtenBytes();
  const r = await runGc(gcDeps, { graceMs: 0, restoreWindowMs: 0, dryRun: false });
  const seconds = (performance.now() - t) / 1000;
  // Every thread of this process: the metadata work on the main one, the unlinks in libuv's pool.
  const used = process.cpuUsage(cpu);
  const wrote = writtenBytes() - written;
  if (r.blobsRemoved !== N || r.errors > 0) throw new Error(`removed ${r.blobsRemoved} of ${N}, ${r.errors} errors`);
  let left = 0;
  for await (const _ of deps.blobs.list()) left++;
  if (left !== 0) throw new Error(`${left} blobs left after the pass`);
  console.log(
    `${backend}, ${N} blobs: ${seconds.toFixed(2)} s, ${(N / seconds).toFixed(0)} blobs/s, ${(r.bytesReclaimed / 1048576 / seconds).toFixed(1)} MiB/s, CPU user ${(used.user / 1e6).toFixed(2)} s + system ${(used.system / 1e6).toFixed(2)} s (${((used.user + used.system) / 1e4 / seconds).toFixed(0)} % of a core), written ${(wrote / 1048576).toFixed(1)} MiB`,
  );
  const rows = [...tally.entries()].sort((a, b) => b[1].ms - a[1].ms);
  for (const [name, row] of rows) {
    console.log(
      `  ${name.padEnd(32)} ${String(row.calls).padStart(7)} calls ${row.ms.toFixed(0).padStart(8)} ms  ${((row.ms / 1000 / seconds) * 100).toFixed(0).padStart(3)} %`,
    );
  }
} finally {
  await opened.close();
  await stores?.dispose();
  await rm(root, { recursive: true, force: true });
}
