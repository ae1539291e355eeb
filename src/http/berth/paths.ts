// Turns a raw /berth/v1 URL into a route. The raw (undecoded) path is matched on purpose, as for /v2: repository
// names contain "/", and an encoded "/" or ".." can never sneak into a name because "%" is not in its grammar.
import { parseNamespaceName, parseRepositoryName } from '../../core/index.ts';

export type BerthRoute =
  | { kind: 'pins' }
  | { kind: 'pin'; id: string }
  /** The source is checked by the handler, after authentication. */
  | { kind: 'pin-set'; source: string }
  | { kind: 'deleted-tags'; name: string }
  | { kind: 'restore' }
  | { kind: 'gc' }
  /** GC pass history; the id is checked by the handler, after authentication. */
  | { kind: 'gc-passes' }
  | { kind: 'gc-pass'; id: string }
  | { kind: 'gc-pass-events'; id: string }
  | { kind: 'gc-reclaimed' }
  | { kind: 'audit' }
  | { kind: 'lifecycle'; name: string }
  | { kind: 'lifecycle-preview'; name: string }
  | { kind: 'lifecycle-run'; name: string }
  | { kind: 'namespace-lifecycle'; name: string }
  | { kind: 'namespaces' }
  | { kind: 'repositories' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifests'; name: string }
  /** The digest is checked by the use case, after authentication. */
  | { kind: 'manifest'; name: string; digest: string }
  | { kind: 'delete-preview'; name: string }
  | { kind: 'deleted-manifests'; name: string }
  /** The tag is checked by the use case, after authentication. */
  | { kind: 'tag'; name: string; tag: string }
  | { kind: 'repository'; name: string }
  | { kind: 'repository-access'; name: string }
  | { kind: 'console-sessions' }
  | { kind: 'console-refresh' }
  | { kind: 'console-session' }
  | { kind: 'keys' }
  /** The id is checked by the handler, after authentication. */
  | { kind: 'key'; id: string };

const PATTERNS: Array<[RegExp, (m: RegExpExecArray) => BerthRoute]> = [
  [/^\/berth\/v1\/pins\/?$/, () => ({ kind: 'pins' })],
  [/^\/berth\/v1\/pins\/([^/]+)$/, (m) => ({ kind: 'pin', id: m[1]! })],
  [/^\/berth\/v1\/pin-sets\/([^/]+)$/, (m) => ({ kind: 'pin-set', source: m[1]! })],
  [/^\/berth\/v1\/repositories\/(.+)\/deleted-tags$/, (m) => ({ kind: 'deleted-tags', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/repositories\/(.+)\/lifecycle$/, (m) => ({ kind: 'lifecycle', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/repositories\/(.+)\/lifecycle\/preview$/, (m) => ({ kind: 'lifecycle-preview', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/repositories\/(.+)\/lifecycle\/run$/, (m) => ({ kind: 'lifecycle-run', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/namespaces\/([^/]+)\/lifecycle$/, (m) => ({ kind: 'namespace-lifecycle', name: parseNamespaceName(m[1]!) })],
  // Before the manifest route, as tags: "a/manifests/access" is the access of "a/manifests" ("access" is no digest).
  [/^\/berth\/v1\/repositories\/(.+)\/access$/, (m) => ({ kind: 'repository-access', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/namespaces\/?$/, () => ({ kind: 'namespaces' })],
  [/^\/berth\/v1\/repositories\/?$/, () => ({ kind: 'repositories' })],
  [/^\/berth\/v1\/repositories\/(.+)\/tags$/, (m) => ({ kind: 'tags', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/repositories\/(.+)\/manifests$/, (m) => ({ kind: 'manifests', name: parseRepositoryName(m[1]!) })],
  // After the two above: "a/manifests/tags" is the tag list of "a/manifests", never a manifest named "tags".
  [/^\/berth\/v1\/repositories\/(.+)\/manifests\/([^/]+)$/, (m) => ({ kind: 'manifest', name: parseRepositoryName(m[1]!), digest: m[2]! })],
  [/^\/berth\/v1\/repositories\/(.+)\/delete-preview$/, (m) => ({ kind: 'delete-preview', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/repositories\/(.+)\/deleted-manifests$/, (m) => ({ kind: 'deleted-manifests', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/repositories\/(.+)\/tags\/([^/]+)$/, (m) => ({ kind: 'tag', name: parseRepositoryName(m[1]!), tag: m[2]! })],
  // Last of the repository routes (keep it last: it takes any name the ones above do not claim, so "a/tags" stays the
  // tag list of "a"); only name characters, so a mistyped sub-path is still "no such endpoint", not a bad name.
  [/^\/berth\/v1\/repositories\/([a-z0-9][a-z0-9._/-]*)$/, (m) => ({ kind: 'repository', name: parseRepositoryName(m[1]!) })],
  [/^\/berth\/v1\/restore$/, () => ({ kind: 'restore' })],
  [/^\/berth\/v1\/gc$/, () => ({ kind: 'gc' })],
  [/^\/berth\/v1\/gc\/passes\/?$/, () => ({ kind: 'gc-passes' })],
  [/^\/berth\/v1\/gc\/passes\/([^/]+)$/, (m) => ({ kind: 'gc-pass', id: m[1]! })],
  [/^\/berth\/v1\/gc\/passes\/([^/]+)\/events$/, (m) => ({ kind: 'gc-pass-events', id: m[1]! })],
  [/^\/berth\/v1\/gc\/reclaimed$/, () => ({ kind: 'gc-reclaimed' })],
  [/^\/berth\/v1\/audit$/, () => ({ kind: 'audit' })],
  [/^\/berth\/v1\/console\/sessions$/, () => ({ kind: 'console-sessions' })],
  [/^\/berth\/v1\/console\/sessions\/refresh$/, () => ({ kind: 'console-refresh' })],
  [/^\/berth\/v1\/console\/session$/, () => ({ kind: 'console-session' })],
  [/^\/berth\/v1\/keys\/?$/, () => ({ kind: 'keys' })],
  [/^\/berth\/v1\/keys\/([^/]+)$/, (m) => ({ kind: 'key', id: m[1]! })],
];

/** The route for a raw path (the repository name already validated); null when nothing matches. */
export function matchBerthRoute(path: string): BerthRoute | null {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(path);
    if (m) return build(m);
  }
  return null;
}

export function splitUrl(url: string): { path: string; query: URLSearchParams } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: new URLSearchParams() } : { path: url.slice(0, q), query: new URLSearchParams(url.slice(q + 1)) };
}
