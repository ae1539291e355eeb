// Manifest DELETE: by tag removes only that tag (or, with ECR's rule, the image it leaves untagged); by digest
// removes the manifest, its tags and the referrers whose subject it is. Pins are checked inside the store's
// transaction; metadata changes at once and stays restorable; bytes go through GC.
import { RegistryError } from '../errors.ts';
import type { Digest } from '../model/digest.ts';
import { isDigest } from '../model/digest.ts';
import { parseTag } from '../model/names.ts';
import type { Actor, Pin } from '../model/records.ts';
import type { AuditNote } from '../ports/metadata-store.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';
import { imageInUse, type PinPolicyDeps, pinPolicy } from './pin-policy.ts';

export interface DeleteOptions {
  /** Delete what pins protect (the dialect has checked the actor's override right). */
  breakPins?: boolean;
  /** ECR's rule: deleting the last tag of an image deletes the image. */
  dropUntagged?: boolean;
  /** Only in the repository with this id (ACR's RepoId): a newer repository of the same name is never touched. */
  onlyId?: string;
  /** Why, for the audit event (a retention run names its policy and rule). */
  note?: AuditNote;
}

export interface DeleteResult {
  manifests: Digest[];
  tags: string[];
  brokenPins: Pin[];
}

export async function deleteManifest(
  deps: UsesMeta<'findRepository' | 'deleteTag' | 'deleteManifest'> & Pick<RegistryDeps, 'clock'> & PinPolicyDeps,
  repository: string,
  reference: string,
  actor: Actor,
  options: DeleteOptions = {},
): Promise<DeleteResult> {
  if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  const at = deps.clock.now();
  const policy = pinPolicy(deps, at, options.breakPins === true);
  if (!reference.includes(':')) {
    const tag = parseTag(reference);
    const outcome = await deps.meta.deleteTag(repository, tag, actor, at, {
      policy,
      dropUntagged: options.dropUntagged === true,
      ...(options.onlyId !== undefined ? { onlyId: options.onlyId } : {}),
      ...(options.note !== undefined ? { note: options.note } : {}),
    });
    if (outcome.kind === 'unknown') throw new RegistryError('MANIFEST_UNKNOWN', `tag ${tag} is unknown to repository ${repository}`, { reference });
    if (outcome.kind === 'pinned') throw imageInUse(`${repository}:${tag} (its last tag; the image would go with it)`, outcome.pins);
    return { manifests: outcome.manifests, tags: [tag], brokenPins: outcome.brokenPins };
  }
  if (!isDigest(reference)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${reference.slice(0, 200)}`);
  const outcome = await deps.meta.deleteManifest(repository, reference, actor, at, policy, options.note);
  if (outcome.kind === 'unknown') throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} is unknown to repository ${repository}`, { reference });
  if (outcome.kind === 'pinned') throw imageInUse(`${repository}@${reference}`, outcome.pins);
  return { manifests: outcome.manifests, tags: outcome.tags, brokenPins: outcome.brokenPins };
}
