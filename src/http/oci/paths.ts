// Turns a raw /v2 URL into a route. The raw (undecoded) path is used on purpose: an encoded "/" or ".." can
// never sneak into a repository name, because "%" is not in the name grammar.
import { parseRepositoryName, RegistryError } from '../../core/index.ts';

export type OciRoute =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'referrers'; name: string; digest: string };

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => OciRoute]> = [
  [/^\/v2\/?$/, () => ({ kind: 'base' })],
  [/^\/v2\/_catalog$/, () => ({ kind: 'catalog' })],
  [/^\/v2\/(.+)\/tags\/list$/, (m) => ({ kind: 'tags', name: m[1]! })],
  [/^\/v2\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: m[1]!, reference: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/?$/, (m) => ({ kind: 'uploads', name: m[1]! })],
  [/^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/, (m) => ({ kind: 'upload', name: m[1]!, id: m[2]! })],
  [/^\/v2\/(.+)\/blobs\/([^/]+)$/, (m) => ({ kind: 'blob', name: m[1]!, digest: m[2]! })],
  [/^\/v2\/(.+)\/referrers\/([^/]+)$/, (m) => ({ kind: 'referrers', name: m[1]!, digest: m[2]! })],
];

/** The route for a raw path, with a validated repository name; null when no route matches (404). */
export function matchOciRoute(path: string): OciRoute | null {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(path);
    if (!m) continue;
    const route = build(m);
    if ('name' in route) parseRepositoryName(route.name);
    const ref = 'reference' in route ? route.reference : 'digest' in route ? route.digest : null;
    if (ref?.includes('%'))
      throw new RegistryError(route.kind === 'manifest' ? 'TAG_INVALID' : 'DIGEST_INVALID', 'encoded characters are not allowed in references');
    return route;
  }
  return null;
}

/** The path alone: a URLSearchParams costs ~1 µs to build even empty, and a manifest GET reads no query. */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}
