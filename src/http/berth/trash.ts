// The trash over HTTP: what was deleted recently and can still come back, and bringing it back byte-identical.
import { z } from 'zod';
import { isDigest, listDeletedTags, parseRepositoryName, parseTag, RegistryError, restore } from '../../core/index.ts';
import { type BerthHandler, onRepository, sendJson } from './context.ts';
import { positiveIntParam, readJson } from './input.ts';
import { deletedTagJson } from './wire.ts';

const RestoreBody = z.strictObject({
  repository: z.string(),
  tag: z.string().optional(),
  digest: z.string().optional(),
});

export const getDeletedTags: BerthHandler<{ kind: 'deleted-tags'; name: string }> = async ({ ctx, route, query, reply, authorize }) => {
  const limit = positiveIntParam(query, 'limit');
  await authorize([onRepository(route.name, 'pull')]);
  const tags = await listDeletedTags(ctx.deps, route.name, limit);
  sendJson(reply, 200, { tags: tags.map(deletedTagJson) });
};

/** Restoring writes tags and manifests back, so it needs push, like the push that made them. */
export const postRestore: BerthHandler<{ kind: 'restore' }> = async ({ ctx, req, reply, authorize }) => {
  const body = await readJson(req, RestoreBody);
  const repository = parseRepositoryName(body.repository);
  if ((body.tag === undefined) === (body.digest === undefined)) {
    throw new RegistryError('INVALID_REQUEST', 'give exactly one of "tag" (restores that tag) or "digest" (restores that manifest)');
  }
  const reference = body.tag !== undefined ? parseTag(body.tag) : body.digest!;
  if (body.digest !== undefined && !isDigest(body.digest)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${body.digest.slice(0, 200)}`);
  const actor = await authorize([onRepository(repository, 'push')]);
  const restored = await restore(ctx.deps, repository, reference, actor);
  sendJson(reply, 200, { digest: restored.digest, tags: restored.tags, manifests: restored.manifests });
};
