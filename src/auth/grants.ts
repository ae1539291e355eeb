// What a key may do: grants of actions on repository patterns. One matcher serves every dialect, so a grant
// means the same thing to docker, the ECR SDK and the SWR console.
import { type Action, type Grant, isRepositoryName, RegistryError } from '../core/index.ts';

/** The rights on repositories; "*" in a grant's actions stands for all of them. */
export const ACTIONS: readonly Action[] = ['pull', 'push', 'delete', 'admin'];
/**
 * Narrow registry-wide rights, granted only on "*" and never implied by "*" actions: 'pin-sync' replaces pin sets
 * (PUT /berth/v1/pin-sets/{source}) for a cluster's CronJob, and opens nothing else. 'admin' on "*" implies it.
 */
export const REGISTRY_ACTIONS: readonly Action[] = ['pin-sync'];

export function isAction(value: string): value is Action {
  return (ACTIONS as readonly string[]).includes(value) || (REGISTRY_ACTIONS as readonly string[]).includes(value);
}

/** Every action on every repository: what `berth key create --admin` gives (and keys made before --admin existed hold). */
export function fullAccessGrants(): Grant[] {
  return [{ repositories: '*', actions: [...ACTIONS] }];
}

/**
 * "*" matches every repository; "team/*" everything below team/ at any depth (team/app, team/a/b) but not
 * "team" itself; any other pattern matches only the repository of that exact name.
 */
export function matchesRepository(pattern: string, repository: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) {
    const prefix = pattern.slice(0, -1); // keeps the slash: "team/"
    return !prefix.slice(0, -1).includes('*') && repository.length > prefix.length && repository.startsWith(prefix);
  }
  return pattern.length > 0 && !pattern.includes('*') && pattern === repository;
}

/** Whether the grants allow `action` on `repository`; 'admin' implies every action. */
export function allows(grants: readonly Grant[], repository: string, action: Action): boolean {
  return grants.some((g) => matchesRepository(g.repositories, repository) && (g.actions.includes(action) || g.actions.includes('admin')));
}

/** Whether the grants allow `action` on every repository there is or will be (registry-wide operations such as the catalog). */
export function allowsEverywhere(grants: readonly Grant[], action: Action): boolean {
  return grants.some((g) => g.repositories === '*' && (g.actions.includes(action) || g.actions.includes('admin')));
}

/** The actions of `wanted` that the grants allow on `repository`, in the order asked, without duplicates. */
export function allowedActions(grants: readonly Grant[], repository: string, wanted: readonly string[]): Action[] {
  return [...new Set(wanted)].filter((a): a is Action => isAction(a) && allows(grants, repository, a));
}

function isPattern(repositories: string): boolean {
  if (repositories === '*') return true;
  return isRepositoryName(repositories.endsWith('/*') ? repositories.slice(0, -2) : repositories);
}

/** Checks a grant built in code or read from a request; throws INVALID_REQUEST with the reason. */
export function validateGrant(grant: Grant): Grant {
  if (!isPattern(grant.repositories)) {
    throw new RegistryError('INVALID_REQUEST', `invalid repository pattern "${grant.repositories}": use "*", "team/*" or a repository name`);
  }
  const bad = grant.actions.filter((a) => !isAction(a));
  if (grant.actions.length === 0 || bad.length > 0) {
    throw new RegistryError(
      'INVALID_REQUEST',
      `invalid actions "${grant.actions.join(',')}" for "${grant.repositories}": use ${[...ACTIONS, ...REGISTRY_ACTIONS].join(', ')}`,
    );
  }
  const registryWide = grant.actions.filter((a) => (REGISTRY_ACTIONS as readonly string[]).includes(a));
  if (registryWide.length > 0 && grant.repositories !== '*') {
    throw new RegistryError('INVALID_REQUEST', `"${registryWide.join(',')}" is a registry-wide right: grant it on "*" (e.g. "*:pin-sync")`);
  }
  return { repositories: grant.repositories, actions: [...new Set(grant.actions)] };
}

/** The grant action that stands for every action, so a full-rights grant is written out rather than implied. */
export const EVERY_ACTION = '*';

/** Parses the CLI form "team/*:pull,push" (repositories, a colon, comma-separated actions; "*" = every action). */
export function parseGrant(text: string): Grant {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) {
    throw new RegistryError(
      'INVALID_REQUEST',
      `invalid grant "${text}": expected REPOSITORIES:ACTIONS such as "team/*:pull,push" (actions: ${ACTIONS.join(', ')}, or * for all; ${REGISTRY_ACTIONS.join(', ')} on "*" only)`,
    );
  }
  const actions = text
    .slice(colon + 1)
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0)
    .flatMap((a): string[] => (a === EVERY_ACTION ? [...ACTIONS] : [a]));
  return validateGrant({ repositories: text.slice(0, colon).trim(), actions: actions as Action[] });
}
