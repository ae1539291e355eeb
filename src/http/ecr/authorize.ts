// May this caller run this ECR operation on this repository? The key's grants (pull/push/delete/admin) first, then
// the repository policy: a matching Deny refuses whatever the grants say, a matching Allow adds what they lack.
import { can, evaluatePolicy, PolicyCache, type PolicyDecision, principalNames } from '../../auth/index.ts';
import type { Action } from '../../core/index.ts';
import type { Caller, EcrContext } from './context.ts';
import { EcrError } from './errors.ts';
import { repositoryArn } from './wire.ts';

const parsed = new PolicyCache();

function userArn(ctx: EcrContext, caller: Caller): string {
  return caller.keyId === null ? 'anonymous' : `arn:aws:iam::${ctx.ecr.registryId}:user/${caller.keyId}`;
}

export function accessDenied(ctx: EcrContext, caller: Caller, operation: string, resource: string, why: string): EcrError {
  return new EcrError('AccessDeniedException', `User: ${userArn(ctx, caller)} is not authorized to perform: ecr:${operation} on resource: ${resource} ${why}`);
}

/** Policy operations stay open to the repository's administrators whatever the policy says, so none can lock them out. */
const POLICY_OPERATIONS = new Set(['GetRepositoryPolicy', 'SetRepositoryPolicy', 'DeleteRepositoryPolicy']);

export async function authorize(ctx: EcrContext, caller: Caller, operation: string, repository: string, action: Action): Promise<void> {
  authorizeWith(ctx, caller, operation, repository, action, await ctx.deps.meta.repositoryPolicy(repository));
}

/** authorize() over a policy already read (a listing reads a page's policies in one statement). */
export function authorizeWith(ctx: EcrContext, caller: Caller, operation: string, repository: string, action: Action, text: string | null): void {
  const granted = can(caller.principal, repository, action);
  const decision = policyDecision(ctx, caller, text, [`ecr:${operation}`]);
  const arn = repositoryArn(ctx.ecr, repository);
  if (decision === 'deny' && !(POLICY_OPERATIONS.has(operation) && can(caller.principal, repository, 'admin'))) {
    throw accessDenied(ctx, caller, operation, arn, 'with an explicit deny in a resource-based policy');
  }
  if (granted || (decision === 'allow' && caller.principal.kind === 'key')) return;
  throw accessDenied(ctx, caller, operation, arn, `because neither the key's grants (${action} needed) nor the repository policy allow it`);
}

/** What a repository's policy (its text, or null) says of these actions for the caller. */
export function policyDecision(ctx: EcrContext, caller: Caller, text: string | null, actions: readonly string[]): PolicyDecision {
  const policy = text === null ? null : parsed.get(text);
  return policy === null ? 'none' : evaluatePolicy(policy, principalNames(caller.keyId, ctx.ecr.registryId), actions);
}
