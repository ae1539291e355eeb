// What the console shows for each manifest of a page: facts, size and tags from one batched read, the platforms it
// runs on (an index's entries, or an image's config, read once per config digest) and the pins that would refuse
// its delete now, computed by the same rule deletes apply, so the console never says "unpinned" of what a delete refuses.
import type { Digest } from '../model/digest.ts';
import { isIndexMediaType } from '../model/media-types.ts';
import type { Pin } from '../model/records.ts';
import type { ManifestFacts } from '../ports/console.ts';
import { type ConfigPlatforms, configPlatforms } from './config-platforms.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';
import { imagePlatform, indexEntries, type Platform } from './image-platforms.ts';
import { pinPolicy } from './pin-policy.ts';
import type { OpenBlobDeps } from './read-blob.ts';

export interface ManifestDetail extends Omit<ManifestFacts, 'body'> {
  /** Distinct platforms: an index's entries, or the one an image's config names; none for artifacts. */
  platforms: Platform[];
  pins: Pin[];
}

export type ManifestDetailDeps = UsesMeta<'manifestFacts' | 'pinsProtecting'> & OpenBlobDeps & Pick<RegistryDeps, 'clock' | 'deletion'>;

/** Config reads in flight at once for one page: a cold page of 1,000 images must not open 1,000 files together. */
const CONFIG_READS = 16;

const blank = (p: Platform): boolean => p.os === '' && p.architecture === '';
const keyOf = (p: Platform): string => [p.os, p.architecture, p.variant, p.osVersion].join('/');

async function platformsOf(deps: OpenBlobDeps, repository: string, f: ManifestFacts, known: ConfigPlatforms): Promise<Platform[]> {
  const found = isIndexMediaType(f.mediaType) ? indexEntries(f.body).map((e) => e.platform) : [await imagePlatform(deps, repository, f.body, known)];
  const seen = new Set<string>();
  return found.filter((p) => !blank(p) && !seen.has(keyOf(p)) && seen.add(keyOf(p)));
}

async function inBatches<T, R>(items: readonly T[], width: number, each: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(each))));
  return out;
}

/** Details of the live manifests among `digests`, by digest (unknown ones are absent). */
export async function manifestDetails(
  deps: ManifestDetailDeps,
  repository: string,
  digests: readonly Digest[],
  known: ConfigPlatforms = configPlatforms,
): Promise<Map<Digest, ManifestDetail>> {
  if (digests.length === 0) return new Map();
  const now = deps.clock.now();
  const [facts, pins] = await Promise.all([
    deps.meta.manifestFacts(repository, digests),
    deps.meta.pinsProtecting(repository, digests, pinPolicy(deps, now, false), now),
  ]);
  const platforms = await inBatches(facts, CONFIG_READS, (f) => platformsOf(deps, repository, f, known));
  return new Map(facts.map(({ body: _body, ...f }, i) => [f.digest, { ...f, platforms: platforms[i]!, pins: pins.get(f.digest) ?? [] }] as const));
}
