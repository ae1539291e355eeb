// Explicit namespaces (NCR registries, SWR namespaces): created with the settings a dialect keeps, deleted only
// while no live repository is inside, so removing a namespace never removes images behind anyone's back.
import { RegistryError } from '../errors.ts';
import { isRepositoryName } from '../model/names.ts';
import type { Actor } from '../model/records.ts';
import type { NamespaceRecord } from '../ports/namespaces.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

/** A namespace name is one component of a repository name ("team", never "team/app"). */
export function parseNamespaceName(name: string): string {
  if (name.includes('/') || !isRepositoryName(name)) {
    const shown = name.length > 300 ? `${name.slice(0, 300)}...` : name;
    throw new RegistryError('NAME_INVALID', `invalid namespace name "${shown}": one component matching [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*`, { name: shown });
  }
  return name;
}

/**
 * Creates it; `created` is false when one of that name was already there, explicit or implied by a pushed repository
 * (the cloud APIs list implied ones, so creating one again is their conflict); nothing changes then.
 */
export async function createNamespace(
  deps: UsesMeta<'findNamespace' | 'createNamespace'> & Pick<RegistryDeps, 'clock'>,
  input: { name: string; settings?: Record<string, unknown> | undefined },
  actor: Actor,
): Promise<{ namespace: NamespaceRecord; created: boolean }> {
  const name = parseNamespaceName(input.name);
  const found = await deps.meta.findNamespace(name);
  if (found) return { namespace: found, created: false };
  const outcome = await deps.meta.createNamespace({ name, settings: input.settings ?? {}, actor, at: deps.clock.now() });
  return { namespace: outcome.namespace, created: outcome.kind === 'created' };
}

/** Deletes an explicit, empty namespace: REPOSITORY_NOT_EMPTY while repositories live in it, NAME_UNKNOWN if none exists. */
export async function deleteNamespace(deps: UsesMeta<'deleteNamespace'> & Pick<RegistryDeps, 'clock'>, name: string, actor: Actor): Promise<void> {
  const outcome = await deps.meta.deleteNamespace(parseNamespaceName(name), actor, deps.clock.now());
  if (outcome === 'unknown') throw new RegistryError('NAME_UNKNOWN', `namespace ${name} is not known`, { namespace: name });
  if (outcome === 'not-empty') {
    throw new RegistryError('REPOSITORY_NOT_EMPTY', `namespace ${name} still holds repositories; delete them first`, { namespace: name });
  }
}
