// Storing retention policies: one per repository, one default per namespace, each checked by the engine's own
// validation before it is stored, so a stored policy always evaluates; and which one applies to a repository.
import { RegistryError } from '../../errors.ts';
import type { ExpireRule, KeepRule, RetentionPolicy, TagSelector } from '../../lifecycle/rules.ts';
import { assertValidPolicy } from '../../lifecycle/validate.ts';
import { namespaceOf, parseRepositoryName } from '../../model/names.ts';
import type { Actor } from '../../model/records.ts';
import type { PolicyScope, StoredLifecyclePolicy } from '../../ports/lifecycle-store.ts';
import type { RegistryDeps, UsesMeta } from '../deps.ts';
import { parseNamespaceName } from '../namespaces.ts';

/** The policy that governs a repository and where it comes from. */
export interface EffectivePolicy {
  source: PolicyScope;
  stored: StoredLifecyclePolicy;
}

const invalid = (message: string, field: string): RegistryError => new RegistryError('INVALID_REQUEST', message, { field });

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw invalid(`${field} must be a list of strings`, field);
  return v as string[];
}

function positive(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw invalid(`${field} must be a positive integer`, field);
  return v;
}

function expireRule(r: Record<string, unknown>, i: number): ExpireRule {
  const at = `rules[${i}]`;
  const count = r.count;
  if (!isObject(count)) throw invalid(`${at}.count is required`, `${at}.count`);
  const type = count.type;
  const parsed: ExpireRule['count'] =
    type === 'imageCountMoreThan'
      ? { type, n: positive(count.n, `${at}.count.n`) }
      : type === 'sinceImagePushed' || type === 'sinceImagePulled'
        ? { type, days: positive(count.days, `${at}.count.days`) }
        : (() => {
            throw invalid(`${at}.count.type must be imageCountMoreThan, sinceImagePushed or sinceImagePulled`, `${at}.count.type`);
          })();
  if (r.tagStatus !== 'tagged' && r.tagStatus !== 'untagged' && r.tagStatus !== 'any') {
    throw invalid(`${at}.tagStatus must be tagged, untagged or any`, `${at}.tagStatus`);
  }
  if (r.description !== undefined && typeof r.description !== 'string') throw invalid(`${at}.description must be a string`, `${at}.description`);
  return {
    kind: 'expire',
    priority: positive(r.priority, `${at}.priority`),
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    tagStatus: r.tagStatus,
    tagPatterns: strings(r.tagPatterns, `${at}.tagPatterns`),
    tagPrefixes: strings(r.tagPrefixes, `${at}.tagPrefixes`),
    count: parsed,
  };
}

function keepRule(r: Record<string, unknown>, i: number): KeepRule {
  const at = `rules[${i}]`;
  const raw = r.exceptions ?? [];
  if (!Array.isArray(raw)) throw invalid(`${at}.exceptions must be a list`, `${at}.exceptions`);
  const exceptions: TagSelector[] = raw.map((e, j) => {
    if (!isObject(e) || (e.kind !== 'label' && e.kind !== 'regexp') || typeof e.pattern !== 'string') {
      throw invalid(`${at}.exceptions[${j}] must be { kind: label | regexp, pattern }`, `${at}.exceptions[${j}]`);
    }
    return { kind: e.kind, pattern: e.pattern };
  });
  if (r.kind === 'date_rule') return { kind: 'date_rule', days: positive(r.days, `${at}.days`), exceptions };
  if (r.kind === 'tag_rule') return { kind: 'tag_rule', n: positive(r.n, `${at}.n`), exceptions };
  throw invalid(`${at}.kind must be date_rule or tag_rule in a keep policy`, `${at}.kind`);
}

/**
 * A policy in berth's engine form (docs/LIFECYCLE.md, README "Retention policies") from untrusted JSON: the shape
 * here, the rules' own constraints by the engine's validation. `kind` may be left out; empty lists may be omitted.
 */
export function parseRetentionPolicy(body: unknown): RetentionPolicy {
  if (!isObject(body)) throw invalid('a retention policy is a JSON object { family, rules }', 'policy');
  if (!Array.isArray(body.rules)) throw invalid('rules must be a list', 'rules');
  if (body.rules.length > 100) throw invalid('a policy holds at most 100 rules', 'rules');
  const rules = body.rules.map((r: unknown, i: number) => {
    if (!isObject(r)) throw invalid(`rules[${i}] must be an object`, `rules[${i}]`);
    return r;
  });
  const policy: RetentionPolicy =
    body.family === 'expire'
      ? { family: 'expire', rules: rules.map(expireRule) }
      : body.family === 'keep'
        ? { family: 'keep', rules: rules.map(keepRule) }
        : (() => {
            throw invalid('family must be expire (ECR-style rules) or keep (SWR-style rules)', 'family');
          })();
  assertValidPolicy(policy);
  return policy;
}

function scopedName(scope: PolicyScope, name: string): string {
  if (scope === 'repository') return parseRepositoryName(name);
  return parseNamespaceName(name);
}

export async function putLifecyclePolicy(
  deps: UsesMeta<'putLifecyclePolicy'> & Pick<RegistryDeps, 'clock'>,
  scope: PolicyScope,
  name: string,
  body: unknown,
  actor: Actor,
): Promise<RetentionPolicy> {
  const policy = parseRetentionPolicy(body);
  await deps.meta.putLifecyclePolicy({ scope, name: scopedName(scope, name), policy, actor, at: deps.clock.now() });
  return policy;
}

export async function deleteLifecyclePolicy(
  deps: UsesMeta<'deleteLifecyclePolicy'> & Pick<RegistryDeps, 'clock'>,
  scope: PolicyScope,
  name: string,
  actor: Actor,
): Promise<void> {
  if (!(await deps.meta.deleteLifecyclePolicy(scope, scopedName(scope, name), actor, deps.clock.now()))) {
    // No code of its own: every dialect already maps NAME_UNKNOWN to its "not found".
    throw new RegistryError('NAME_UNKNOWN', `no ${scope} retention policy for ${name}`, { name, policy: scope });
  }
}

/** The repository's own policy, else its namespace's default, else null. */
export async function effectivePolicy(deps: UsesMeta<'findLifecyclePolicy'>, repository: string): Promise<EffectivePolicy | null> {
  const own = await deps.meta.findLifecyclePolicy('repository', repository);
  if (own) return { source: 'repository', stored: own };
  const ns = namespaceOf(repository);
  if (ns === '') return null;
  const fallback = await deps.meta.findLifecyclePolicy('namespace', ns);
  return fallback ? { source: 'namespace', stored: fallback } : null;
}
