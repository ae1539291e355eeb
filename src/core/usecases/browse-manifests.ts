// One page of a repository's manifests for the console (all, tagged only, or the untagged ones a cleanup looks for),
// keyset-paged by digest, each with its tags, size, platforms and protecting pins (manifest-details.ts).
import type { Digest } from '../model/digest.ts';
import { unknownRepository } from './browse-tags.ts';
import type { UsesMeta } from './deps.ts';
import { type ManifestDetail, type ManifestDetailDeps, manifestDetails } from './manifest-details.ts';

export async function browseManifests(
  deps: ManifestDetailDeps & UsesMeta<'listManifestDigests'>,
  repository: string,
  q: { tagged?: boolean | undefined; after?: string | undefined; limit: number },
): Promise<{ manifests: ManifestDetail[]; next: Digest | null }> {
  const digests = await deps.meta.listManifestDigests(repository, { tagged: q.tagged, after: q.after, limit: q.limit + 1 });
  if (digests === null) throw unknownRepository(repository);
  const page = digests.slice(0, q.limit);
  const details = await manifestDetails(deps, repository, page);
  // A manifest deleted between the two reads is left out; the cursor still moves past it.
  return { manifests: page.flatMap((d) => details.get(d) ?? []), next: digests.length > q.limit ? page.at(-1)! : null };
}
