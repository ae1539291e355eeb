// One page of a repository's tags for the console: searched by name ignoring case, keyset-paged by tag name, each
// tag with what its manifest weighs, runs on and is protected by (manifest-details.ts), in a fixed number of reads.
import { RegistryError } from '../errors.ts';
import type { Digest } from '../model/digest.ts';
import type { Pin } from '../model/records.ts';
import type { UsesMeta } from './deps.ts';
import type { Platform } from './image-platforms.ts';
import { type ManifestDetailDeps, manifestDetails } from './manifest-details.ts';

export interface TagView {
  tag: string;
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  /** The manifest, its index children and every blob they reference, each once. */
  size: number;
  platforms: Platform[];
  pushedAt: Date;
  /** When the tag last moved to its digest. */
  taggedAt: Date;
  lastPulledAt: Date | null;
  pins: Pin[];
}

export interface KeysetQuery {
  contains?: string | undefined;
  after?: string | undefined;
  limit: number;
}

export function unknownRepository(repository: string): RegistryError {
  return new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
}

export async function browseTags(
  deps: ManifestDetailDeps & UsesMeta<'searchTags'>,
  repository: string,
  q: KeysetQuery,
): Promise<{ tags: TagView[]; next: string | null }> {
  // One more than asked says whether a next page exists without a count.
  const rows = await deps.meta.searchTags(repository, { contains: q.contains, after: q.after, limit: q.limit + 1 });
  if (rows === null) throw unknownRepository(repository);
  const page = rows.slice(0, q.limit);
  const details = await manifestDetails(deps, repository, [...new Set(page.map((t) => t.digest))]);
  const tags = page.map((t): TagView => {
    // A manifest deleted between the two reads keeps what the tag row said, with nothing more to show.
    const d = details.get(t.digest);
    return {
      tag: t.tag,
      digest: t.digest,
      mediaType: t.mediaType,
      artifactType: t.artifactType,
      size: d?.size ?? t.manifestSize,
      platforms: d?.platforms ?? [],
      pushedAt: t.pushedAt,
      taggedAt: t.taggedAt,
      lastPulledAt: t.lastPulledAt,
      pins: d?.pins ?? [],
    };
  });
  return { tags, next: rows.length > q.limit ? page.at(-1)!.tag : null };
}
