// What a key may do: grants of actions on repository patterns. One matcher serves every dialect.
import { RegistryError, type Action, type Grant } from '../core/index.ts';

const ACTIONS: readonly Action[] = ['pull', 'push', 'delete', 'admin'];

/** "*" matches every repository; "team/*" everything below team/ at any depth; anything else is exact. */
export function matchesRepository(pattern: string, repository: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return repository.startsWith(pattern.slice(0, -1));
  return pattern === repository;
}

/** 'admin' implies every action. */
export function allows(grants: readonly Grant[], repository: string, action: Action): boolean {
  return grants.some((g) => matchesRepository(g.repositories, repository) && (g.actions.includes(action) || g.actions.includes('admin')));
}

/** Actions of `wanted` that the grants allow on `repository`, in the order asked. */
export function allowedActions(grants: readonly Grant[], repository: string, wanted: readonly string[]): Action[] {
  return wanted.filter((a): a is Action => (ACTIONS as readonly string[]).includes(a) && allows(grants, repository, a as Action));
}

export const FULL_ACCESS: Grant[] = [{ repositories: '*', actions: ['pull', 'push', 'delete', 'admin'] }];

/** Parses the CLI form "team/*:pull,push". */
export function parseGrant(text: string): Grant {
  const colon = text.lastIndexOf(':');
  const repositories = colon > 0 ? text.slice(0, colon) : '';
  const actions = colon > 0 ? text.slice(colon + 1).split(',').map((a) => a.trim()) : [];
  const patternOk = repositories === '*' || /^[a-z0-9]+(?:[._-]+[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?:\/\*)?$/.test(repositories);
  if (!patternOk || actions.length === 0 || !actions.every((a) => (ACTIONS as readonly string[]).includes(a))) {
    throw new RegistryError('INVALID_REQUEST', `invalid grant "${text}": expected REPOSITORIES:ACTIONS such as "team/*:pull,push" (actions: ${ACTIONS.join(', ')})`);
  }
  return { repositories, actions: actions as Action[] };
}
