// Repository delete answers in O(1): the name is freed in one transaction and the content is left to GC. Refused
// while it holds images unless forced, and while anything in it is pinned unless the pins are broken.
import { RegistryError } from '../errors.ts';
import type { Actor, Pin, Repository } from '../model/records.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';
import { imageInUse, type PinPolicyDeps, pinPolicy } from './pin-policy.ts';

export async function deleteRepository(
  deps: UsesMeta<'deleteRepository'> & Pick<RegistryDeps, 'clock'> & PinPolicyDeps,
  name: string,
  force: boolean,
  actor: Actor,
  options: { breakPins?: boolean; onlyId?: string } = {},
): Promise<{ repository: Repository; brokenPins: Pin[] }> {
  const at = deps.clock.now();
  // onlyId: dialects that address repositories by id (ACR's RepoId) must never delete a newer repository of the same name.
  const outcome = await deps.meta.deleteRepository(name, force, actor, at, pinPolicy(deps, at, options.breakPins === true), options.onlyId);
  if (outcome.kind === 'unknown') throw new RegistryError('NAME_UNKNOWN', `repository ${name} is not known`, { name });
  if (outcome.kind === 'not-empty') {
    throw new RegistryError('REPOSITORY_NOT_EMPTY', `repository ${name} still holds images; delete them or force`, { name });
  }
  if (outcome.kind === 'pinned') throw imageInUse(`repository ${name}`, outcome.pins);
  return { repository: outcome.repository, brokenPins: outcome.brokenPins };
}
