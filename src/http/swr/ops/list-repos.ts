// listReposDetails: v2 pages with limit/offset and reports `Content-Range: offset-count/total`; v3 pages with opaque
// markers. Both show only repositories inside a namespace that the caller may see (shared/visibility.ts), filtered by namespace, name
// (contained in the name inside the namespace), category and is_public, with counts and sizes from core's summaries.
import { type RepositorySummary, yieldToOthers } from '../../../core/index.ts';
import { type Visible, visibleAmong, visibleToCaller } from '../../common/visibility.ts';
import type { SwrCall, SwrOperation } from '../context.ts';
import { decodeMarker, encodeMarker, intParam, invalidParameterFor, orderType, withFilter } from '../input.ts';
import { parseNamespace } from '../names.ts';
import { repositoryListEntry } from '../wire.ts';
import { viewFrom } from './resolve.ts';

const SCAN_PAGE = 1000;
/** Bounds one listing's walk over repository names (100,000); beyond it the answer is what was walked. */
const MAX_ROUNDS = 100;
/** Sorting by anything but the name reads every match's summary; that is bounded too. */
const MAX_SORTED = 10_000;
/** Tags listed per repository entry (SWR's entries carry the tag names). */
const TAGS_PER_ENTRY = 100;

interface Filters {
  namespace: string | undefined;
  name: string | undefined;
  category: string | undefined;
  isPublic: boolean | undefined;
}

function filtersOf(query: URLSearchParams): Filters {
  const q = withFilter(query);
  const ns = q.get('namespace');
  const pub = q.get('is_public');
  if (pub !== null && pub !== '' && pub !== 'true' && pub !== 'false') throw invalidParameterFor('is_public', 'true or false', pub);
  return {
    namespace: ns === null || ns === '' ? undefined : parseNamespace(ns),
    name: q.get('name') || undefined,
    category: q.get('category') || undefined,
    isPublic: pub === 'true' ? true : pub === 'false' ? false : undefined,
  };
}

/** Whether a name lies inside a namespace and passes the name filter: checked first, as it reads nothing. */
function nameMatches(f: Filters, name: string): boolean {
  const slash = name.indexOf('/');
  return slash >= 0 && (f.name === undefined || name.slice(slash + 1).includes(f.name));
}

function settingsMatch(f: Filters, settings: Record<string, unknown> | undefined): boolean {
  const swr = settings?.swr as { category?: unknown; is_public?: unknown } | undefined;
  if (f.category !== undefined && (swr?.category ?? 'other') !== f.category) return false;
  return f.isPublic === undefined || (swr?.is_public === true) === f.isPublic;
}

/** The names of a scan page that match every filter, in order: visibility and settings read page-wise, not per name. */
async function pageMatches(call: SwrCall, f: Filters, page: readonly string[], visible: Visible): Promise<string[]> {
  const shown = await visibleAmong(
    visible,
    page.filter((n) => nameMatches(f, n)),
  );
  if (f.category === undefined && f.isPublic === undefined) return shown;
  const rows = await call.ctx.deps.meta.repositoriesWithExtras(shown);
  return shown.filter((n) => rows.has(n) && settingsMatch(f, rows.get(n)!.extras.settings));
}

/**
 * Matching repository names in lexical order after `after`, up to `limit` (or every one when limit is undefined).
 * One call scans a bounded number of names; when it stops at that bound, `resumeAfter` is the last name scanned, so a
 * marker-paged client continues there instead of taking a short page for the end. Filters that read settings yield to
 * the event loop between scan pages, so a large filtered listing never stalls other requests.
 */
async function matchingNames(
  call: SwrCall,
  f: Filters,
  after: string | undefined,
  limit?: number,
): Promise<{ names: string[]; more: boolean; resumeAfter?: string }> {
  const prefix = f.namespace === undefined ? '' : `${f.namespace}/`;
  let cursor = after !== undefined && after > prefix ? after : prefix === '' ? after : prefix;
  const names: string[] = [];
  const visible = visibleToCaller(call.ctx.signatures, call.caller.principal);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await call.ctx.deps.meta.listRepositories({ after: cursor, limit: SCAN_PAGE });
    // Names sharing a prefix are contiguous in lexical order: past the namespace, nothing more can match.
    const inside = prefix === '' ? page : page.filter((n) => n.startsWith(prefix));
    for (const name of await pageMatches(call, f, inside, visible)) {
      if (limit !== undefined && names.length === limit) return { names, more: true };
      names.push(name);
    }
    if (inside.length < page.length || page.length < SCAN_PAGE) return { names, more: false };
    cursor = page.at(-1)!;
    await yieldToOthers();
  }
  return { names, more: true, resumeAfter: cursor };
}

