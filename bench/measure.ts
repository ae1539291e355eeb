// One round of every workload against one registry, in the order of the table; the inputs (big blob variants,
// small images) are the same for both registries within a round, and each round writes under its own namespace.
import type { SmallImage } from './http.ts';
import type { BigBlob } from './machine.ts';
import type { Registry } from './registries.ts';
import type { Measured } from './report.ts';
import { blobPull, blobPush } from './workloads/blobs.ts';
import { deleteByDigest, smallImagePush } from './workloads/images.ts';
import { manifestGetRate, type RateOptions, tagsListRate } from './workloads/rates.ts';

export interface Params {
  blobMiB: number;
  blobRuns: number;
  limitMiB: number;
  rate: RateOptions;
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

export async function measure(column: string, reg: Registry, input: RoundInput, P: Params): Promise<{ m: Measured; detail: object }> {
  const ns = `round${input.round}`;
  const tag = `${column} round ${input.round}`;
  log(`${tag}: blob push, ${P.blobRuns} x ${P.blobMiB} MiB`);
  const push = await blobPush(reg.url, ns, input.blob, P.blobRuns, (input.round - 1) * P.blobRuns);
  log(`${tag}: blob pull, ${P.blobRuns} x ${P.blobMiB} MiB`);
  const pull = await blobPull(reg.url, ns, push.pushed, P.blobRuns);
  log(`${tag}: manifest GET, ${P.rate.warmupSeconds} s warm-up + ${P.rate.seconds} s`);
  const manifest = await manifestGetRate(reg.url, ns, P.rate);
  log(`${tag}: tags/list, ${P.rate.warmupSeconds} s warm-up + ${P.rate.seconds} s`);
  const tags = await tagsListRate(reg.url, ns, P.rate);
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
