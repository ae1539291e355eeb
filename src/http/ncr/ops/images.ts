// NCR images are berth repositories "{registry}/{imageName}": listed per registry, shown, edited (descriptions kept
// in the repository's settings) and deleted whole (NCR's delete image), the last through core's forced repository
// delete so deployment pins still refuse it with 409.
import { z } from 'zod';
import { changeRepositorySettings, deleteRepository, isRegistryError, type RegistryDeps, type RepositorySummary } from '../../../core/index.ts';
import { ECR_REPOSITORY_DELETE } from '../../shared/access.ts';
import { authorize, registryResource } from '../authorize.ts';
import type { Handler } from '../context.ts';
import { notFound } from '../errors.ts';
import { optionalText, validateBody } from '../input.ts';
import { pageOf, parsePaging, skipKeys } from '../paging.ts';
import { imageDetailShape, imageShape } from '../wire.ts';

/** NCR's limit for the short description; the Markdown one is capped like Docker Hub's. */
const MAX_DESCRIPTION = 100;
const MAX_FULL_DESCRIPTION = 25_000;
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
  const start = await skipKeys(paging.offset, (after, limit) => namesIn(deps, registry, after, limit));
  const repos = start.past ? [] : await deps.meta.listRepositorySummaries({ namespace: registry, after: start.after, limit: paging.size });
  const results = [];
  for (const repo of repos) results.push(imageShape(call, registry, repo, (await deps.meta.repositoryExtras(repo.name))?.settings ?? {}));
  return { status: 200, body: pageOf(call, paging, ns.repositoryCount, results) };
};

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
