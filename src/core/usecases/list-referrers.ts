// Referrers API: an OCI index of the manifests whose subject is a digest, built from indexed columns only.
import { RegistryError } from '../errors.ts';
import { parseDigest } from '../model/digest.ts';
import type { Descriptor } from '../model/manifest.ts';
import { OCI_INDEX } from '../model/media-types.ts';
import type { UsesMeta } from './deps.ts';

export interface ReferrersIndex {
  schemaVersion: 2;
  mediaType: typeof OCI_INDEX;
  manifests: Descriptor[];
}

export async function listReferrers(
  deps: UsesMeta<'findRepository' | 'listReferrers'>,
  repository: string,
  subjectParam: string,
  artifactType: string | undefined,
): Promise<{ index: ReferrersIndex; filtered: boolean }> {
  const subject = parseDigest(subjectParam);
  if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  const all = await deps.meta.listReferrers(repository, subject);
  const chosen = artifactType ? all.filter((m) => m.artifactType === artifactType) : all;
  const manifests = chosen.map(
    (m): Descriptor => ({
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.size,
      ...(m.artifactType ? { artifactType: m.artifactType } : {}),
      ...(m.annotations ? { annotations: m.annotations } : {}),
    }),
  );
  return { index: { schemaVersion: 2, mediaType: OCI_INDEX, manifests }, filtered: artifactType !== undefined };
}
