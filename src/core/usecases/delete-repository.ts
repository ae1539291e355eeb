// Repository delete answers in O(1): the name is freed in one transaction and the content is left to GC.
import { RegistryError } from '../errors.ts';
import type { Actor } from '../model/records.ts';
import type { RegistryDeps } from './deps.ts';

export async function deleteRepository(deps: RegistryDeps, name: string, force: boolean, actor: Actor): Promise<{ manifests: number }> {
  const outcome = await deps.meta.deleteRepository(name, force, actor, deps.clock.now());
  if (outcome.kind === 'unknown') throw new RegistryError('NAME_UNKNOWN', `repository ${name} is not known`, { name });
  if (outcome.kind === 'not-empty') {
    throw new RegistryError('REPOSITORY_NOT_EMPTY', `repository ${name} holds ${outcome.manifests} manifest(s); delete them or force`, {
      name, manifests: outcome.manifests,
    });
  }
  return { manifests: outcome.manifests };
}
