// BatchDeleteImage: each imageId succeeds or becomes a failures[] entry, never failing the batch. By tag it untags
// (the last tag takes the image with it, ECR's rule, through core's dropUntagged); by digest it deletes the image and
// all its tags, unless a live index still lists it or a deployment pin protects it.
import { z } from 'zod';
import { deleteManifest, isRegistryError } from '../../../core/index.ts';
import { operation } from '../context.ts';
import { repositoryNotFound } from '../errors.ts';
import { base, imageIds, repositoryName } from '../validate.ts';
import { type ImageIdentifier, imageId } from '../wire.ts';
import { failure, type ImageFailure, resolveImage } from './resolve.ts';

export const BatchDeleteImage = operation({
  input: z.object({ ...base, repositoryName, imageIds }),
  async run(call, input) {
    const { repositoryName: name } = input;
    const deps = call.ctx.deps;
    await call.authorize(name, 'delete');
    if (!(await deps.meta.findRepository(name))) throw repositoryNotFound(name, call.ctx.ecr.registryId);
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    for (const id of input.imageIds) {
      const found = await resolveImage(deps, name, id);
      if (found.kind === 'failure') {
        failures.push(failure(id, found));
        continue;
      }
      const { digest } = found.manifest;
      try {
        if (id.imageTag !== undefined) {
          await deleteManifest(deps, name, id.imageTag, call.actor, { dropUntagged: true });
          deleted.push(imageId(digest, id.imageTag));
          continue;
        }
        const listedBy = await deps.meta.indexParents(name, digest);
        if (listedBy.length > 0) {
          failures.push({
            imageId: id,
            failureCode: 'ImageReferencedByManifestList',
            failureReason: `Requested image referenced by manifest list: [${listedBy.join(', ')}]`,
          });
          continue;
        }
        const tags = (await deps.meta.findImages(name, [digest]))[0]?.tags ?? [];
        await deleteManifest(deps, name, digest, call.actor);
        deleted.push(...(tags.length === 0 ? [imageId(digest, undefined)] : tags.map((t) => imageId(digest, t))));
      } catch (e) {
        if (isRegistryError(e) && e.code === 'IMAGE_IN_USE') failures.push({ imageId: id, failureCode: 'ImageInUse', failureReason: e.message });
        else if (isRegistryError(e) && e.code === 'MANIFEST_UNKNOWN')
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        else throw e;
      }
    }
    return { imageIds: deleted, failures };
  },
});
