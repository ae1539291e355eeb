// The backend section of `npm run bench`: the same workloads (blob push/pull, manifest GET rate, small-image pushes)
// against berth on its embedded default, and on shared stores (PostgreSQL + S3 by default) with one replica and with
// two replicas behind the tests' round-robin proxy, so the table shows what scale-out costs on one machine.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Cluster } from '../test/e2e/replicas-cluster.ts';
import { RoundRobinProxy } from '../test/e2e/replicas-proxy.ts';
import { type Backend, backendSkip } from '../test/e2e/replicas-stores.ts';
import { s3Server } from '../test/servers.ts';
import { type CpuByGroup, cpuDuring } from './cpu-by-process.ts';
import { makeSmallImage } from './http.ts';
import type { BigBlob } from './machine.ts';
import { peakRss, startBerthRegistry, startDistribution } from './registries.ts';
import { blobPull, blobPush } from './workloads/blobs.ts';
import { deleteByDigest, smallImagePush, smallImagePushDistinct } from './workloads/images.ts';
import { manifestGetRate, type RateOptions } from './workloads/rates.ts';

export interface BackendParams {
  backend: Backend;
  blobRuns: number;
  rate: RateOptions;
  images: number;
  writeSeconds: number;
  writeConcurrency: number;
}

export interface BackendMeasured {
  blobPushMiBs: number;
  blobPullMiBs: number;
  manifestGetRps: number;
  smallImagePushPerSec: number;
  /** The same pushes, each into a repository of its own. */
  smallImagePushDistinctPerSec: number;
  deleteByDigestPerSec: number;
  /** Peak RSS of the registry's process (the largest replica's), MiB. */
  peakRssMiB: number;
  /** CPU ms per image of the small-image push, by process: the registry's, the bench's own, the stores'. */
  smallImagePushCpuMs: CpuByGroup;
}

export interface BackendColumn {
  name: string;
  /** What ran: "1 process, sqlite + file", "2 replicas on postgres-s3 behind the proxy". */
  setup: string;
  /** null when the column could not run (the reason is in `skipped`). */
  m: BackendMeasured | null;
  skipped?: string;
}

const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

/** The registry's processes (for the CPU probe) and its peak RSS so far. */
interface RegistryProcesses {
  pids: number[];
  rss: () => Promise<number>;
}

