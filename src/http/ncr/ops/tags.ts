// NCR image tags: listed with paging, shown with the images behind them (platform from the config or the index,
// real sizes and times) and deleted through core's tag delete. Only the tag goes: the manifest stays until GC
// collects it as untagged (a pinned one never), so deleting a tag is allowed even on a pinned image.
import { deleteManifest, imagePlatforms, isRegistryError, type RegistryDeps, type TagDetail } from '../../../core/index.ts';
import { authorize } from '../authorize.ts';
import type { Handler } from '../context.ts';
import { notFound } from '../errors.ts';
import { pageOf, parsePaging, skipKeys } from '../paging.ts';
import { tagShape } from '../wire.ts';

/** The tag as NCR shows it; the manifest is read without counting as a pull. */
async function describe(deps: RegistryDeps, repository: string, tag: TagDetail): Promise<Record<string, unknown>> {
  const manifest = await deps.meta.getManifest(repository, { digest: tag.digest });
  return tagShape(tag, manifest === null ? null : await imagePlatforms(deps, repository, manifest));
}

const imageNotFound = (repository: string) => notFound(`image ${repository} not found`);

/** Tags of a page described at once: a cold config read waits on storage, so a page does not wait for each in turn. */
export const DESCRIBE_CONCURRENCY = 8;

/** `fn` over `items` with at most `limit` calls running, results in the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}

export const listTags: Handler = async (call, { repository }) => {
  await authorize(call, repository, 'pull');
  const deps = call.ctx.deps;
  const paging = parsePaging(call.query);
  const summary = await deps.meta.repositorySummary(repository);
  if (summary === null) throw imageNotFound(repository);
  const start = await skipKeys(paging.offset, async (after, limit) => (await deps.meta.listTags(repository, { after, limit })) ?? []);
  const tags = start.past ? [] : await deps.meta.listTagDetails(repository, { after: start.after, limit: paging.size });
  if (tags === null) throw imageNotFound(repository);
  const results = await mapBounded(tags, DESCRIBE_CONCURRENCY, (tag) => describe(deps, repository, tag));
  return { status: 200, body: pageOf(call, paging, summary.tagCount, results) };
};

export const getTag: Handler = async (call, { repository, reference }) => {
  await authorize(call, repository, 'pull');
  const deps = call.ctx.deps;
  const tag = await deps.meta.findTagDetail(repository, reference);
  if (tag === null) {
    if (!(await deps.meta.findRepository(repository))) throw imageNotFound(repository);
    throw notFound(`tag ${reference} of image ${repository} not found`);
  }
  return { status: 200, body: await describe(deps, repository, tag) };
};

export const deleteTag: Handler = async (call, { repository, reference }) => {
  await authorize(call, repository, 'delete');
  try {
    await deleteManifest(call.ctx.deps, repository, reference, call.actor, { dropUntagged: false });
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw imageNotFound(repository);
    if (isRegistryError(e) && e.code === 'MANIFEST_UNKNOWN') throw notFound(`tag ${reference} of image ${repository} not found`);
    throw e;
  }
  return { status: 204 };
};
