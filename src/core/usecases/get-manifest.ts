// Manifest GET/HEAD by tag or digest: served straight from the stored bytes; pulls are recorded in batches.
import { RegistryError } from '../errors.ts';
import { isDigest } from '../model/digest.ts';
import { parseTag } from '../model/names.ts';
import type { StoredManifest } from '../model/records.ts';
import type { UsesMeta } from './deps.ts';
import type { PullRecorder } from './pull-recorder.ts';

export async function getManifest(
  deps: UsesMeta<'getManifest' | 'findRepository'>,
  repository: string,
  reference: string,
  pulls?: PullRecorder,
): Promise<StoredManifest> {
  const ref = reference.includes(':') ? (isDigest(reference) ? { digest: reference } : null) : { tag: parseTag(reference) };
  if (!ref) throw new RegistryError('DIGEST_INVALID', `invalid digest ${reference.slice(0, 200)}`);
  const found = await deps.meta.getManifest(repository, ref);
  if (!found) {
    if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
    throw new RegistryError('MANIFEST_UNKNOWN', `manifest ${reference} is unknown to repository ${repository}`, { reference });
  }
  pulls?.record(repository, found.digest);
  return found;
}
