// Image listings for the cloud APIs: every live manifest of a repository with its tags, filtered by tag status and
// paged by digest, so ECR ListImages/DescribeImages (and their ACR/SWR/NCR cousins) share one query.
import { RegistryError } from '../errors.ts';
import type { Digest } from '../model/digest.ts';
import type { ImageSummary, TagStatus } from '../ports/repository-admin.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

export async function listImages(
  deps: UsesMeta<'listImages'> & Pick<RegistryDeps, 'limits'>,
  repository: string,
  q: { tagStatus?: TagStatus | undefined; after?: Digest | undefined; limit: number },
): Promise<{ images: ImageSummary[]; next: Digest | null }> {
  const limit = Math.max(0, Math.min(q.limit, deps.limits.maxPageSize));
  const found = await deps.meta.listImages(repository, { tagStatus: q.tagStatus ?? 'ANY', after: q.after, limit: limit + 1 });
  if (found === null) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  const more = found.length > limit;
  const images = more ? found.slice(0, limit) : found;
  return { images, next: more && images.length > 0 ? images.at(-1)!.digest : null };
}

export async function findImages(deps: UsesMeta<'findRepository' | 'findImages'>, repository: string, digests: readonly Digest[]): Promise<ImageSummary[]> {
  if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  return deps.meta.findImages(repository, digests);
}
