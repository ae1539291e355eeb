// Browsing inside one repository: its tags, its manifests (the untagged ones a cleanup looks for) and one manifest
// with its children, referrers and pins. Each needs pull on the repository, exactly as reading it over /v2 does.
import { browseManifests, browseTags, describeManifest } from '../../core/index.ts';
import { manifestDescriptionJson, manifestJson, tagJson } from './browse-wire.ts';
import { type BerthHandler, onRepository, sendJson } from './context.ts';
import { booleanParam, pageLimit, searchParam } from './input.ts';

export const getTags: BerthHandler<{ kind: 'tags'; name: string }> = async ({ ctx, route, query, reply, authorize }) => {
  const limit = pageLimit(query);
  const contains = searchParam(query);
  const after = searchParam(query, 'after');
  await authorize([onRepository(route.name, 'pull')]);
  const page = await browseTags(ctx.deps, route.name, { contains, after, limit });
  sendJson(reply, 200, { repository: route.name, tags: page.tags.map(tagJson), next: page.next });
};

export const getManifests: BerthHandler<{ kind: 'manifests'; name: string }> = async ({ ctx, route, query, reply, authorize }) => {
  const limit = pageLimit(query);
  const tagged = booleanParam(query, 'tagged');
  const after = searchParam(query, 'after');
  await authorize([onRepository(route.name, 'pull')]);
  const page = await browseManifests(ctx.deps, route.name, { tagged, after, limit });
  sendJson(reply, 200, { repository: route.name, manifests: page.manifests.map(manifestJson), next: page.next });
};

export const getManifest: BerthHandler<{ kind: 'manifest'; name: string; digest: string }> = async ({ ctx, route, reply, authorize }) => {
  await authorize([onRepository(route.name, 'pull')]);
  const manifest = await describeManifest(ctx.deps, route.name, route.digest);
  sendJson(reply, 200, { repository: route.name, manifest: manifestDescriptionJson(manifest) });
};
