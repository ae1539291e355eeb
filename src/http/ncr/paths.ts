// Reads NCR's paths from the raw request target, never from the router's decoded params: imageName travels with
// "/" as %2F ("hello%2Fworld"), so each segment is split on the literal "/" first and then percent-decoded exactly
// once, after the signature was checked (only unreserved characters and imageName's %2F; "a%252Fb" keeps its "%"
// and is refused as a name). Malformed escapes and invalid names answer 400.
import { isTag, parseNamespaceName, parseRepositoryName, RegistryError } from '../../core/index.ts';
import { decodePathSegment } from '../common/path-segment.ts';
import type { NcrParams } from './context.ts';
import { badRequest } from './errors.ts';

/** The documented base paths: KR, Singapore and Japan on the public gateway, and the two government-zone ones. */
export const NCR_PREFIXES = ['/ncr/api/v2', '/ncr/sgn-api/v2', '/ncr/jpn-api/v2', '/ncr/kr/v2', '/ncr/krs/v2'] as const;

export interface Target {
  /** The path after the prefix, still percent-encoded. */
  rawPath: string;
  /** The raw query (without "?"), '' when none. */
  rawQuery: string;
}

/** Splits the raw target of a request routed under `prefix`; null when it is not under it (an absolute-form URL). */
export function splitTarget(prefix: string, url: string): Target | null {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path !== prefix && !path.startsWith(`${prefix}/`)) return null;
  return { rawPath: path.slice(prefix.length), rawQuery: q < 0 ? '' : url.slice(q + 1) };
}

/** The raw path's segments ("/repositories/reg" gives ["repositories", "reg"]), still encoded. */
export function rawSegments(rawPath: string): string[] {
  return rawPath === '' || rawPath === '/' ? [] : rawPath.slice(1).split('/');
}

/** A registry path segment: one name component (lowercase, digits, separators). */
export function registryParam(raw: string): string {
  return parseNamespaceName(decodePathSegment(raw));
}

/** `{registry}/{imageName}` with imageName decoded once; the whole must be a valid repository name. */
export function repositoryParam(registry: string, rawImage: string): { repository: string; image: string } {
  const image = decodePathSegment(rawImage, '/');
  if (image === '') throw badRequest('imageName must not be empty');
  const repository = parseRepositoryName(`${registry}/${image}`);
  return { repository, image };
}

/** A tag name (NCR's {reference} is a tag; a digest is refused, so a tag API can never delete by digest). */
export function referenceParam(raw: string): string {
  const tag = decodePathSegment(raw);
  if (!isTag(tag))
    throw new RegistryError(
      'TAG_INVALID',
      `invalid tag "${tag.slice(0, 200)}": ${tag.includes(':') ? 'digests are not tags; ' : ''}expected [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`,
    );
  return tag;
}

/** Empty params, filled per route by the dialect's router. */
export function noParams(): NcrParams {
  return { registry: '', repository: '', image: '', reference: '' };
}
