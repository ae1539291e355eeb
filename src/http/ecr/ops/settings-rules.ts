// The rules ECR applies to repository settings that are not plain schema constraints: which tag mutabilities berth
// can honour, resource-tag limits and reserved keys, and what a repository ARN must name.
import type { ResourceTags, TagMutability } from '../../../core/index.ts';
import type { EcrSettings } from '../context.ts';
import { EcrError } from '../errors.ts';

export const MAX_RESOURCE_TAGS = 50;

/** MUTABLE or IMMUTABLE; the *_WITH_EXCLUSION variants need per-tag filters berth does not implement. */
export function supportedMutability(value: string | undefined, filters: readonly unknown[] | undefined): TagMutability {
  if (value === 'IMMUTABLE_WITH_EXCLUSION' || value === 'MUTABLE_WITH_EXCLUSION') {
    throw new EcrError(
      'InvalidParameterException',
      `Invalid parameter at 'imageTagMutability' failed to satisfy constraint: '${value} is not supported by berth; use MUTABLE or IMMUTABLE'`,
    );
  }
  if (filters !== undefined) {
    throw new EcrError(
      'InvalidParameterException',
      "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy constraint: 'only allowed with a *_WITH_EXCLUSION tag mutability'",
    );
  }
  return value === 'IMMUTABLE' ? 'IMMUTABLE' : 'MUTABLE';
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
