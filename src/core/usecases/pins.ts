// Deployment references: "deployment X runs this image". A pin given a tag is resolved to the digest the tag
// points at now, because a deployment runs bytes, not a name that may move.
import { RegistryError } from '../errors.ts';
import { type Digest, isDigest } from '../model/digest.ts';
import { parseTag } from '../model/names.ts';
import type { Actor, Pin } from '../model/records.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

export interface PinRequest {
  repository: string;
  /** A tag or a digest. */
  reference: string;
  reason: string;
  /** Defaults to the actor's principal. */
  owner?: string | undefined;
  /** Lifetime in milliseconds; none = until removed. */
  expiresInMs?: number | undefined;
}

const MAX_TEXT = 1024;

export async function createPin(
  deps: UsesMeta<'createPin' | 'getManifest' | 'findRepository'> & Pick<RegistryDeps, 'clock'>,
  request: PinRequest,
  actor: Actor,
): Promise<Pin> {
  const reason = request.reason.trim();
  if (reason.length === 0 || reason.length > MAX_TEXT) throw new RegistryError('INVALID_REQUEST', `a pin needs a reason of 1 to ${MAX_TEXT} characters`);
  const owner = (request.owner ?? actor.principal).trim();
  if (owner.length === 0 || owner.length > MAX_TEXT) throw new RegistryError('INVALID_REQUEST', `a pin owner must be 1 to ${MAX_TEXT} characters`);
  const expiresIn = request.expiresInMs;
  if (expiresIn !== undefined && !(Number.isSafeInteger(expiresIn) && expiresIn > 0)) {
    throw new RegistryError('INVALID_REQUEST', 'a pin expiry must be a positive duration');
  }
  const digest = await resolveReference(deps, request.repository, request.reference);
  const at = deps.clock.now();
  const outcome = await deps.meta.createPin({
    repository: request.repository,
    digest,
    reason,
    owner,
    at,
    actor,
    expiresAt: expiresIn === undefined ? null : new Date(at.getTime() + expiresIn),
  });
  if (outcome.kind === 'unknown-repository')
    throw new RegistryError('NAME_UNKNOWN', `repository ${request.repository} is not known`, { name: request.repository });
  if (outcome.kind === 'unknown-manifest') throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${digest} is unknown to repository ${request.repository}`);
  return outcome.pin;
}

async function resolveReference(deps: UsesMeta<'getManifest' | 'findRepository'>, repository: string, reference: string): Promise<Digest> {
  if (reference.includes(':')) {
    if (!isDigest(reference)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${reference.slice(0, 200)}`);
    return reference;
  }
  const found = await deps.meta.getManifest(repository, { tag: parseTag(reference) });
  if (!found) {
    if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
    throw new RegistryError('MANIFEST_UNKNOWN', `tag ${reference} is unknown to repository ${repository}`, { reference });
  }
  return found.digest;
}

export async function listPins(
  deps: UsesMeta<'listPins'> & Pick<RegistryDeps, 'clock' | 'limits'>,
  filter: { repository?: string | undefined; after?: string | undefined; limit?: number | undefined },
): Promise<Pin[]> {
  const limit = Math.min(filter.limit ?? deps.limits.maxPageSize, deps.limits.maxPageSize);
  return deps.meta.listPins({ repository: filter.repository, after: filter.after, limit, now: deps.clock.now() });
}

export async function findPin(deps: UsesMeta<'findPin'>, id: string): Promise<Pin> {
  const found = /^pin-[a-z0-9]{16}$/.test(id) ? await deps.meta.findPin(id) : null;
  if (!found) throw new RegistryError('PIN_UNKNOWN', `pin ${id.slice(0, 64)} is not known`, { id: id.slice(0, 64) });
  return found;
}

export async function deletePin(deps: UsesMeta<'deletePin'> & Pick<RegistryDeps, 'clock'>, id: string, actor: Actor): Promise<Pin> {
  const removed = /^pin-[a-z0-9]{16}$/.test(id) ? await deps.meta.deletePin(id, actor, deps.clock.now()) : null;
  if (!removed) throw new RegistryError('PIN_UNKNOWN', `pin ${id.slice(0, 64)} is not known`, { id: id.slice(0, 64) });
  return removed;
}
