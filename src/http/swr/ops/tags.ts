// Tags, which SWR calls images: list (v2 with offset/limit and Content-Range, v3 with markers), show and delete.
// Deleting the last tag of a manifest deletes the manifest too (core's dropUntagged, the rule ECR uses), so what
// SWR shows as the repository's images is exactly what it holds; pins refuse that like any delete.
import { deleteManifest, isRegistryError, type TagDetail } from '../../../core/index.ts';
import { authorizeRepository } from '../authorize.ts';
import type { SwrCall, SwrOperation } from '../context.ts';
import { repositoryNotFound, SWR_ERRORS, SwrError } from '../errors.ts';
import { decodeMarker, encodeMarker, intParam, invalidParameterFor, orderType, withFilter } from '../input.ts';
import { parseSwrTag } from '../names.ts';
import { tagShape } from '../wire.ts';
import { type NamedRepository, pathRepository, summaryOf } from './resolve.ts';

const SCAN_PAGE = 1000;
/** Bounds one v2 listing's walk (100,000 tags). */
const MAX_ROUNDS = 100;

function tagNotFound(r: NamedRepository, tag: string): SwrError {
  return new SwrError(SWR_ERRORS.MANIFEST_UNKNOWN, `image ${r.repository}:${tag} does not exist in namespace ${r.namespace}`);
}

async function shapes(
  call: SwrCall,
  r: NamedRepository,
  repoId: string,
  details: TagDetail[],
  tagKey: 'Tag' | 'tag',
  withManifest = true,
): Promise<Record<string, unknown>[]> {
  const out = [];
  for (const d of details) {
    const manifest = await call.ctx.deps.meta.getManifest(r.name, { digest: d.digest });
    const shape = tagShape({ detail: d, manifest, repository: r.name, repoId, host: call.host, tagKey });
    if (!withManifest) shape.manifest = '';
    out.push(shape);
  }
  return out;
}

const ORDER: Record<string, (d: TagDetail) => number | string> = {
  name: (d) => d.tag,
  tag: (d) => d.tag,
  updated_at: (d) => d.taggedAt.getTime(),
  updated_time: (d) => d.taggedAt.getTime(),
  created_at: (d) => d.pushedAt.getTime(),
  created_time: (d) => d.pushedAt.getTime(),
};

export const listTagsV2: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  await authorizeRepository(call, r.name, 'pull');
  const summary = await summaryOf(call, r);
  const query = withFilter(call.query);
  const limit = intParam(query, 'limit', 100, 1, 1000);
  const offset = intParam(query, 'offset', 0, 0, 100_000_000);
  const column = query.get('order_column') || 'name';
  if (!Object.hasOwn(ORDER, column)) throw invalidParameterFor('order_column', Object.keys(ORDER).join(', '), column);
  const key = ORDER[column]!;
  const desc = orderType(query) === 'desc';
  const all: TagDetail[] = [];
  let after: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await call.ctx.deps.meta.listTagDetails(r.name, { after, nameContains: query.get('tag') || undefined, limit: SCAN_PAGE });
    if (page === null) throw repositoryNotFound(r.namespace, r.repository);
    all.push(...page);
    if (page.length < SCAN_PAGE) break;
    after = page.at(-1)!.tag;
  }
  all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.tag < b.tag ? -1 : 1) * (desc ? -1 : 1));
  const body = await shapes(call, r, summary.id, all.slice(offset, offset + limit), 'Tag');
  return { status: 200, body, headers: { 'content-range': `${offset}-${body.length}/${all.length}` } };
};

export const listTagsV3: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  await authorizeRepository(call, r.name, 'pull');
  const summary = await summaryOf(call, r);
  const limit = intParam(call.query, 'limit', 100, 1, 1000);
  const after = decodeMarker(call.query.get('marker'));
  const withManifest = call.query.get('with_manifest') === 'true';
  const page = await call.ctx.deps.meta.listTagDetails(r.name, { after, nameContains: call.query.get('tag') || undefined, limit: limit + 1 });
  if (page === null) throw repositoryNotFound(r.namespace, r.repository);
  const more = page.length > limit;
  const shown = page.slice(0, limit);
  const tags = await shapes(call, r, summary.id, shown, 'tag', withManifest);
  return { status: 200, body: { tags, ...(more ? { nextMarker: encodeMarker(shown.at(-1)!.tag) } : {}) } };
};

export const showRepoTag: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  const tag = parseSwrTag(call.route.tag ?? '');
  await authorizeRepository(call, r.name, 'pull');
  const summary = await summaryOf(call, r);
  const detail = await call.ctx.deps.meta.findTagDetail(r.name, tag);
  if (!detail) throw tagNotFound(r, tag);
  const [shape] = await shapes(call, r, summary.id, [detail], 'tag');
  return { status: 200, body: shape };
};

export const deleteRepoTag: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  const tag = parseSwrTag(call.route.tag ?? '');
  await authorizeRepository(call, r.name, 'delete');
  try {
    await deleteManifest(call.ctx.deps, r.name, tag, call.actor, { dropUntagged: true });
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw repositoryNotFound(r.namespace, r.repository);
    if (isRegistryError(e) && e.code === 'MANIFEST_UNKNOWN') throw tagNotFound(r, tag);
    throw e;
  }
  return { status: 204 };
};
