// Manifest PUT: the digest is computed over the exact bytes, every reference must exist, and the manifest,
// its reference index and its tag are written in one transaction.
import { RegistryError } from '../errors.ts';
import { algorithmOf, type Digest, digestOf, isDigest } from '../model/digest.ts';
import { parseManifest } from '../model/manifest.ts';
import { parseTag } from '../model/names.ts';
import type { Actor } from '../model/records.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';
import { type PushDeps, requireRepositoryForPush } from './repositories.ts';

export interface PutManifestInput {
  repository: string;
  /** Tag or digest from the URL. */
  reference: string;
  body: Uint8Array;
  /** The declared manifest type: OCI's Content-Type, ECR's imageManifestMediaType (see storedMediaType). */
  contentType: string | undefined;
  /** True where the protocol requires the declaration (OCI's PUT); otherwise an absent one defers to the body. */
  contentTypeRequired?: boolean;
  actor: Actor;
}

export interface PutManifestResult {
  digest: Digest;
  /** The media type the manifest was stored with (from its body, else the Content-Type), so callers need not read it back. */
  mediaType: string;
  subject: Digest | null;
}

export async function putManifest(
  deps: UsesMeta<'putManifest'> & Pick<RegistryDeps, 'clock' | 'limits'> & PushDeps,
  input: PutManifestInput,
): Promise<PutManifestResult> {
  if (input.body.byteLength > deps.limits.maxManifestBytes) {
    throw new RegistryError('MANIFEST_TOO_LARGE', `manifest is ${input.body.byteLength} bytes; the limit is ${deps.limits.maxManifestBytes}`);
  }
  await requireRepositoryForPush(deps, input.repository);
  const byDigest = input.reference.includes(':');
  if (byDigest && !isDigest(input.reference)) throw new RegistryError('DIGEST_INVALID', `invalid digest ${input.reference.slice(0, 200)}`);
  const tag = byDigest ? null : parseTag(input.reference);
  const digest = digestOf(input.body, byDigest ? algorithmOf(input.reference as Digest) : 'sha256');
  if (byDigest && digest !== input.reference) {
    throw new RegistryError('DIGEST_INVALID', `manifest digest is ${digest}, not ${input.reference}`, { digest: input.reference });
  }
  const parsed = parseManifest(input.body, input.contentType, { required: input.contentTypeRequired ?? false });
  const outcome = await deps.meta.putManifest({
    repository: input.repository,
    digest,
    mediaType: parsed.mediaType,
    artifactType: parsed.artifactType,
    subject: parsed.subject,
    annotations: parsed.annotations,
    body: input.body,
    blobs: parsed.blobs,
    children: parsed.children,
    tag,
    at: deps.clock.now(),
    actor: input.actor,
  });
  if (outcome.kind === 'missing') {
    const missing = [...outcome.blobs, ...outcome.manifests];
    throw new RegistryError(
      'MANIFEST_BLOB_UNKNOWN',
      `manifest references ${missing.length} unknown blob(s) or manifest(s): ${missing.slice(0, 5).join(', ')}`,
      {
        blobs: outcome.blobs,
        manifests: outcome.manifests,
      },
    );
  }
  if (outcome.kind === 'tag-immutable') {
    throw new RegistryError('TAG_IMMUTABLE', `tag ${outcome.tag} is immutable and points to ${outcome.current}`, { tag: outcome.tag, digest: outcome.current });
  }
  return { digest, mediaType: parsed.mediaType, subject: parsed.subject };
}
