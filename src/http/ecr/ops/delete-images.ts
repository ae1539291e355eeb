// BatchDeleteImage: each imageId succeeds or becomes a failures[] entry, never failing the batch. By tag it untags
// (the last tag takes the image with it, ECR's rule, through core's dropUntagged); by digest it deletes the image and
// all its tags, unless a live index still lists it or a deployment pin protects it.
import { z } from 'zod';
import { deleteManifest, isIndexMediaType, isRegistryError, listImages, type Digest, type RegistryDeps } from '../../../core/index.ts';
import { operation } from '../context.ts';
import { repositoryNotFound } from '../errors.ts';
import { base, imageIds, repositoryName } from '../validate.ts';
import { imageId, type ImageIdentifier } from '../wire.ts';
import { failure, manifestText, resolveImage, type ImageFailure } from './resolve.ts';

const MAX_INDEX_PAGES = 100;

/** child digest -> the live indexes of the repository that list it. */
async function indexParents(deps: RegistryDeps, repository: string): Promise<Map<string, Digest[]>> {
  const parents = new Map<string, Digest[]>();
  let after: Digest | undefined;
  for (let page = 0; page < MAX_INDEX_PAGES; page++) {
    const { images, next } = await listImages(deps, repository, { after, limit: 1000 });
    for (const image of images.filter((i) => isIndexMediaType(i.mediaType))) {
      const stored = await deps.meta.getManifest(repository, { digest: image.digest });
      const children = stored ? childrenOf(manifestText(stored)) : [];
      for (const child of children) parents.set(child, [...(parents.get(child) ?? []), image.digest]);
    }
    if (next === null) break;
    after = next;
  }
  return parents;
}

/** Deleted indexes no longer hold their children. */
function forget(parents: Map<string, Digest[]> | null, deleted: readonly Digest[]): void {
  if (parents === null || deleted.length === 0) return;
  const gone = new Set<string>(deleted);
  for (const [child, list] of parents) parents.set(child, list.filter((p) => !gone.has(p)));
}

function childrenOf(text: string): string[] {
  try {
    const doc = JSON.parse(text) as { manifests?: unknown };
    return Array.isArray(doc.manifests) ? doc.manifests.map((m) => (m as { digest?: unknown }).digest).filter((d): d is string => typeof d === 'string') : [];
  } catch {
    return [];
  }
}

export const BatchDeleteImage = operation({
  input: z.object({ ...base, repositoryName, imageIds }),
  async run(call, input) {
    const { repositoryName: name } = input;
    const deps = call.ctx.deps;
    await call.authorize(name, 'delete');
    if (!(await deps.meta.findRepository(name))) throw repositoryNotFound(name, call.ctx.ecr.registryId);
    const deleted: ImageIdentifier[] = [];
    const failures: ImageFailure[] = [];
    let parents: Map<string, Digest[]> | null = null;
    for (const id of input.imageIds) {
      const found = await resolveImage(deps, name, id);
      if (found.kind === 'failure') {
        failures.push(failure(id, found));
        continue;
      }
      const { digest } = found.manifest;
      try {
        if (id.imageTag !== undefined) {
          const gone = await deleteManifest(deps, name, id.imageTag, call.actor, { dropUntagged: true });
          deleted.push(imageId(digest, id.imageTag));
          forget(parents, gone.manifests);
          continue;
        }
        parents ??= await indexParents(deps, name);
        const listedBy = parents.get(digest) ?? [];
        if (listedBy.length > 0) {
          failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: `Requested image referenced by manifest list: [${listedBy.join(', ')}]` });
          continue;
        }
        const tags = (await deps.meta.findImages(name, [digest]))[0]?.tags ?? [];
        const gone = await deleteManifest(deps, name, digest, call.actor);
        deleted.push(...(tags.length === 0 ? [imageId(digest, undefined)] : tags.map((t) => imageId(digest, t))));
        forget(parents, gone.manifests);
      } catch (e) {
        if (isRegistryError(e) && e.code === 'IMAGE_IN_USE') failures.push({ imageId: id, failureCode: 'ImageInUse', failureReason: e.message });
        else if (isRegistryError(e) && e.code === 'MANIFEST_UNKNOWN') failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        else throw e;
      }
    }
    return { imageIds: deleted, failures };
  },
});
