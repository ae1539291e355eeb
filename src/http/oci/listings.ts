// Tag list, catalog and referrers on the wire, with RFC 5988 Link paging as the spec describes.
import { type Listing, listReferrers, listTags, pageSize } from '../../core/index.ts';
import { gateRequest } from '../common/access.ts';
import type { LaneAnswer } from '../common/lane.ts';
import { visiblePage } from '../common/visibility.ts';
import { API_VERSION, type OciContext, type OciHandler } from './context.ts';

function linkHeader(path: string, n: string | null, listing: Listing): string | null {
  if (listing.next === null) return null;
  const params = new URLSearchParams();
  if (n !== null) params.set('n', n);
  params.set('last', listing.next);
  return `<${path}?${params.toString()}>; rel="next"`;
}

/**
 * A tag page's JSON, kept as long as the page itself. The embedded store's read cache hands back the same array on
 * every hit until a write or another process's commit replaces it, so a hot tags/list is serialised once, not on
 * every request (~7 µs for 100 tags, about a tenth of the request). A store without a cache answers a new array each
 * time, which simply misses.
 */
const tagPages = new WeakMap<readonly string[], { name: string; body: Buffer }>();

function tagsBody(name: string, tags: string[]): Buffer {
  const kept = tagPages.get(tags);
  if (kept?.name === name) return kept.body;
  const body = Buffer.from(JSON.stringify({ name, tags }));
  tagPages.set(tags, { name, body });
  return body;
}

/** A tags/list page's 200, for the route below and the dialect's lane (routes.ts) alike. */
export async function tagsAnswer(ctx: OciContext, name: string, query: URLSearchParams): Promise<LaneAnswer> {
  const n = query.get('n');
  const listing = await listTags(ctx.deps, name, { n: n ?? undefined, last: query.get('last') ?? undefined });
  const link = linkHeader(`/v2/${name}/tags/list`, n, listing);
  const body = tagsBody(name, listing.items);
  return {
    status: 200,
    headers: {
      'docker-distribution-api-version': API_VERSION,
      'content-type': 'application/json',
      'content-length': body.length,
      ...(link ? { link } : {}),
    },
    body,
  };
}

export const getTags: OciHandler<{ kind: 'tags'; name: string }> = async ({ ctx, route, query, reply }) => {
  const answer = await tagsAnswer(ctx, route.name, query);
  reply.code(200).headers(answer.headers).send(answer.body);
};

/** Only the repositories the caller may see (shared/visibility.ts): a policy Deny hides one here as in every listing. */
export const getCatalog: OciHandler<{ kind: 'catalog' }> = async ({ ctx, req, query, reply }) => {
  const n = query.get('n');
  const limit = pageSize(ctx.deps, n ?? undefined);
  const visible = await ctx.gate.visibility(gateRequest(req.headers, 'oci'));
  const page = await visiblePage(
    (after, batch) => ctx.deps.meta.listRepositories({ after, limit: batch }),
    (name) => name,
    visible,
    limit,
    query.get('last') ?? undefined,
    visible.prefetch,
  );
  const listing: Listing = { items: page.items, next: page.next ?? null };
  const link = linkHeader('/v2/_catalog', n, listing);
  if (link) reply.header('link', link);
  reply
    .code(200)
    .header('content-type', 'application/json')
    .send(JSON.stringify({ repositories: listing.items }));
};

export const getReferrers: OciHandler<{ kind: 'referrers'; name: string; digest: string }> = async ({ ctx, route, query, reply }) => {
  const artifactType = query.get('artifactType') ?? undefined;
  const { index, filtered } = await listReferrers(ctx.deps, route.name, route.digest, artifactType);
  if (filtered) reply.header('oci-filters-applied', 'artifactType');
  reply.code(200).header('content-type', 'application/vnd.oci.image.index.v1+json').send(JSON.stringify(index));
};
