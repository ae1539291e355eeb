// The ECR shapes berth answers with: epoch-second timestamps, ARNs, repository and image identifiers; one place
// so every operation spells a repository the same way.
import type { Repository } from '../../core/index.ts';
import type { EcrCall, EcrSettings } from './context.ts';

export interface ImageIdentifier {
  imageDigest?: string | undefined;
  imageTag?: string | undefined;
}

/** AWS JSON timestamps are (fractional) epoch seconds. */
export function epoch(d: Date): number {
  return d.getTime() / 1000;
}

export function repositoryArn(ecr: EcrSettings, name: string): string {
  return `arn:aws:ecr:${ecr.region}:${ecr.registryId}:repository/${name}`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The scanning and encryption settings CreateRepository stored (echoed as given), with ECR's defaults. */
export function repositorySettings(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  const scanning = isObject(settings?.imageScanningConfiguration) ? settings.imageScanningConfiguration : { scanOnPush: false };
  const encryption = isObject(settings?.encryptionConfiguration) ? settings.encryptionConfiguration : { encryptionType: 'AES256' };
  return { imageScanningConfiguration: { scanOnPush: false, ...scanning }, encryptionConfiguration: encryption };
}

/** The Repository shape; repositoryUri is berth's own host, so `docker push <uri>:tag` works as printed. */
export function repositoryShape(call: EcrCall, repo: Repository, settings: Record<string, unknown> | undefined): Record<string, unknown> {
  return {
    repositoryArn: repositoryArn(call.ctx.ecr, repo.name),
    registryId: call.ctx.ecr.registryId,
    repositoryName: repo.name,
    repositoryUri: `${call.origin.replace(/^https?:\/\//, '')}/${repo.name}`,
    createdAt: epoch(repo.createdAt),
    ...mutabilityShape(repo),
    ...repositorySettings(settings),
  };
}

/** imageTagMutability, and the exclusion filters only when the mode has them (berth stores WILDCARD filters only). */
export function mutabilityShape(repo: Repository): Record<string, unknown> {
  return {
    imageTagMutability: repo.tagMutability,
    ...(repo.tagMutabilityExclusions === undefined
      ? {}
      : { imageTagMutabilityExclusionFilters: repo.tagMutabilityExclusions.map((filter) => ({ filterType: 'WILDCARD', filter })) }),
  };
}

/** The identifier as AWS echoes it: only the members that are set. */
export function imageId(digest: string | undefined, tag: string | undefined): ImageIdentifier {
  return { ...(digest !== undefined ? { imageDigest: digest } : {}), ...(tag !== undefined ? { imageTag: tag } : {}) };
}
