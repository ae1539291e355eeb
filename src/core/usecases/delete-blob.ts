// Blob DELETE unlinks a blob from one repository; it is refused while a manifest there uses it, because that
// would silently break the image. The bytes go later, through garbage collection.
import { RegistryError } from '../errors.ts';
import { parseDigest } from '../model/digest.ts';
import type { Actor } from '../model/records.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

export async function deleteBlob(
  deps: UsesMeta<'unlinkBlob'> & Pick<RegistryDeps, 'clock'>,
  repository: string,
  digestParam: string,
  actor: Actor,
): Promise<void> {
  const digest = parseDigest(digestParam);
  const outcome = await deps.meta.unlinkBlob(repository, digest, actor, deps.clock.now());
  if (outcome.kind === 'unknown') throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is unknown to repository ${repository}`, { digest });
  if (outcome.kind === 'referenced') {
    throw new RegistryError('BLOB_IN_USE', `blob ${digest} is used by ${outcome.by.length} manifest(s) of ${repository}; delete them first`, {
      digest,
      manifests: outcome.by.slice(0, 20),
    });
  }
}
