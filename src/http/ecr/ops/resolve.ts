// Finding the image an ECR imageId names (tag, digest or both), with ECR's failure codes for everything that can
// be wrong with one id, so BatchGetImage, BatchDeleteImage and DescribeImages judge ids identically.
import { isDigest, isTag, type RegistryDeps, type StoredManifest } from '../../../core/index.ts';
import type { ImageIdentifier } from '../wire.ts';

export type FailureCode =
  | 'MissingDigestAndTag'
  | 'InvalidImageDigest'
  | 'InvalidImageTag'
  | 'ImageNotFound'
  | 'ImageTagDoesNotMatchDigest'
  | 'ImageReferencedByManifestList'
  | 'ImageInUse';

export type Resolved = { kind: 'found'; manifest: StoredManifest } | { kind: 'failure'; code: FailureCode; reason: string };

export interface ImageFailure {
  imageId: ImageIdentifier;
  failureCode: FailureCode;
  failureReason: string;
}

const NOT_FOUND: Resolved = { kind: 'failure', code: 'ImageNotFound', reason: 'Requested image not found' };

export async function resolveImage(deps: RegistryDeps, repository: string, id: ImageIdentifier): Promise<Resolved> {
  const { imageDigest: digest, imageTag: tag } = id;
  if (digest === undefined && tag === undefined) {
    return { kind: 'failure', code: 'MissingDigestAndTag', reason: 'Invalid request parameters: both tag and digest cannot be null' };
  }
  if (digest !== undefined && !isDigest(digest)) {
    return {
      kind: 'failure',
      code: 'InvalidImageDigest',
      reason: "Invalid request parameters: image digest should satisfy the regex '(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})'",
    };
  }
  if (tag !== undefined && !isTag(tag)) {
    return {
      kind: 'failure',
      code: 'InvalidImageTag',
      reason: "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}'",
    };
  }
  if (tag !== undefined) {
    const byTag = await deps.meta.getManifest(repository, { tag });
    if (!byTag) return NOT_FOUND;
    if (digest !== undefined && byTag.digest !== digest) {
      return { kind: 'failure', code: 'ImageTagDoesNotMatchDigest', reason: 'Invalid request parameters: given tag and digest do not point to the same image' };
    }
    return { kind: 'found', manifest: byTag };
  }
  const byDigest = digest !== undefined && isDigest(digest) ? await deps.meta.getManifest(repository, { digest }) : null;
  return byDigest ? { kind: 'found', manifest: byDigest } : NOT_FOUND;
}

export function failure(id: ImageIdentifier, resolved: Extract<Resolved, { kind: 'failure' }>): ImageFailure {
  return { imageId: id, failureCode: resolved.code, failureReason: resolved.reason };
}

/** The manifest bytes as the JSON string ECR carries them in imageManifest. */
export function manifestText(m: StoredManifest): string {
  return Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength).toString('utf8');
}
