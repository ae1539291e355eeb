// BatchGetImage and PutImage: manifests in and out as JSON strings, byte for byte the ones /v2 serves, so an image
// fetched here and put back under another tag keeps its digest (ECR's way to retag without docker).
import { z } from 'zod';
import { algorithmOf, type Digest, digestOf, isDigest, isRegistryError, putManifest } from '../../../core/index.ts';
import { type EcrCall, operation } from '../context.ts';
import { EcrError, repositoryNotFound } from '../errors.ts';
import { base, imageDigest, imageIds, imageTag, repositoryName } from '../validate.ts';
import { type ImageIdentifier, imageId } from '../wire.ts';
import { failure, type ImageFailure, manifestText, resolveImage } from './resolve.ts';

const mediaType = z.string().min(1).max(255);

async function requireRepository(call: EcrCall, name: string): Promise<void> {
  if (!(await call.ctx.deps.meta.findRepository(name))) throw repositoryNotFound(name, call.ctx.ecr.registryId);
}

export const BatchGetImage = operation({
  input: z.object({ ...base, repositoryName, imageIds, acceptedMediaTypes: z.array(mediaType).min(1).max(100).optional() }),
  async run(call, input) {
    const { repositoryName: name } = input;
    await call.authorize(name, 'pull');
    await requireRepository(call, name);
    const images: Array<Record<string, unknown>> = [];
    const failures: ImageFailure[] = [];
    const seen = new Set<string>();
    for (const id of input.imageIds) {
      const key = `${id.imageDigest ?? ''}\0${id.imageTag ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const found = await resolveImage(call.ctx.deps, name, id);
      if (found.kind === 'failure') {
        failures.push(failure(id, found));
        continue;
      }
      const m = found.manifest;
      if (input.acceptedMediaTypes && !input.acceptedMediaTypes.includes(m.mediaType)) {
        failures.push({
          imageId: id,
          failureCode: 'ImageNotFound',
          failureReason: `Requested image is ${m.mediaType}, which is not among the acceptedMediaTypes`,
        });
        continue;
      }
      call.ctx.pulls.record(name, m.digest);
      images.push({
        registryId: call.ctx.ecr.registryId,
        repositoryName: name,
        imageId: imageId(m.digest, id.imageTag),
        imageManifest: manifestText(m),
        imageManifestMediaType: m.mediaType,
      });
    }
    return { images, failures };
  },
});

function checkDigest(given: string | undefined, body: Uint8Array): Digest {
  if (given === undefined) return digestOf(body);
  if (!isDigest(given))
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'Invalid image digest ${given.slice(0, 200)}'`,
    );
  const computed = digestOf(body, algorithmOf(given));
  if (computed !== given) {
    throw new EcrError(
      'ImageDigestDoesNotMatchException',
      `Provided digest '${given}' does not match the digest '${computed}' calculated for the image manifest`,
    );
  }
  return computed;
}

/** Core's refusals of a manifest in ECR's words. */
function translate(call: EcrCall, name: string, tag: string | undefined, e: unknown): unknown {
  if (!isRegistryError(e)) return e;
  const where = `repository with name '${name}' in registry with id '${call.ctx.ecr.registryId}'`;
  const detail = e.detail as { blobs?: string[]; manifests?: string[] } | undefined;
  switch (e.code) {
    case 'TAG_IMMUTABLE':
      return new EcrError(
        'ImageTagAlreadyExistsException',
        `The image tag '${tag ?? ''}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    case 'MANIFEST_BLOB_UNKNOWN':
      if ((detail?.blobs ?? []).length > 0)
        return new EcrError(
          'LayersNotFoundException',
          `Layers with digests '[${detail!.blobs!.join(', ')}]' required for pushing image into ${where} do not exist`,
        );
      return new EcrError(
        'ReferencedImagesNotFoundException',
        `Images with digests '[${(detail?.manifests ?? []).join(', ')}]' referenced by the manifest do not exist in the ${where}`,
      );
    case 'MANIFEST_INVALID':
      // AWS's shape for a bad member; the declared type's refusals name imageManifestMediaType, the rest the manifest.
      if ((e.detail as { declaredMediaType?: boolean } | undefined)?.declaredMediaType) {
        return new EcrError('InvalidParameterException', `Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: '${e.message}'`);
      }
      return new EcrError('InvalidParameterException', `Invalid parameter at 'imageManifest' failed to satisfy constraint: '${e.message}'`);
    case 'MANIFEST_TOO_LARGE':
      return new EcrError('InvalidParameterException', `Invalid parameter at 'imageManifest' failed to satisfy constraint: '${e.message}'`);
    default:
      return e;
  }
}

export const PutImage = operation({
  input: z.object({
    ...base,
    repositoryName,
    imageManifest: z.string().min(1).max(4_194_304),
    imageManifestMediaType: mediaType.optional(),
    imageTag: imageTag.optional(),
    imageDigest: imageDigest.optional(),
  }),
  async run(call, input) {
    const { repositoryName: name, imageTag: tag } = input;
    const deps = call.ctx.deps;
    await call.authorize(name, 'push');
    await requireRepository(call, name);
    // A tag that looks like a digest would be taken for one by the shared manifest path (and stored untagged).
    if (tag?.includes(':')) {
      throw new EcrError(
        'InvalidParameterException',
        `Invalid parameter at 'imageTag' failed to satisfy constraint: 'must be a valid image tag, not a digest': '${tag.slice(0, 300)}'`,
      );
    }
    const body = Buffer.from(input.imageManifest, 'utf8');
    const digest = checkDigest(input.imageDigest, body);
    const current = tag === undefined ? await deps.meta.getManifest(name, { digest }) : await deps.meta.getManifest(name, { tag });
    if (current?.digest === digest) {
      const what = tag === undefined ? `Image with digest '${digest}'` : `Image with digest '${digest}' and tag '${tag}'`;
      throw new EcrError(
        'ImageAlreadyExistsException',
        `${what} already exists in the repository with name '${name}' in registry with id '${call.ctx.ecr.registryId}'`,
      );
    }
    let stored;
    try {
      stored = await putManifest(deps, { repository: name, reference: tag ?? digest, body, contentType: input.imageManifestMediaType, actor: call.actor });
    } catch (e) {
      throw translate(call, name, tag, e);
    }
    const id: ImageIdentifier = imageId(digest, tag);
    return {
      image: {
        registryId: call.ctx.ecr.registryId,
        repositoryName: name,
        imageId: id,
        imageManifest: input.imageManifest,
        imageManifestMediaType: stored.mediaType,
      },
    };
  },
});
