// createRepo, showRepository, updateRepo and deleteRepo over core's repository use cases. deleteRepo is the
// non-forced delete: 406 SVCSTG.SWR.4060012 while the repository holds any image, and then nothing is deleted.
import { z } from 'zod';
import { changeRepositorySettings, createRepository, deleteRepository, isRegistryError } from '../../../core/index.ts';
import { ECR_REPOSITORY_DELETE } from '../../common/access.ts';
import { authorizeRepository, mayRepository, visibilityDenied } from '../authorize.ts';
import type { SwrOperation } from '../context.ts';
import { namespaceNotFound, repositoryNotFound, SWR_ERRORS, SWR_ONLY, SwrError } from '../errors.ts';
import { category, description, validateBody } from '../input.ts';
import { fullName, parseNamespace, parseRepository } from '../names.ts';
import { repositoryShape, swrSettings } from '../wire.ts';
import { pathRepository, summaryOf, viewOf } from './resolve.ts';

const createBody = z.object({ repository: z.string(), is_public: z.boolean(), category: category.optional(), description: description.optional() });
const updateBody = z.object({ is_public: z.boolean(), category: category.optional(), description: description.optional() });

export const createRepo: SwrOperation = async (call) => {
  const namespace = parseNamespace(call.route.namespace ?? '');
  const input = validateBody(createBody, call.body);
  const repository = parseRepository(input.repository);
  const name = fullName(namespace, repository);
  await authorizeRepository(call, name, 'push');
  if (!(await call.ctx.deps.meta.findNamespace(namespace))) throw namespaceNotFound(namespace);
  const swr = { is_public: input.is_public, category: input.category ?? 'other', creator_name: call.actor.principal };
  const { created } = await createRepository(call.ctx.deps, { name, settings: { swr, description: input.description ?? '' } }, call.actor);
  if (!created) throw new SwrError(SWR_ONLY.repositoryExists, `repository ${repository} already exists in namespace ${namespace}`);
  return { status: 201, body: {} };
};

export const showRepository: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  await authorizeRepository(call, r.name, 'pull');
  return { status: 200, body: repositoryShape(await viewOf(call, await summaryOf(call, r))) };
};

/**
 * Description and category only label the repository: push. Turning it public or private changes who may read it:
 * admin (the one rule for every dialect, docs/DIALECTS.md). The grant check is repeated on the settings the change
 * itself reads, which narrows the window a concurrent update could slip a visibility change through.
 */
export const updateRepo: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  const input = validateBody(updateBody, call.body);
  await authorizeRepository(call, r.name, 'push');
  const turns = (current: { is_public: boolean }): boolean => current.is_public !== input.is_public;
  // The full admin check (grants and the policy's Deny) when visibility changes.
  if (turns(swrSettings((await call.ctx.deps.meta.repositoryExtras(r.name))?.settings))) await authorizeRepository(call, r.name, 'admin');
  const needsAdmin = (current: { is_public: boolean }): boolean => turns(current) && !mayRepository(call.caller, r.name, 'admin');
  try {
    await changeRepositorySettings(
      call.ctx.deps,
      r.name,
      (settings) => {
        const current = swrSettings(settings);
        if (needsAdmin(current)) throw visibilityDenied(call.caller, r.name);
        const { description: _moved, ...kept } = current;
        const swr = { ...kept, is_public: input.is_public, category: input.category ?? current.category };
        return { ...settings, swr, description: input.description ?? current.description };
      },
      call.actor,
    );
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw repositoryNotFound(r.namespace, r.repository);
    throw e;
  }
  return { status: 201 };
};

export const deleteRepo: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  await authorizeRepository(call, r.name, 'delete', ECR_REPOSITORY_DELETE);
  try {
    await deleteRepository(call.ctx.deps, r.name, false, call.actor);
  } catch (e) {
    if (!isRegistryError(e)) throw e;
    if (e.code === 'NAME_UNKNOWN') throw repositoryNotFound(r.namespace, r.repository);
    if (e.code === 'REPOSITORY_NOT_EMPTY') {
      const tags = (await call.ctx.deps.meta.repositorySummary(r.name))?.tagCount ?? 0;
      const what = tags > 0 ? `${tags} image(s)` : 'untagged manifests (pushed by digest or left by a /v2 tag delete)';
      throw new SwrError(SWR_ERRORS.REPOSITORY_NOT_EMPTY, `repository ${r.repository} cannot be deleted: it still contains ${what}; delete its images first`);
    }
    throw e;
  }
  return { status: 204 };
};