/** A page's entries: their settings in one read; each entry's first tags by its own index probe (a LIMIT per repository). */
async function entries(call: SwrCall, page: RepositorySummary[], total: number): Promise<Record<string, unknown>[]> {
  const extras = await call.ctx.deps.meta.repositoriesWithExtras(page.map((s) => s.name));
  const out: Record<string, unknown>[] = [];
  for (const summary of page) {
    const tags = (await call.ctx.deps.meta.listTagDetails(summary.name, { limit: TAGS_PER_ENTRY })) ?? [];
    const view = viewFrom(call, summary, extras.get(summary.name)?.extras.settings);
    out.push({
      ...repositoryListEntry(
        view,
        tags.map((t) => t.tag),
      ),
      total_range: total,
    });
  }
  return out;
}

/** The live ones of `names`, in their order, read SCAN_PAGE at a time (sorting reads up to MAX_SORTED of them). */
async function summaries(call: SwrCall, names: string[]): Promise<RepositorySummary[]> {
  const out: RepositorySummary[] = [];
  for (let i = 0; i < names.length; i += SCAN_PAGE) {
    const chunk = names.slice(i, i + SCAN_PAGE);
    const read = await call.ctx.deps.meta.repositorySummaries(chunk);
    for (const name of chunk) {
      const s = read.get(name);
      if (s) out.push(s);
    }
  }
  return out;
}

const ORDER_COLUMNS: Record<string, ((s: RepositorySummary) => number | string) | null> = {
  name: null,
  updated_at: (s) => s.updatedAt.getTime(),
  updated_time: (s) => s.updatedAt.getTime(),
  created_at: (s) => s.createdAt.getTime(),
  created_time: (s) => s.createdAt.getTime(),
  num_images: (s) => s.tagCount,
  tag_count: (s) => s.tagCount,
};

export const listReposV2: SwrOperation = async (call) => {
  const f = filtersOf(call.query);
  const query = withFilter(call.query);
  const limit = intParam(query, 'limit', 100, 1, 1000);
  const offset = intParam(query, 'offset', 0, 0, 100_000_000);
  const column = query.get('order_column') || 'name';
  if (!Object.hasOwn(ORDER_COLUMNS, column)) throw invalidParameterFor('order_column', Object.keys(ORDER_COLUMNS).join(', '), column);
  const desc = orderType(query) === 'desc';
  const { names } = await matchingNames(call, f, undefined);
  const total = names.length;
  const key = ORDER_COLUMNS[column] ?? null;
  let page: RepositorySummary[];
  if (key === null) {
    const ordered = desc ? names.reverse() : names;
    page = await summaries(call, ordered.slice(offset, offset + limit));
  } else {
    if (total > MAX_SORTED)
      throw invalidParameterFor('order_column', `name when more than ${MAX_SORTED} repositories match (narrow with namespace or name)`, column);
    const all = await summaries(call, names);
    all.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.name < b.name ? -1 : 1) * (desc ? -1 : 1));
    page = all.slice(offset, offset + limit);
  }
  const body = await entries(call, page, total);
  return { status: 200, body, headers: { 'content-range': `${offset}-${body.length}/${total}` } };
};

export const listReposV3: SwrOperation = async (call) => {
  const f = filtersOf(call.query);
  const limit = intParam(call.query, 'limit', 100, 1, 1000);
  const after = decodeMarker(call.query.get('marker'));
  const { names, more, resumeAfter } = await matchingNames(call, f, after, limit);
  const repos = await entries(call, await summaries(call, names), names.length);
  // Stopped at the scan bound: continue after the last name scanned (possibly with an empty page), never end silently.
  const next = resumeAfter ?? (more && names.length > 0 ? names.at(-1)! : undefined);
  return { status: 200, body: { repos, ...(next !== undefined ? { nextMarker: encodeMarker(next) } : {}) } };
};
