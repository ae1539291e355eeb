// May this caller do this to this repository or namespace? The key's grants (pull/push/delete/admin), read through
// the same can() as /v2. A namespace-level operation needs a grant that covers every repository of the namespace
// ("ns/*" or "*"): creating, deleting or listing a namespace reveals or touches all of it.
import { can } from '../../auth/index.ts';
import type { Action } from '../../core/index.ts';
import { ECR_ACTIONS_OF, type SignatureAuth } from '../common/access.ts';
import type { Caller } from './context.ts';
import { SWR_ERRORS, SwrError } from './errors.ts';

function who(caller: Caller): string {
  return caller.keyId ?? 'anonymous';
}

export function mayRepository(caller: Caller, repository: string, action: Action): boolean {
  return can(caller.principal, repository, action);
}

export function mayNamespace(caller: Caller, namespace: string, action: Action): boolean {
  return can(caller.principal, `${namespace}/*`, action);
}

/** Grants first, then the repository policy's Deny (of `ecrActions`, default those `action` maps to): no side door. */
export async function authorizeRepository(
  call: { caller: Caller; ctx: { signatures: SignatureAuth } },
  repository: string,
  action: Action,
  ecrActions: readonly string[] = ECR_ACTIONS_OF[action],
): Promise<void> {
  const { caller } = call;
  if (!mayRepository(caller, repository, action)) {
    throw action === 'admin'
      ? visibilityDenied(caller, repository)
      : new SwrError(SWR_ERRORS.DENIED, `Insufficient permissions: ${who(caller)} may not ${action} repository ${repository}`);
  }
  if (await call.ctx.signatures.policyDenies?.(caller.principal, repository, ecrActions)) {
    throw new SwrError(SWR_ERRORS.DENIED, `Insufficient permissions: the repository policy of ${repository} denies ${action} to ${who(caller)}`);
  }
}

/** The refusal authorizeRepository gives for admin, for a visibility change found inside a settings update. */
export function visibilityDenied(caller: Caller, repository: string): SwrError {
  return new SwrError(SWR_ERRORS.DENIED, `Insufficient permissions: ${who(caller)} may not admin repository ${repository}`);
}

export function authorizeNamespace(caller: Caller, namespace: string, action: Action): void {
  if (!mayNamespace(caller, namespace, action)) {
    throw new SwrError(
      SWR_ERRORS.DENIED,
      `Insufficient permissions: ${who(caller)} may not ${action} namespace ${namespace} (a grant on "${namespace}/*" or "*" is needed)`,
    );
  }
}

/** The one refusal for a caller with no rights in a namespace, whether or not it exists: the answer must not tell. */
export function noRightsIn(caller: Caller, namespace: string): SwrError {
  return new SwrError(SWR_ERRORS.DENIED, `Insufficient permissions: ${who(caller)} has no rights in namespace ${namespace}`);
}

/** Whether any of the caller's rights reach into the namespace (listing and showing it need no more). */
export function seesNamespace(caller: Caller, namespace: string): boolean {
  const p = caller.principal;
  const inside = (name: string): boolean => name === '*' || name.startsWith(`${namespace}/`);
  switch (p.kind) {
    case 'anonymous-admin':
      return true;
    case 'anonymous':
      return false;
    case 'key':
      return p.grants.some((g) => inside(g.repositories));
    case 'token':
      return p.access.some((a) => a.type === 'repository' && inside(a.name));
  }
}

/** SWR's "auth" of a namespace for the caller: 7 manage, 3 write, 1 read. */
export function namespaceAuth(caller: Caller, namespace: string): 7 | 3 | 1 {
  if (mayNamespace(caller, namespace, 'admin')) return 7;
  return mayNamespace(caller, namespace, 'push') ? 3 : 1;
}
