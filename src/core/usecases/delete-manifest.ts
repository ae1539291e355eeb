// Manifest DELETE: by tag removes only that tag; by digest removes the manifest, all its tags and the referrers
// whose subject it is. Metadata changes in one transaction and the answer is immediate; bytes go through GC.
import { RegistryError } from '../errors.ts';
import { isDigest } from '../model/digest.ts';
import { parseTag } from '../model/names.ts';
import type { Actor } from '../model/records.ts';
import type { DeletedManifests } from '../ports/metadata-store.ts';
import type { RegistryDeps } from './deps.ts';

export async function deleteManifest(deps: RegistryDeps, repository: string, reference: string, actor: Actor): Promise<DeletedManifests> {
  if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  const at = deps.clock.now();
  if (!reference.includes(':')) {
    const tag = parseTag(reference);
    const digest = await deps.meta.deleteTag(repository, tag, actor, at);
    if (!digest) throw new RegistryError('MANIFEST_UNKNOWN', `tag ${tag} is unknown to repository ${repository}`, { reference });
    return { manifests: [], tags: [tag] };
  }
  if (!isDigest(reference)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${reference.slice(0, 200)}`);
  const deleted = await deps.meta.deleteManifest(repository, reference, actor, at);
  if (!deleted) throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} is unknown to repository ${repository}`, { reference });
  return deleted;
}
