// Which SWR operation a raw URL names. The raw (undecoded) path is matched on purpose, as in the OCI dialect: names
// are validated from exactly what the client sent (and signed). Also decides, for the shared /v2 prefix, which
// requests are SWR's: every /v2/manage/... path except one shaped like an OCI call that is no SWR route, so OCI
// repositories whose names start with "manage/" stay reachable (see docs/SWR.md).
import { decodePathSegment } from '../common/path-segment.ts';
import { invalidParameter } from './errors.ts';

export type SwrRouteKind =
  | 'namespaces'
  | 'namespace'
  | 'repos'
  | 'repo'
  | 'tags'
  | 'tag'
  | 'retentions'
  | 'retention'
  | 'retentionHistories'
  | 'allRepos'
  | 'allReposV3'
  | 'tagsV3'
  | 'secret'
  | 'authToken';

export interface SwrRoute {
  kind: SwrRouteKind;
  namespace?: string;
  repository?: string;
  tag?: string;
  /** SWR's integer retention id, as the path spells it (checked by the operation). */
  retentionId?: string;
}

const SEG = '([^/]+)';
const NS = `/v2/manage/namespaces/${SEG}`;
const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => SwrRoute]> = [
  [/^\/v2\/manage\/namespaces\/?$/, () => ({ kind: 'namespaces' })],
  [new RegExp(`^${NS}/?$`), (m) => ({ kind: 'namespace', namespace: m[1]! })],
  [new RegExp(`^${NS}/repos/?$`), (m) => ({ kind: 'repos', namespace: m[1]! })],
  [new RegExp(`^${NS}/repos/${SEG}/?$`), (m) => ({ kind: 'repo', namespace: m[1]!, repository: m[2]! })],
  [new RegExp(`^${NS}/repos/${SEG}/tags/?$`), (m) => ({ kind: 'tags', namespace: m[1]!, repository: m[2]! })],
  [new RegExp(`^${NS}/repos/${SEG}/tags/${SEG}/?$`), (m) => ({ kind: 'tag', namespace: m[1]!, repository: m[2]!, tag: m[3]! })],
  [new RegExp(`^${NS}/repos/${SEG}/retentions/?$`), (m) => ({ kind: 'retentions', namespace: m[1]!, repository: m[2]! })],
  // Before the id route: "histories" is a path word, not a retention id.
  [new RegExp(`^${NS}/repos/${SEG}/retentions/histories/?$`), (m) => ({ kind: 'retentionHistories', namespace: m[1]!, repository: m[2]! })],
  [new RegExp(`^${NS}/repos/${SEG}/retentions/${SEG}/?$`), (m) => ({ kind: 'retention', namespace: m[1]!, repository: m[2]!, retentionId: m[3]! })],
  [/^\/v2\/manage\/repos\/?$/, () => ({ kind: 'allRepos' })],
  [/^\/v3\/manage\/repos\/?$/, () => ({ kind: 'allReposV3' })],
  [new RegExp(`^/v3/manage/namespaces/${SEG}/repos/${SEG}/tags/?$`), (m) => ({ kind: 'tagsV3', namespace: m[1]!, repository: m[2]! })],
  [/^\/v2\/manage\/utils\/secret\/?$/, () => ({ kind: 'secret' })],
  [/^\/v2\/manage\/utils\/authorizationtoken\/?$/, () => ({ kind: 'authToken' })],
];

export function matchSwrRoute(path: string): SwrRoute | null {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(path);
    if (m) return build(m);
  }
  return null;
}

/**
 * The route's names decoded once, after the signature was checked over the raw target: encoded unreserved
 * characters and SWR's "%24" (the "$" that stands for "/") become characters; anything else stays encoded, so the
 * name rules refuse it with SWR's 400 (see decodePathSegment).
 */
export function decodeRoute(route: SwrRoute): SwrRoute {
  const out: SwrRoute = { kind: route.kind };
  if (route.namespace !== undefined) out.namespace = decodePathSegment(route.namespace);
  if (route.repository !== undefined) out.repository = decodePathSegment(route.repository, '$');
  if (route.tag !== undefined) out.tag = decodePathSegment(route.tag);
  if (route.retentionId !== undefined) out.retentionId = route.retentionId;
  return out;
}

const OCI_SHAPED = /\/(?:tags\/list|manifests\/[^/]+|blobs\/uploads\/?[^/]*|blobs\/[^/]+|referrers\/[^/]+)$/;

/** Whether a request URL belongs to the SWR API (true) or is left to the OCI dialect. Cheap: every request asks. */
export function isSwrUrl(url: string): boolean {
  if (url.startsWith('/v3/manage/')) return true;
  if (!url.startsWith('/v2/manage/')) return false;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return matchSwrRoute(path) !== null || !OCI_SHAPED.test(path);
}

/**
 * Path and query. A parameter given twice is refused: SWR defines none as a list, and the signature (which sorts
 * repeated values) would not fix which of the two the operation reads.
 */
export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  if (q < 0) return { path: url, query: new URLSearchParams() };
  const query = new URLSearchParams(url.slice(q + 1));
  const seen = new Set<string>();
  for (const key of query.keys()) {
    if (seen.has(key)) throw invalidParameter(`the query parameter "${key.slice(0, 100)}" is given more than once`);
    seen.add(key);
  }
  return { path: url.slice(0, q), query };
}
