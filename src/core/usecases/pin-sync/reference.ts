// Image references as platforms report them ("host:5000/team/app:v1", "docker-pullable://host/app@sha256:...",
// "nginx"), read with docker's rules, and the one question pin sync asks of each: is it an image of this registry?
import { type Digest, isDigest } from '../../model/digest.ts';
import { isRepositoryName, isTag } from '../../model/names.ts';

export interface ImageReference {
  /** Lowercase "host" or "host:port"; null for a Docker Hub short name ("nginx", "library/nginx"): never ours. */
  host: string | null;
  repository: string;
  tag: string | null;
  digest: Digest | null;
}

/** Longest reference read; real ones are a few hundred characters. */
export const MAX_REFERENCE_LENGTH = 1024;

/** A container runtime's scheme in front of an image id ("docker-pullable://", "docker://", "containerd://"). */
const RUNTIME_PREFIX = /^[a-z][a-z0-9+.-]*:\/\//;

/**
 * Reads `[host[:port]/]repository[:tag][@digest]`; null when it is not a reference (a bare "sha256:..." image id,
 * an invalid name or tag). The first path component is a host when it has a "." or ":" or is "localhost" (docker's rule).
 */
export function parseImageReference(text: string): ImageReference | null {
  if (text.length === 0 || text.length > MAX_REFERENCE_LENGTH) return null;
  const ref = text.trim().replace(RUNTIME_PREFIX, '');
  if (isDigest(ref)) return null; // a local image id (docker's non-pullable imageID), not something to resolve
  let name = ref;
  let digest: Digest | null = null;
  const at = ref.indexOf('@');
  if (at >= 0) {
    const d = ref.slice(at + 1);
    if (!isDigest(d)) return null;
    digest = d;
    name = ref.slice(0, at);
  }
  let host: string | null = null;
  const slash = name.indexOf('/');
  if (slash > 0) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      host = first.toLowerCase();
      name = name.slice(slash + 1);
    }
  }
  let tag: string | null = null;
  const colon = name.lastIndexOf(':');
  if (colon >= 0 && colon > name.lastIndexOf('/')) {
    tag = name.slice(colon + 1);
    name = name.slice(0, colon);
    if (!isTag(tag)) return null;
  }
  if (!isRepositoryName(name)) return null;
  return { host, repository: name, tag, digest };
}

/** Whether a reference names an image of this registry: its host is one of `hostNames` (compared lowercase, port included). */
export function isOurs(ref: ImageReference, hostNames: ReadonlySet<string>): boolean {
  return ref.host !== null && hostNames.has(ref.host);
}

/** The lowercase set of host names, for isOurs. */
export function hostSet(hostNames: readonly string[]): ReadonlySet<string> {
  return new Set(hostNames.map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0));
}
