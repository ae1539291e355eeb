// One round of every workload: the read rates of both registries in alternating slices, then everything else against
// one registry at a time. The inputs (big blob variants, small images) are the same for both registries within a
// round, and each round writes under its own namespace.
import type { SmallImage } from './http.ts';
import type { LoadResult } from './load-worker.ts';
import type { BigBlob } from './machine.ts';
import type { Registry } from './registries.ts';
import type { Measured } from './report.ts';
import { blobPull, blobPush } from './workloads/blobs.ts';
import { deleteByDigest, smallImagePush } from './workloads/images.ts';
import { manifestGetTarget, pairedRates, type RateOptions, tagsListTarget } from './workloads/rates.ts';

export interface Params {
  blobMiB: number;
  blobRuns: number;
  limitMiB: number;
  rate: RateOptions;
  /** The read rates' alternating slices per registry (measureReads). */
  rateSlices: number;
  images: number;
  writeSeconds: number;
  writeConcurrency: number;
  rounds: number;
}

export interface RoundInput {
  round: number;
  blob: BigBlob;
  images: SmallImage[];
}

const log = (m: string): void => void process.stderr.write(`bench: ${m}\n`);

/**
 * The two read rates of both registries in one round, in alternating slices (rates.ts, pairedRates): a cached read
 * runs at ~10,000 req/s and the VM's speed drifts by tens of percent within a minute, so two 10-second runs minutes
 * apart compared the VM's moods as much as the registries.
 */
export async function measureReads(regs: readonly [Registry, Registry], round: number, P: Params): Promise<[ReadRates, ReadRates]> {
  const ns = `round${round}`;
  const bases = [regs[0].url, regs[1].url] as const;
  const slices = `${P.rateSlices} alternating slices of ${P.rate.warmupSeconds / 2} s warm-up + ${P.rate.seconds / P.rateSlices} s each`;
  log(`round ${round}: manifest GET, ${slices}`);
  const get = await pairedRates(bases, [await manifestGetTarget(bases[0], ns), await manifestGetTarget(bases[1], ns)], P.rate, P.rateSlices);
  log(`round ${round}: tags/list, ${slices}`);
  const tags = await pairedRates(bases, [await tagsListTarget(bases[0], ns), await tagsListTarget(bases[1], ns)], P.rate, P.rateSlices);
  return [
    { manifest: get[0], tags: tags[0] },
    { manifest: get[1], tags: tags[1] },
  ];
}

export interface ReadRates {
  manifest: LoadResult;
  tags: LoadResult;
}

/** Every other workload of the round against one registry; the read rates were measured before, for both at once. */
export async function measure(column: string, reg: Registry, input: RoundInput, reads: ReadRates, P: Params): Promise<{ m: Measured; detail: object }> {
  const ns = `round${input.round}`;
  const tag = `${column} round ${input.round}`;
  const { manifest, tags } = reads;
  log(`${tag}: blob push, ${P.blobRuns} x ${P.blobMiB} MiB`);
  const push = await blobPush(reg.url, ns, input.blob, P.blobRuns, (input.round - 1) * P.blobRuns);
  log(`${tag}: blob pull, ${P.blobRuns} x ${P.blobMiB} MiB`);
  const pull = await blobPull(reg.url, ns, push.pushed, P.blobRuns);
  log(`${tag}: small-image push, up to ${input.images.length} images or ${P.writeSeconds} s`);
  const pushed = await smallImagePush(reg.url, ns, input.images, P.writeSeconds, P.writeConcurrency);
  log(`${tag}: delete by digest, ${pushed.done} manifests`);
  const deleted = await deleteByDigest(reg.url, ns, input.images, pushed.done, P.writeSeconds, P.writeConcurrency);
  const m: Measured = {
    blobPushMiBs: push.rates.median,
    blobPullMiBs: pull.median,
    manifestGetRps: manifest.perSecond,
    tagsListRps: tags.perSecond,
    smallImagePushPerSec: pushed.perSecond,
    deleteByDigestPerSec: deleted.perSecond,
    peakRssMiB: await reg.peakRssMiB(),
  };
  log(
    `${tag}: ${Object.entries(m)
      .map(([k, v]) => `${k} ${v.toFixed(1)}`)
      .join(', ')}`,
  );
  return { m, detail: { blobPush: push.rates, blobPull: pull, manifestGet: manifest, tagsList: tags, smallImagePush: pushed, deleteByDigest: deleted } };
}
