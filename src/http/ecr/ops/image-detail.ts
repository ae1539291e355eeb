// DescribeImages' ImageDetail: what core records about a manifest plus what ECR reads from the manifest itself
// (the image size a pull downloads and the config's media type as artifactMediaType).
import { isIndexMediaType, type ImageSummary } from '../../../core/index.ts';
import type { EcrCall } from '../context.ts';
import { epoch } from '../wire.ts';

interface ManifestFacts {
  size: number;
  artifactMediaType: string | null;
}

function sizeOf(v: unknown): number {
  const size = (v as { size?: unknown } | null)?.size;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : 0;
}

/** An image's size is its config plus its layers (what a pull downloads); an index counts its own bytes. */
export function manifestFacts(summary: ImageSummary, body: Uint8Array | null): ManifestFacts {
  if (body === null || isIndexMediaType(summary.mediaType)) return { size: summary.size, artifactMediaType: summary.artifactType };
  try {
    const doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as { config?: unknown; layers?: unknown };
    const layers = Array.isArray(doc.layers) ? doc.layers : [];
    const configType = (doc.config as { mediaType?: unknown } | undefined)?.mediaType;
    return {
      size: sizeOf(doc.config) + layers.reduce((n: number, l: unknown) => n + sizeOf(l), 0),
      artifactMediaType: typeof configType === 'string' ? configType : summary.artifactType,
    };
  } catch {
    return { size: summary.size, artifactMediaType: summary.artifactType };
  }
}

export async function imageDetail(call: EcrCall, repository: string, image: ImageSummary): Promise<Record<string, unknown>> {
  const stored = await call.ctx.deps.meta.getManifest(repository, { digest: image.digest });
  const facts = manifestFacts(image, stored?.body ?? null);
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
