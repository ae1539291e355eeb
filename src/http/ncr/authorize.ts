// May this caller do this to this NCR resource? The key's grants decide: pull for reads, push for create and edit,
// delete for deletes, per repository; a registry-wide operation needs the grant on every repository of the registry,
// which is the pattern "{registry}/*".
import { can, principalName } from '../../auth/index.ts';
import type { Action } from '../../core/index.ts';
import type { Caller } from './context.ts';
import { NcrError, PERMISSION_DENIED } from './errors.ts';

/** The resource a registry-level operation (list its images, create, delete) is checked against. */
export function registryResource(registry: string): string {
  return `${registry}/*`;
}

export function allowed(caller: Caller, resource: string, action: Action): boolean {
  return can(caller.principal, resource, action);
}

export function authorize(caller: Caller, resource: string, action: Action): void {
  if (allowed(caller, resource, action)) return;
  throw new NcrError(PERMISSION_DENIED, `access key ${principalName(caller.principal)} may not ${action} ${resource}`);
}
