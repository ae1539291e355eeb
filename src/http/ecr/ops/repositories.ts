// CreateRepository, DescribeRepositories and DeleteRepository over core's repository use cases; the repositories
// are the same ones docker pushes to, so both sides see each other's.
import { z } from 'zod';
import {
  createRepository,
  deleteRepository,
  dropRepositoryLifecycle,
  isRegistryError,
  listRepositories,
  type RegistryDeps,
  type Repository,
  type RepositoryWithExtras,
} from '../../../core/index.ts';
import { ECR_ACTIONS_OF } from '../../common/access.ts';
import { authorizeWith, policyDecision } from '../authorize.ts';
import { type EcrCall, operation } from '../context.ts';
import { EcrError, repositoryNotFound } from '../errors.ts';
import { DEFAULT_PAGE, decodeToken, encodeToken, rejectPagingWith } from '../paging.ts';
import { base, maxResults, mutabilityFilters, nextToken, repositoryName, resourceTags, tagMutability } from '../validate.ts';
import { repositoryShape } from '../wire.ts';
import { checkResourceTags, mutabilitySetting } from './settings-rules.ts';

const scanning = z.object({ scanOnPush: z.boolean().optional() });
const encryption = z.object({ encryptionType: z.enum(['AES256', 'KMS', 'KMS_DSSE']), kmsKey: z.string().min(1).max(2048).optional() });

async function describe(call: EcrCall, repo: Repository): Promise<Record<string, unknown>> {
  const extras = await call.ctx.deps.meta.repositoryExtras(repo.name);
  return repositoryShape(call, repo, extras?.settings);
}

async function existing(deps: RegistryDeps, call: EcrCall, name: string): Promise<Repository> {
  const repo = await deps.meta.findRepository(name);
  if (!repo) throw repositoryNotFound(name, call.ctx.ecr.registryId);
  return repo;
}

export const CreateRepository = operation({
  input: z.object({
    ...base,
    repositoryName,
    tags: resourceTags.optional(),
    imageTagMutability: tagMutability.optional(),
    imageTagMutabilityExclusionFilters: mutabilityFilters.optional(),
    imageScanningConfiguration: scanning.optional(),
    encryptionConfiguration: encryption.optional(),
  }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'push');
    const mutability = mutabilitySetting(input.imageTagMutability, input.imageTagMutabilityExclusionFilters);
    const tags = checkResourceTags({}, input.tags ?? []);
    const settings: Record<string, unknown> = {
      ...(input.imageScanningConfiguration ? { imageScanningConfiguration: input.imageScanningConfiguration } : {}),
      ...(input.encryptionConfiguration ? { encryptionConfiguration: input.encryptionConfiguration } : {}),
    };
    const { repository, created } = await createRepository(
      call.ctx.deps,
      { name: input.repositoryName, ...mutability, settings, resourceTags: tags },
      call.actor,
    );
    if (!created) {
      throw new EcrError(
        'RepositoryAlreadyExistsException',
        `The repository with name '${input.repositoryName}' already exists in the registry with id '${call.ctx.ecr.registryId}'`,
      );
    }
    return { repository: repositoryShape(call, repository, settings) };
  },
});

/**
 * Whether the caller may see the repository in an unfiltered listing: DescribeRepositories by name would answer (grants,
 * or a policy Allow, and no Deny of it), and, as in every listing (common/visibility.ts), no policy Deny of pull.
 * `policy` is the repository's policy text, read with its page's rows.
 */
function visible(call: EcrCall, name: string, policy: string | null): boolean {
  try {
    authorizeWith(call.ctx, call.caller, call.operation, name, 'pull', policy);
  } catch (e) {
    if (e instanceof EcrError && e.type === 'AccessDeniedException') return false;
    throw e;
  }
  return policyDecision(call.ctx, call.caller, policy, ECR_ACTIONS_OF.pull) !== 'deny';
}

/**
 * Pages over the repositories the caller may pull, each with its row and extras (read a page at a time: the policy
 * that decides visibility is among them); a page may come back short (never empty-handed forever).
 */
async function listVisible(call: EcrCall, limit: number, after: string | undefined): Promise<{ shown: RepositoryWithExtras[]; next: string | null }> {
  const shown: RepositoryWithExtras[] = [];
  let cursor = after;
  for (let round = 0; round < 20; round++) {
    const page = await listRepositories(call.ctx.deps, { n: String(limit), last: cursor });
    const rows = await call.ctx.deps.meta.repositoriesWithExtras(page.items);
    for (const name of page.items) {
      if (shown.length === limit) return { shown, next: shown.at(-1)!.repository.name };
      const row = rows.get(name);
      if (row && visible(call, name, row.extras.policy)) shown.push(row);
      cursor = name;
    }
    if (page.next === null) return { shown, next: null };
  }
  return { shown, next: cursor ?? null };
}

export const DescribeRepositories = operation({
  input: z.object({
    ...base,
    repositoryNames: z.array(repositoryName).min(1).max(100).optional(),
    nextToken: nextToken.optional(),
    maxResults: maxResults.optional(),
  }),
  async run(call, input) {
    const deps = call.ctx.deps;
    if (input.repositoryNames) {
      rejectPagingWith('repositoryNames', input);
      const repositories = [];
      for (const name of new Set(input.repositoryNames)) {
        await call.authorize(name, 'pull');
        repositories.push(await describe(call, await existing(deps, call, name)));
      }
      return { repositories };
    }
    const after = input.nextToken === undefined ? undefined : decodeToken('DescribeRepositories', input.nextToken).name;
    const { shown, next } = await listVisible(call, input.maxResults ?? DEFAULT_PAGE, after);
    const repositories = shown.map((row) => repositoryShape(call, row.repository, row.extras.settings));
    return { repositories, ...(next === null ? {} : { nextToken: encodeToken('DescribeRepositories', { name: next }) }) };
  },
});

export const DeleteRepository = operation({
  input: z.object({ ...base, repositoryName, force: z.boolean().optional() }),
  async run(call, input) {
    await call.authorize(input.repositoryName, 'delete');
    const repo = await existing(call.ctx.deps, call, input.repositoryName);
    const shape = await describe(call, repo);
    try {
      await deleteRepository(call.ctx.deps, input.repositoryName, input.force === true, call.actor);
    } catch (e) {
      if (isRegistryError(e) && e.code === 'IMAGE_IN_USE') throw new EcrError('RepositoryInUseException', e.message);
      throw e;
    }
    // As on AWS, the repository's lifecycle policy goes with it (berth's API keeps policies by name otherwise).
    await dropRepositoryLifecycle(call.ctx.deps, input.repositoryName, call.actor);
    return { repository: shape };
  },
});
