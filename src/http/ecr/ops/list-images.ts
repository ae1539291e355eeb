// ListImages and DescribeImages: core's digest-ordered image listing turned into ECR's pages. ListImages pages by
// (digest, tag) entry, so a page never splits or repeats an image's tags; DescribeImages pages by image.
import { z } from 'zod';
import { type Digest, findImages, type ImageSummary, listImages, type TagStatus } from '../../../core/index.ts';
import { operation } from '../context.ts';
import { EcrError, imageNotFound, repositoryNotFound } from '../errors.ts';
import { DEFAULT_PAGE, decodeToken, encodeToken, rejectPagingWith } from '../paging.ts';
import { base, imageFilter, imageIds, maxResults, nextToken, repositoryName } from '../validate.ts';
import { type ImageIdentifier, imageId } from '../wire.ts';
import { imageDetail } from './image-detail.ts';
import { resolveImage } from './resolve.ts';

const listInput = { ...base, repositoryName, nextToken: nextToken.optional(), maxResults: maxResults.optional(), filter: imageFilter.optional() };

/** Archived images are an AWS storage class berth does not have: asking only for them lists nothing. */
function onlyArchived(filter: { imageStatus?: string | undefined } | undefined): boolean {
  return filter?.imageStatus === 'ARCHIVED' || filter?.imageStatus === 'ACTIVATING';
}

function entriesOf(image: ImageSummary, status: TagStatus): Array<{ tag: string | undefined }> {
  if (image.tags.length === 0 || status === 'UNTAGGED') return [{ tag: undefined }];
  return image.tags.map((tag) => ({ tag }));
}

export const ListImages = operation({
  input: z.object(listInput),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'pull');
    const deps = call.ctx.deps;
    const status = input.filter?.tagStatus ?? 'ANY';
    const limit = input.maxResults ?? DEFAULT_PAGE;
    const ids: ImageIdentifier[] = [];
    if (onlyArchived(input.filter)) return { imageIds: ids };
    const position = input.nextToken === undefined ? null : decodeToken('ListImages', input.nextToken);
    let after = position?.d as Digest | undefined;
    let skipThrough = position?.t;
    let pending: ImageSummary[] = [];
    if (skipThrough !== undefined && after !== undefined) {
      // The token stopped inside an image's tags: finish that image first, then go on after it.
      pending = (await findImages(deps, input.repositoryName, [after])).filter((i) => i.tags.some((t) => t > skipThrough!));
    }
    for (let round = 0; round < 4; round++) {
      let more = true;
      if (pending.length === 0) {
        const page = await listImages(deps, input.repositoryName, { tagStatus: status, after, limit });
        pending = page.images;
        more = page.next !== null;
      }
      for (const image of pending) {
        for (const { tag } of entriesOf(image, status)) {
          if (skipThrough !== undefined && tag !== undefined && tag <= skipThrough) continue;
          if (ids.length === limit) {
            const last = ids.at(-1)!;
            const inside = last.imageDigest === image.digest;
            return {
              imageIds: ids,
              nextToken: encodeToken('ListImages', inside && last.imageTag ? { d: image.digest, t: last.imageTag } : { d: last.imageDigest! }),
            };
          }
          ids.push(imageId(image.digest, tag));
        }
        skipThrough = undefined;
        after = image.digest;
      }
      pending = [];
      if (!more) break;
    }
    return { imageIds: ids };
  },
});

export const DescribeImages = operation({
  input: z.object({ ...listInput, imageIds: imageIds.optional() }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'pull');
    const deps = call.ctx.deps;
    const { repositoryName: name } = input;
    const registryId = call.ctx.ecr.registryId;
    if (!(await deps.meta.findRepository(name))) throw repositoryNotFound(name, registryId);
    if (input.imageIds) {
      rejectPagingWith('imageIds', input);
      const digests = new Set<Digest>();
      for (const id of input.imageIds) {
        const found = await resolveImage(deps, name, id);
        if (found.kind === 'failure' && (found.code === 'InvalidImageDigest' || found.code === 'InvalidImageTag' || found.code === 'MissingDigestAndTag')) {
          throw new EcrError('InvalidParameterException', found.reason);
        }
        if (found.kind !== 'found') throw imageNotFound(id, name, registryId);
        digests.add(found.manifest.digest);
      }
      // The repository was checked above: read the images straight from the port rather than through findImages,
      // which would look the repository up again.
      const images = await deps.meta.findImages(name, [...digests]);
      return { imageDetails: await Promise.all(images.map((i) => imageDetail(call, name, i))) };
    }
    if (onlyArchived(input.filter)) return { imageDetails: [] };
    const after = input.nextToken === undefined ? undefined : (decodeToken('DescribeImages', input.nextToken).d as Digest);
    const page = await listImages(deps, name, { tagStatus: input.filter?.tagStatus ?? 'ANY', after, limit: input.maxResults ?? DEFAULT_PAGE });
    const imageDetails = await Promise.all(page.images.map((i) => imageDetail(call, name, i)));
    return { imageDetails, ...(page.next === null ? {} : { nextToken: encodeToken('DescribeImages', { d: page.next }) }) };
  },
});
