// DescribeImages' ImageDetail: what core records about a manifest plus what ECR reads from the manifest itself
// (the image size a pull downloads and the config's media type as artifactMediaType).
import { type ImageSummary, imageFacts } from '../../../core/index.ts';
import type { EcrCall } from '../context.ts';
import { epoch } from '../wire.ts';

export async function imageDetail(call: EcrCall, repository: string, image: ImageSummary): Promise<Record<string, unknown>> {
  const stored = await call.ctx.deps.meta.getManifest(repository, { digest: image.digest });
  const facts = imageFacts(image, stored?.body ?? null);
  return {
    registryId: call.ctx.ecr.registryId,
    repositoryName: repository,
    imageDigest: image.digest,
    ...(image.tags.length > 0 ? { imageTags: image.tags } : {}),
    imageSizeInBytes: facts.size,
    imagePushedAt: epoch(image.pushedAt),
    imageManifestMediaType: image.mediaType,
    ...(facts.artifactMediaType !== null ? { artifactMediaType: facts.artifactMediaType } : {}),
    ...(image.lastPulledAt !== null ? { lastRecordedPullTime: epoch(image.lastPulledAt) } : {}),
    ...(image.subject !== null ? { subjectManifestDigest: image.subject } : {}),
  };
}
