// SWR's name rules (namespace, repository, tag) and its "$ for /" path convention, checked before anything touches
// the store, so a broken name is a 400 with SWR's code and never reaches core as something else.
import { isTag } from '../../core/index.ts';
import { invalidParameter, SWR_ERRORS, SwrError } from './errors.ts';

// One path component as SWR documents it: lowercase letters and digits, single '.' or '_', '__', or runs of '-'
// between them (the OCI grammar, which every SWR name therefore also satisfies).
const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAMESPACE_RE = new RegExp(`^(?=[a-z])${COMPONENT}$`);
const REPOSITORY_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
export const MAX_NAMESPACE = 64;
export const MAX_REPOSITORY = 128;

const shown = (v: string): string => (v.length > 200 ? `${v.slice(0, 200)}...` : v);

/** Whether a name meets SWR's namespace rules (a namespace implied by a /v2 push may not; SWR does not show those). */
export function isSwrNamespace(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAMESPACE && NAMESPACE_RE.test(name);
}

export function parseNamespace(name: string): string {
  if (name.length === 0 || name.length > MAX_NAMESPACE || !NAMESPACE_RE.test(name)) {
    throw invalidParameter(
      `invalid namespace "${shown(name)}": 1-${MAX_NAMESPACE} characters, starting with a lowercase letter, then lowercase letters, digits, '.', '_' (at most two in a row) or '-', ending with a letter or digit; separators may not be adjacent`,
    );
  }
  return name;
}

/**
 * A repository name as SWR writes it: in a path "/" travels as "$" (`team$app`; a path's "%24" was decoded to "$"
 * with the route, see decodeRoute). Returns the name with slashes (`team/app`).
 */
export function parseRepository(text: string): string {
  const name = text.replaceAll('$', '/');
  if (name.length === 0 || name.length > MAX_REPOSITORY || !REPOSITORY_RE.test(name)) {
    throw new SwrError(
      SWR_ERRORS.NAME_INVALID,
      `invalid repository name "${shown(text)}": 1-${MAX_REPOSITORY} characters of lowercase letters, digits, '.', '_', '-' and '/' (sent as '$' in paths), starting and ending with a letter or digit; separators may not be adjacent`,
    );
  }
  return name;
}

export function parseSwrTag(tag: string): string {
  if (!isTag(tag)) {
    throw new SwrError(
      SWR_ERRORS.TAG_INVALID,
      `invalid tag "${shown(tag)}": 1-128 characters of letters, digits, '.', '_' and '-', not starting with '.' or '-'`,
    );
  }
  return tag;
}

/** The berth repository an SWR namespace and repository name stand for. */
export function fullName(namespace: string, repository: string): string {
  return `${namespace}/${repository}`;
}
