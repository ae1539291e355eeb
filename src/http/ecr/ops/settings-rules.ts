// The rules ECR applies to repository settings that are not plain schema constraints: which tag mutabilities go
// with exclusion filters, resource-tag limits and reserved keys, and what a repository ARN must name.
import { hasExclusions, type ResourceTags, type TagMutability } from '../../../core/index.ts';
import type { EcrSettings } from '../context.ts';
import { EcrError } from '../errors.ts';

export const MAX_RESOURCE_TAGS = 50;

export interface MutabilitySetting {
  tagMutability: TagMutability;
  tagMutabilityExclusions: string[] | undefined;
}

const FILTERS_AT = "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint:";

/**
 * The mode and filters as core takes them. The pairing rule is not in the model, so the wording is berth's: filters
 * with MUTABLE/IMMUTABLE, or a *_WITH_EXCLUSION mode without them, is InvalidParameterException at the filters.
 */
export function mutabilitySetting(
  value: TagMutability | undefined,
  filters: ReadonlyArray<{ filterType: string; filter: string }> | undefined,
): MutabilitySetting {
  const tagMutability = value ?? 'MUTABLE';
  if (hasExclusions(tagMutability) && (filters === undefined || filters.length === 0)) {
    throw new EcrError('InvalidParameterException', `${FILTERS_AT} 'imageTagMutabilityExclusionFilters must be specified with ${tagMutability}'`);
  }
  if (!hasExclusions(tagMutability) && filters !== undefined) {
    throw new EcrError(
      'InvalidParameterException',
      `${FILTERS_AT} 'imageTagMutabilityExclusionFilters can only be specified with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, not ${tagMutability}'`,
    );
  }
  return { tagMutability, tagMutabilityExclusions: filters?.map((f) => f.filter) };
}

/** The tags after adding `added` to `current`: reserved "aws:" keys and more than 50 tags are refused as on AWS. */
export function checkResourceTags(current: ResourceTags, added: ReadonlyArray<{ Key: string; Value: string }>): ResourceTags {
  const reserved = added.find((t) => t.Key.toLowerCase().startsWith('aws:'));
  if (reserved) throw new EcrError('InvalidTagParameterException', `Invalid tag key '${reserved.Key}': the aws: prefix is reserved for AWS use`);
  const merged: ResourceTags = { ...current };
  for (const t of added) merged[t.Key] = t.Value;
  const count = Object.keys(merged).length;
  if (count > MAX_RESOURCE_TAGS) {
    throw new EcrError('TooManyTagsException', `The repository would have ${count} tags; the maximum is ${MAX_RESOURCE_TAGS}`);
  }
  return Object.fromEntries(added.map((t) => [t.Key, t.Value]));
}

const ARN_RE = /^arn:aws:ecr:([a-z0-9-]+):(\d{12}):repository\/(.+)$/;

/** The repository a resourceArn names; it must be one of ours (this region and registry id). */
export function repositoryOfArn(ecr: EcrSettings, arn: string): string {
  const m = ARN_RE.exec(arn);
  if (!m)
    throw new EcrError('InvalidParameterException', `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN ${arn.slice(0, 300)}'`);
  if (m[1] !== ecr.region || m[2] !== ecr.registryId) {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'berth serves arn:aws:ecr:${ecr.region}:${ecr.registryId}:repository/*'`,
    );
  }
  return m[3]!;
}
