// Request bodies checked against the ECR model's constraints with zod, failing the way AWS does: one
// InvalidParameterException listing "Value 'x' at 'member' failed to satisfy constraint: ...", never a 5xx.
import { z } from 'zod';
import { EcrError } from './errors.ts';

const REPOSITORY_PATTERN = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const pattern = (source: string, shown = source) => ({ re: new RegExp(`^(?:${source})$`), error: `Member must satisfy regular expression pattern: ${shown}` });
const REPO = pattern('[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*)*', REPOSITORY_PATTERN);
const REGISTRY = pattern('[0-9]{12}');

export const repositoryName = z.string().min(2).max(256).regex(REPO.re, { error: REPO.error });
export const registryId = z.string().regex(REGISTRY.re, { error: REGISTRY.error });
export const imageTag = z.string().min(1).max(300);
export const imageDigest = z.string().min(1).max(1000);
export const imageId = z.object({ imageDigest: imageDigest.optional(), imageTag: imageTag.optional() });
export const imageIds = z.array(imageId).min(1).max(100);
export const maxResults = z.number().int().min(1).max(1000);
export const nextToken = z.string().min(1).max(4096);
export const tagStatus = z.enum(['TAGGED', 'UNTAGGED', 'ANY']);
export const imageFilter = z.object({ tagStatus: tagStatus.optional(), imageStatus: z.enum(['ACTIVE', 'ARCHIVED', 'ACTIVATING', 'ANY']).optional() });
export const resourceTag = z.object({ Key: z.string().min(1).max(128), Value: z.string().max(256) });
export const resourceTags = z.array(resourceTag).max(200);
export const tagMutability = z.enum(['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION']);
const EXCLUSION_FILTER = pattern('[0-9a-zA-Z._*-]{1,128}', '^[0-9a-zA-Z._*-]{1,128}$');
export const mutabilityFilters = z
  .array(z.object({ filterType: z.enum(['WILDCARD']), filter: z.string().min(1).max(128).regex(EXCLUSION_FILTER.re, { error: EXCLUSION_FILTER.error }) }))
  .min(1)
  .max(5);

/** Every operation's input shares these; unknown members are ignored, as newer SDK models may send more. */
export const base = { registryId: registryId.optional() };

type Issue = z.core.$ZodRawIssue;

/** The constraint text AWS uses for each kind of failure (schema-level messages, as for patterns, win). */
function constraint(iss: Issue): string {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined ? 'Member must not be null' : `Member must be of type ${String(iss.expected)}`;
    case 'too_small':
      return iss.origin === 'number' || iss.origin === 'int'
        ? `Member must have value greater than or equal to ${iss.minimum}`
        : `Member must have length greater than or equal to ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'number' || iss.origin === 'int'
        ? `Member must have value less than or equal to ${iss.maximum}`
        : `Member must have length less than or equal to ${iss.maximum}`;
    case 'invalid_value':
      return `Member must satisfy enum value set: [${iss.values.map(String).join(', ')}]`;
    case 'invalid_format':
      return `Member must satisfy regular expression pattern: ${iss.pattern ?? iss.format}`;
    default:
      return 'Member is not valid';
  }
}

function shown(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  const text =
    typeof value === 'string'
      ? value
      : Array.isArray(value)
        ? `[${value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}]`
        : JSON.stringify(value);
  return `'${text.length > 1024 ? `${text.slice(0, 1024)}...` : text}'`;
}

/** AWS names list members "imageIds.1.member.imageTag" (1-based). */
export function memberPath(path: readonly PropertyKey[]): string {
  const out: string[] = [];
  for (const p of path) out.push(typeof p === 'number' ? `${p + 1}.member` : String(p));
  return out.join('.') || 'body';
}

/** JSON null stands for "absent" in the AWS protocols; dropping it keeps optional members optional. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

export function validationMessage(issues: ReadonlyArray<{ path: readonly PropertyKey[]; message: string; input?: unknown }>): string {
  const parts = issues.slice(0, 20).map((i) => `Value ${shown(i.input)} at '${memberPath(i.path)}' failed to satisfy constraint: ${i.message}`);
  return `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${parts.join('; ')}`;
}

/** The input as the schema's output, or InvalidParameterException with AWS's validation message. */
export function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(withoutNulls(body), { reportInput: true, error: (iss) => constraint(iss) });
  if (result.success) return result.data;
  throw new EcrError('InvalidParameterException', validationMessage(result.error.issues));
}