async function measureOne(name: string, base: string, blob: BigBlob, P: BackendParams, variant: number, reg: RegistryProcesses): Promise<BackendMeasured> {
  const ns = `backends-${name.replace(/[^a-z0-9]+/g, '-')}`;
  log(`${name}: blob push/pull, ${P.blobRuns} x ${blob.size / 2 ** 20} MiB`);
  const push = await blobPush(base, ns, blob, P.blobRuns, variant);
  const pull = await blobPull(base, ns, push.pushed, P.blobRuns);
  log(`${name}: manifest GET, ${P.rate.warmupSeconds} s warm-up + ${P.rate.seconds} s`);
  const manifest = await manifestGetRate(base, ns, P.rate);
  log(`${name}: small-image push, up to ${P.images} images or ${P.writeSeconds} s`);
  const images = Array.from({ length: P.images }, () => makeSmallImage(1024));
  const labels = new Map<number, string>([...reg.pids.map((pid): [number, string] => [pid, 'registry']), [process.pid, 'bench (client)']]);
  const { result: pushed, cpuMs } = await cpuDuring(labels, () => smallImagePush(base, ns, images, P.writeSeconds, P.writeConcurrency));
  log(`${name}: small-image push into distinct repositories, up to ${P.images} images or ${P.writeSeconds} s`);
  const distinct = await smallImagePushDistinct(
    base,
    ns,
    Array.from({ length: P.images }, () => makeSmallImage(1024)),
    P.writeSeconds,
    P.writeConcurrency,
  );
  log(`${name}: delete by digest, ${pushed.done} manifests`);
  const deleted = await deleteByDigest(base, ns, images, pushed.done, P.writeSeconds, P.writeConcurrency);
  const m: BackendMeasured = {
    blobPushMiBs: push.rates.median,
    blobPullMiBs: pull.median,
    manifestGetRps: manifest.perSecond,
    smallImagePushPerSec: pushed.perSecond,
    smallImagePushDistinctPerSec: distinct.perSecond,
    deleteByDigestPerSec: deleted.perSecond,
    peakRssMiB: await reg.rss(),
    smallImagePushCpuMs: Object.fromEntries(Object.entries(cpuMs).map(([k, v]) => [k, v / Math.max(1, pushed.done)])),
  };
  log(
    `${name}: ${Object.entries(m)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? v.toFixed(1) : JSON.stringify(v)}`)
      .join(', ')}`,
  );
  return m;
}

/** Runs the columns one after the other (one set of processes up at a time). */
export async function measureBackends(work: string, blob: BigBlob, P: BackendParams): Promise<BackendColumn[]> {
  const columns: BackendColumn[] = [];
  const dir = join(work, 'backends');
  await mkdir(dir, { recursive: true });
  const embedded = await startBerthRegistry(dir);
  try {
    columns.push({
      name: 'embedded',
      setup: '1 process, sqlite + file (the default)',
      m: await measureOne('embedded', embedded.url, blob, P, 100, { pids: [embedded.pid], rss: embedded.peakRssMiB }),
    });
    // The proxy's own cost, so the two-replica column can be read: the same process, every request through it.
    const proxy = await RoundRobinProxy.start({ backends: [embedded.url] });
    try {
      columns.push({
        name: 'embedded via proxy',
        setup: 'the same process behind the round-robin proxy',
        m: await measureOne('embedded via proxy', proxy.url, blob, P, 105, { pids: [embedded.pid], rss: embedded.peakRssMiB }),
      });
    } finally {
      await proxy.close();
    }
  } finally {
    await embedded.stop();
  }
  const skip = await backendSkip(P.backend);
  for (const replicas of [1, 2]) {
    const name = `${P.backend} x${replicas}`;
    const setup = replicas === 1 ? `1 process on ${P.backend}, direct` : `${replicas} replicas on ${P.backend} behind the round-robin proxy`;
    if (skip) {
      log(`${name}: skipped, ${skip}`);
      columns.push({ name, setup, m: null, skipped: skip });
      continue;
    }
    const cluster = await Cluster.start({ backend: P.backend, label: `bench-${replicas}`, replicas, env: { BERTH_LOG_LEVEL: 'warn' } });
    try {
      const base = replicas === 1 ? cluster.replica(0).url : cluster.proxy.url;
      const pids = Array.from({ length: replicas }, (_, i) => cluster.replica(i).process.pid!);
      const rss = async (): Promise<number> => Math.max(...(await Promise.all(pids.map(peakRss))));
      columns.push({ name, setup, m: await measureOne(name, base, blob, P, 100 + replicas * 10, { pids, rss }) });
    } finally {
      await cluster.dispose();
    }
  }
  if (P.backend === 'postgres-s3')
    columns.push(skip ? { name: 'distribution s3', setup: DISTRIBUTION_S3, m: null, skipped: skip } : await distributionOnS3(dir, blob, P));
  return columns;
}

const DISTRIBUTION_S3 = 'CNCF Distribution on its s3 driver, the same RGW and bucket, a prefix of its own (its defaults: blob GETs redirect to the store)';

/** Distribution's own scale-out answer, on the very object store the berth columns used. */
async function distributionOnS3(dir: string, blob: BigBlob, P: BackendParams): Promise<BackendColumn> {
  const prefix = `bench-distribution-${Date.now().toString(36)}`;
  const reg = await startDistribution(dir, 'distribution-s3', { kind: 's3', s3: await s3Server(), prefix });
  try {
    return {
      name: 'distribution s3',
      setup: DISTRIBUTION_S3,
      m: await measureOne('distribution s3', reg.url, blob, P, 140, { pids: [reg.pid], rss: reg.peakRssMiB }),
    };
  } finally {
    await reg.stop();
  }
}
