// Repository names and tags follow the OCI distribution-spec grammar; validating once here keeps every dialect and adapter safe.
import { RegistryError } from '../errors.ts';

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

/** Returns the name or throws NAME_INVALID with a reason a person can act on. */
export function parseRepositoryName(name: string): string {
  if (!isRepositoryName(name)) {
    const shown = name.length > 300 ? `${name.slice(0, 300)}...` : name;
    const why = name.length > MAX_NAME_LENGTH ? `longer than ${MAX_NAME_LENGTH} characters` : 'does not match [a-z0-9]+((.|_|__|-+)[a-z0-9]+)*(/...)*';
    throw new RegistryError('NAME_INVALID', `invalid repository name "${shown}": ${why}`, { name: shown });
  }
  return name;
}

export function isTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function parseTag(tag: string): string {
  if (!isTag(tag)) throw new RegistryError('TAG_INVALID', `invalid tag "${tag.slice(0, 200)}"`, { tag: tag.slice(0, 200) });
  return tag;
}

/**
 * The namespace that owns a repository is its first path segment (SWR namespace, NCR registry). A single-segment
 * name ("app") belongs to no namespace: '' (the namespace APIs do not show it; OCI, ECR and ACR do).
 */
export function namespaceOf(name: string): string {
  const i = name.indexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}
