// May this caller do this to this NCR resource? The key's grants decide: pull for reads, push for pushes and
// descriptions, delete for deletes, per repository; a registry-wide operation needs the grant on every repository of
// the registry, which is the pattern "{registry}/*" (admin to create or delete the registry itself).
import { can, principalName } from '../../auth/index.ts';
import type { Action } from '../../core/index.ts';
import { ECR_ACTIONS_OF, type SignatureAuth } from '../common/access.ts';
import type { Caller } from './context.ts';
import { NcrError, PERMISSION_DENIED } from './errors.ts';

/** The resource a registry-level operation (list its images, create, delete) is checked against. */
export function registryResource(registry: string): string {
  return `${registry}/*`;
}

export function allowed(caller: Caller, resource: string, action: Action): boolean {
  return can(caller.principal, resource, action);
}

/**
 * Grants first, then (for one repository) the repository policy's Deny of `ecrActions`, default those `action` maps to:
 * a Deny set through the ECR API holds here too.
 */
export async function authorize(
  call: { caller: Caller; ctx: { signatures: SignatureAuth } },
  resource: string,
  action: Action,
  ecrActions: readonly string[] = ECR_ACTIONS_OF[action],
): Promise<void> {
  const { caller } = call;
  if (!allowed(caller, resource, action)) {
    throw new NcrError(PERMISSION_DENIED, `access key ${principalName(caller.principal)} may not ${action} ${resource}`);
  }
  if (!resource.endsWith('/*') && (await call.ctx.signatures.policyDenies?.(caller.principal, resource, ecrActions))) {
    throw new NcrError(PERMISSION_DENIED, `the repository policy of ${resource} denies ${action} to ${principalName(caller.principal)}`);
  }
}
