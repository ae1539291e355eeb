// One manifest in full for the console: its details, the children of an index (with their own platform and size),
// and the referrers hanging from it (signatures, SBOMs, attestations), all read in batches, not one call per entry.
import { RegistryError } from '../errors.ts';
import { type Digest, parseDigest } from '../model/digest.ts';
import { unknownRepository } from './browse-tags.ts';
import type { UsesMeta } from './deps.ts';
import { indexEntries, type Platform } from './image-platforms.ts';
import { type ManifestDetail, type ManifestDetailDeps, manifestDetails } from './manifest-details.ts';

export interface ChildView {
  digest: Digest;
  mediaType: string;
  /** What the child weighs (manifest and blobs) when stored here; the index entry's size when not. */
  size: number;
  platform: Platform;
  /** Whether the repository holds the child (an index may name manifests it does not carry). */
  stored: boolean;
}

export interface ReferrerView {
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  size: number;
  pushedAt: Date;
}

export interface ManifestDescription extends ManifestDetail {
  children: ChildView[];
  referrers: ReferrerView[];
}

export async function describeManifest(
  deps: ManifestDetailDeps & UsesMeta<'findRepository' | 'listReferrers'>,
  repository: string,
  digestParam: string,
): Promise<ManifestDescription> {
  const digest = parseDigest(digestParam);
  if (!(await deps.meta.findRepository(repository))) throw unknownRepository(repository);
  const detail = (await manifestDetails(deps, repository, [digest])).get(digest);
  if (!detail) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is not in repository ${repository}`, { digest });
  const [facts] = await deps.meta.manifestFacts(repository, [digest]);
  const entries = facts ? indexEntries(facts.body) : [];
  const referrers = await deps.meta.listReferrers(repository, digest);
  // Sizes of children and referrers come from one batched read (a referrer's weight is mostly its blob: an SBOM).
  const sized = new Map(
    (await deps.meta.manifestFacts(repository, [...entries.map((e) => e.digest), ...referrers.map((r) => r.digest)])).map((f) => [f.digest, f]),
  );
  return {
    ...detail,
    children: entries.map((e) => {
      const child = sized.get(e.digest);
      return { digest: e.digest, mediaType: child?.mediaType ?? e.mediaType, size: child?.size ?? e.size, platform: e.platform, stored: child !== undefined };
    }),
    referrers: referrers.map((r) => ({
      digest: r.digest,
      mediaType: r.mediaType,
      artifactType: r.artifactType,
      size: sized.get(r.digest)?.size ?? r.size,
      pushedAt: r.pushedAt,
    })),
  };
}
