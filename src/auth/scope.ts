// Docker token-flow scopes ("repository:team/app:pull,push", "registry:catalog:*"): parsed from /token queries,
// carried in tokens, and echoed in the WWW-Authenticate challenge so clients know which token to fetch.
import { isRepositoryName } from '../core/index.ts';

export type ResourceType = 'repository' | 'registry';

/** What a request touches: a repository by name, or a registry-wide resource such as "catalog". */
export interface Resource {
  type: ResourceType;
  name: string;
}

/** A resource and the actions asked for (or, inside a token, granted) on it. */
export interface Scope extends Resource {
  actions: string[];
}

// The type may carry a resource class ("repository(plugin):..."), which docker sends for plugins; it is ignored.
const SCOPE_RE = /^(repository|registry)(?:\([a-z0-9]+\))?:(.+):([a-z*]+(?:,[a-z*]+)*)$/;
const MAX_SCOPE_LENGTH = 1024;
const REGISTRY_RESOURCE_RE = /^[a-z0-9]+$/;

/**
 * "repository:team/app:pull,push" or "registry:catalog:*"; null for anything else. The name runs from the first
 * colon after the type to the last colon, so names with slashes (a/b/c) parse whole.
 */
export function parseScope(text: string): Scope | null {
  // Names are at most 255 characters; the bound also keeps the regex's backtracking small.
  const m = text.length <= MAX_SCOPE_LENGTH ? SCOPE_RE.exec(text) : null;
  if (!m) return null;
  const type = m[1] as ResourceType;
  const name = m[2]!;
  const valid = type === 'repository' ? isRepositoryName(name) : REGISTRY_RESOURCE_RE.test(name);
  if (!valid) return null;
  return { type, name, actions: [...new Set(m[3]!.split(','))] };
}

/** Every `scope` query value (each may hold several scopes separated by spaces); malformed ones are dropped, as Distribution does. */
export function parseScopes(values: readonly string[]): Scope[] {
  return values
    .flatMap((v) => v.split(' '))
    .filter((s) => s.length > 0)
    .map(parseScope)
    .filter((s): s is Scope => s !== null);
}

export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The WWW-Authenticate value of the Docker token flow:
 * Bearer realm="...",service="...",scope="repository:team/app:pull,push registry:catalog:*"
 */
export function challenge(realm: string, service: string, scopes: readonly Scope[]): string {
  const scope = scopes
    .filter((s) => s.actions.length > 0)
    .map(formatScope)
    .join(' ');
  return `Bearer realm=${quoted(realm)},service=${quoted(service)}${scope ? `,scope=${quoted(scope)}` : ''}`;
}
