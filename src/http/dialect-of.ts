// Which dialect a request belongs to, from the dialect list alone: the metric label and the shape of a bad-URL answer
// both ask, before (or without) any route matching, so neither keeps a list of its own.
import type { HttpDialect } from '../core/index.ts';
import { namedRootApi } from './common/root-api.ts';
import { DIALECTS, type Dialect } from './dialects.ts';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const BY_ROOT_API = new Map(DIALECTS.flatMap((d) => ('rootApi' in d.route ? [[d.route.rootApi, d] as const] : [])));
/** Longest prefix first, so /v2/manage (SWR) is found before /v2 (OCI). */
const BY_PREFIX: ReadonlyArray<readonly [string, Dialect]> = DIALECTS.flatMap((d) =>
  'prefixes' in d.route ? d.route.prefixes.map((p) => [p, d] as const) : [],
).sort((a, b) => b[0].length - a[0].length);

/** The dialect a request belongs to, or null when none claims it (a bare POST / that names no API, /healthz, ...). */
export function dialectFor(url: string, headers: Headers = {}): Dialect | null {
  if (url === '/' || url.startsWith('/?')) {
    // Only a call that names its API counts as that dialect; a bare POST / belongs to none.
    const api = namedRootApi(headers, url);
    return api === null ? null : (BY_ROOT_API.get(api) ?? null);
  }
  return BY_PREFIX.find(([prefix]) => url.startsWith(prefix))?.[1] ?? null;
}

/** The dialect's name as a metric label (bounded cardinality: never the repository name); "other" when none. */
export function dialectOf(url: string, headers: Headers = {}): HttpDialect | 'other' {
  return dialectFor(url, headers)?.name ?? 'other';
}
