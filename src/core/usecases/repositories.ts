// Explicit repository management for the cloud dialects: create with settings, change tag mutability, settings,
// policy and resource tags. A docker push still creates repositories implicitly unless the registry requires
// them to be created first (ECR's behaviour, config ecr.requireCreate).
import { RegistryError } from '../errors.ts';
import { parseRepositoryName } from '../model/names.ts';
import type { Actor, Repository } from '../model/records.ts';
import { checkTagMutability, type TagMutability } from '../model/tag-mutability.ts';
import type { RepositoryChange, RepositoryExtras, ResourceTags } from '../ports/repository-admin.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

export interface CreateRepositoryInput {
  name: string;
  tagMutability?: TagMutability | undefined;
  /** Wildcard filters; required with a *_WITH_EXCLUSION mode, refused with the others. */
  tagMutabilityExclusions?: readonly string[] | undefined;
  settings?: Record<string, unknown> | undefined;
  resourceTags?: ResourceTags | undefined;
}

/** Creates the repository; `exists` says it was already there (the dialect decides whether that is an error). */
export async function createRepository(
  deps: UsesMeta<'createRepository'> & Pick<RegistryDeps, 'clock'>,
  input: CreateRepositoryInput,
  actor: Actor,
): Promise<{ repository: Repository; created: boolean }> {
  const tagMutability = input.tagMutability ?? 'MUTABLE';
  const exclusions = checkTagMutability(tagMutability, input.tagMutabilityExclusions);
  const outcome = await deps.meta.createRepository({
    name: parseRepositoryName(input.name),
    tagMutability,
    ...(exclusions.length > 0 ? { tagMutabilityExclusions: exclusions } : {}),
    settings: input.settings ?? {},
    resourceTags: input.resourceTags ?? {},
    at: deps.clock.now(),
    actor,
  });
  return { repository: outcome.repository, created: outcome.kind === 'created' };
}

export async function updateRepository(
  deps: UsesMeta<'updateRepository'> & Pick<RegistryDeps, 'clock'>,
  name: string,
  change: RepositoryChange,
  actor: Actor,
): Promise<Repository> {
  if (change.tagMutability === undefined && change.tagMutabilityExclusions !== undefined) {
    throw new RegistryError('INVALID_REQUEST', 'exclusion filters change only together with the tag mutability');
  }
  const exclusions = change.tagMutability === undefined ? [] : checkTagMutability(change.tagMutability, change.tagMutabilityExclusions);
  const checked: RepositoryChange = { ...change, tagMutabilityExclusions: exclusions.length > 0 ? exclusions : undefined };
  const updated = await deps.meta.updateRepository(name, checked, actor, deps.clock.now());
  if (!updated) throw new RegistryError('NAME_UNKNOWN', `repository ${name} is not known`, { name });
  return updated;
}

export async function repositoryExtras(deps: UsesMeta<'repositoryExtras'>, name: string): Promise<RepositoryExtras> {
  const extras = await deps.meta.repositoryExtras(name);
  if (!extras) throw new RegistryError('NAME_UNKNOWN', `repository ${name} is not known`, { name });
  return extras;
}

/**
 * Changes a repository's dialect settings from what they are now: `change` gets the current settings and returns the
 * new whole (other dialects' members kept) or null for no change. NAME_UNKNOWN when the repository is unknown. Two
 * steps, not one transaction: of two concurrent changes of different members, the later write wins.
 */
export async function changeRepositorySettings(
  deps: UsesMeta<'repositoryExtras' | 'updateRepository'> & Pick<RegistryDeps, 'clock'>,
  name: string,
  change: (current: Record<string, unknown>) => Record<string, unknown> | null,
  actor: Actor,
): Promise<void> {
  const next = change((await repositoryExtras(deps, name)).settings);
  if (next !== null) await updateRepository(deps, name, { settings: next }, actor);
}

/** What every push path needs to know whether it may create the repository. */
export type PushDeps = UsesMeta<'findRepository'> & Pick<RegistryDeps, 'repositories'>;

/** Before a push creates a repository implicitly: refused when repositories must be created first. */
export async function requireRepositoryForPush(deps: PushDeps, name: string): Promise<void> {
  if (deps.repositories.createOnPush) return;
  if (!(await deps.meta.findRepository(name))) {
    throw new RegistryError('NAME_UNKNOWN', `repository ${name} does not exist; create it first (pushes do not create repositories here)`, { name });
  }
}
