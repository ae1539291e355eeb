// NCR images are berth repositories "{registry}/{imageName}": listed per registry (those the caller may see), shown, edited (descriptions kept
// in the repository's settings) and deleted whole (NCR's delete image), the last through core's forced repository
// delete so deployment pins still refuse it with 409.
import { z } from 'zod';
import { changeRepositorySettings, deleteRepository, isRegistryError, type RegistryDeps, type RepositorySummary } from '../../../core/index.ts';
import { ECR_REPOSITORY_DELETE } from '../../common/access.ts';
import { visibleAmong, visibleToCaller } from '../../common/visibility.ts';
import { authorize, registryResource } from '../authorize.ts';
import type { Handler } from '../context.ts';
import { notFound } from '../errors.ts';
import { optionalText, validateBody } from '../input.ts';
import { pageOf, parsePaging, WALK_BATCH } from '../paging.ts';
import { imageDetailShape, imageShape } from '../wire.ts';

/** NCR's limit for the short description; the Markdown one is capped like Docker Hub's. */
const MAX_DESCRIPTION = 100;
const MAX_FULL_DESCRIPTION = 25_000;
/** Bounds one listing's walk (100,000 names per registry); beyond it the count is of the names walked. */
const MAX_WALK_ROUNDS = 100;
const PATCH_BODY = z.object({
  description: optionalText('description', MAX_DESCRIPTION),
  full_description: optionalText('full_description', MAX_FULL_DESCRIPTION),
});

/**
 * Repository names of the registry after `after`: they all start with "{registry}/", which in lexical order is one
 * contiguous run beginning right after "{registry}/" itself, so the walk reads names only and stops at the run's end.
 */
async function namesIn(deps: RegistryDeps, registry: string, after: string | undefined, limit: number): Promise<string[]> {
  const prefix = `${registry}/`;
  const names = await deps.meta.listRepositories({ after: after ?? prefix, limit });
  const end = names.findIndex((n) => !n.startsWith(prefix));
  return end < 0 ? names : names.slice(0, end);
}

export const listImages: Handler = async (call, { registry }) => {
  await authorize(call, registryResource(registry), 'pull');
  const deps = call.ctx.deps;
  const paging = parsePaging(call.query);
  const ns = await deps.meta.findNamespace(registry);
  if (ns === null) throw notFound(`registry ${registry} not found`);
  const { names, count } = await visibleNames(call, registry, paging.offset, paging.size);
  // The page's summaries and settings in two reads, not two a repository.
  const [summaries, extras] = [await deps.meta.repositorySummaries(names), await deps.meta.repositoriesWithExtras(names)];
  const results = [];
  for (const name of names) {
    const repo = summaries.get(name);
    if (repo) results.push(imageShape(call, registry, repo, extras.get(name)?.extras.settings ?? {}));
  }
  return { status: 200, body: pageOf(call, paging, count, results) };
};

/**
 * The page's names among the repositories of the registry the caller may see (shared/visibility.ts), and how many
 * there are: offsets and `count` are over visible ones only, so a hidden repository neither shows nor leaves a gap.
 * One walk over the registry's names in batches; memory stays O(batch + page).
 */
async function visibleNames(call: Parameters<Handler>[0], registry: string, offset: number, size: number): Promise<{ names: string[]; count: number }> {
  const visible = visibleToCaller(call.ctx.signatures, call.caller.principal);
  const names: string[] = [];
  let count = 0;
  let after: string | undefined;
  for (let round = 0; round < MAX_WALK_ROUNDS; round++) {
    const batch = await namesIn(call.ctx.deps, registry, after, WALK_BATCH);
    for (const name of await visibleAmong(visible, batch)) {
      if (count >= offset && count < offset + size) names.push(name);
      count++;
    }
    if (batch.length < WALK_BATCH) return { names, count };
    after = batch.at(-1);
  }
  return { names, count };
}

async function summary(deps: RegistryDeps, repository: string): Promise<RepositorySummary> {
  const repo = await deps.meta.repositorySummary(repository);
  if (repo === null) throw notFound(`image ${repository} not found`);
  return repo;
}

export const getImage: Handler = async (call, { registry, repository }) => {
  await authorize(call, repository, 'pull');
  const repo = await summary(call.ctx.deps, repository);
  const settings = (await call.ctx.deps.meta.repositoryExtras(repository))?.settings ?? {};
  return { status: 200, body: imageDetailShape(call, registry, repo, settings) };
};

export const patchImage: Handler = async (call, { repository }) => {
  await authorize(call, repository, 'push');
  const { description, full_description: fullDescription } = validateBody(PATCH_BODY, call.body);
  try {
    // Other dialects keep their settings beside these (ECR scanning, ...): change only the two members asked for.
    await changeRepositorySettings(
      call.ctx.deps,
      repository,
      (current) => {
        if (description === undefined && fullDescription === undefined) return null;
        const settings = { ...current };
        if (description !== undefined) settings.description = description ?? '';
        if (fullDescription !== undefined) settings.full_description = fullDescription ?? '';
        return settings;
      },
      call.actor,
    );
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw notFound(`image ${repository} not found`);
    throw e;
  }
  return { status: 204 };
};

export const deleteImage: Handler = async (call, { repository }) => {
  await authorize(call, repository, 'delete', ECR_REPOSITORY_DELETE);
  try {
    await deleteRepository(call.ctx.deps, repository, true, call.actor);
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw notFound(`image ${repository} not found`);
    throw e;
  }
  return { status: 204 };
};
