// Who a request acts as, and the one authorization question every dialect asks of it: can(principal, resource, action).
// Keeping the answer in one place means a grant cannot mean one thing over /v2/ and another over the ECR API.
import type { Action, Grant } from '../core/index.ts';
import { allows, allowsEverywhere, isAction } from './grants.ts';
import type { Resource, Scope } from './scope.ts';

/** Authenticated with an access key (Basic, or a cloud signature scheme): limited by the key's grants. */
export interface KeyPrincipal {
  kind: 'key';
  keyId: string;
  grants: Grant[];
}
/** Authenticated with a token from /token: limited to the access the token carries. */
export interface TokenPrincipal {
  kind: 'token';
  keyId: string;
  access: Scope[];
}
/** No credentials while auth is required: may do nothing. */
export interface AnonymousPrincipal {
  kind: 'anonymous';
}
/** Anyone, when auth mode is "none": may do everything. Never produced while auth is required. */
export interface AnonymousAdminPrincipal {
  kind: 'anonymous-admin';
}

export type Principal = KeyPrincipal | TokenPrincipal | AnonymousPrincipal | AnonymousAdminPrincipal;

export const ANONYMOUS: AnonymousPrincipal = Object.freeze({ kind: 'anonymous' });
export const ANONYMOUS_ADMIN: AnonymousAdminPrincipal = Object.freeze({ kind: 'anonymous-admin' });

/** The name recorded in audit events: the access key id, or "anonymous". */
export function principalName(principal: Principal): string {
  return principal.kind === 'key' || principal.kind === 'token' ? principal.keyId : 'anonymous';
}

// Inside a token, '*' and 'admin' stand for every action on the resource.
function tokenAllows(actions: readonly string[], action: Action): boolean {
  return actions.includes(action) || actions.includes('*') || actions.includes('admin');
}

/**
 * May the principal do `action` on the resource? A string is a repository name. Registry-wide resources (the
 * catalog) need the action granted on every repository ("*"), since they reveal or touch all of them.
 */
export function can(principal: Principal, resource: string | Resource, action: Action): boolean {
  const target: Resource = typeof resource === 'string' ? { type: 'repository', name: resource } : resource;
  switch (principal.kind) {
    case 'anonymous-admin':
      return true;
    case 'anonymous':
      return false;
    case 'key':
      return target.type === 'registry' ? allowsEverywhere(principal.grants, action) : allows(principal.grants, target.name, action);
    case 'token':
      return principal.access.some((a) => a.type === target.type && a.name === target.name && tokenAllows(a.actions, action));
  }
}

const REPOSITORY_ACTIONS: readonly Action[] = ['pull', 'push', 'delete'];

/** The actions of one requested scope that the principal holds; '*' is kept only for full access, else narrowed. */
function grantedActions(principal: Principal, scope: Scope): string[] {
  if (principal.kind === 'anonymous-admin') return [...scope.actions];
  if (scope.type === 'registry') {
    // The catalog is the one registry resource; listing it is reading every repository name.
    return scope.name === 'catalog' && can(principal, scope, 'pull') ? scope.actions.filter((a) => a === '*' || a === 'pull') : [];
  }
  const out: string[] = [];
  for (const a of scope.actions) {
    if (a === '*') {
      if (can(principal, scope, 'admin')) out.push('*');
      else out.push(...REPOSITORY_ACTIONS.filter((r) => can(principal, scope, r)));
    } else if (isAction(a) && can(principal, scope, a)) {
      out.push(a);
    }
  }
  return [...new Set(out)];
}

/**
 * The requested scopes narrowed to what the principal may do, as Distribution's token server does: actions that
 * are not granted are left out (never an error), scopes left with none are dropped, repeats are merged.
 */
export function grantedAccess(principal: Principal, requested: readonly Scope[]): Scope[] {
  const merged = new Map<string, Scope>();
  for (const scope of requested) {
    const actions = grantedActions(principal, scope);
    if (actions.length === 0) continue;
    const id = `${scope.type}:${scope.name}`;
    const prior = merged.get(id);
    if (prior) prior.actions = [...new Set([...prior.actions, ...actions])];
    else merged.set(id, { type: scope.type, name: scope.name, actions });
  }
  return [...merged.values()];
}
