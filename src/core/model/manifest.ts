// Parses a pushed manifest once, at PUT time, into the facts the registry indexes; stored bytes are never re-parsed on GET.
import { RegistryError } from '../errors.ts';
import { type Digest, isDigest } from './digest.ts';
import { type DeclaredMediaTypeRule, storedMediaType } from './manifest-media-type.ts';
import { DOCKER_MANIFEST, isIndexMediaType, isNonDistributable, type ManifestMediaType, OCI_MANIFEST } from './media-types.ts';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: ManifestMediaType;
  /** artifactType as the referrers API reports it: the field, else an image manifest's config mediaType. */
  artifactType: string | null;
  subject: Digest | null;
  annotations: Record<string, string> | null;
  /** Blobs that must exist in the repository: config and distributable layers. */
  blobs: Digest[];
  /** Child manifests (index entries) that must exist in the repository. */
  children: Digest[];
}

function invalid(message: string): never {
  throw new RegistryError('MANIFEST_INVALID', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseAnnotations(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string')) invalid(`${where}.annotations must map strings to strings`);
  return v as Record<string, string>;
}

function parseDescriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) invalid(`${where} must be a descriptor object`);
  const { mediaType, digest, size, artifactType } = v;
  if (typeof mediaType !== 'string' || mediaType.length === 0) invalid(`${where}.mediaType must be a non-empty string`);
  if (typeof digest !== 'string' || !isDigest(digest)) invalid(`${where}.digest is not a valid digest`);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) invalid(`${where}.size must be a non-negative integer`);
  if (artifactType !== undefined && typeof artifactType !== 'string') invalid(`${where}.artifactType must be a string`);
  const annotations = parseAnnotations(v.annotations, where);
  return { mediaType, digest, size, ...(artifactType ? { artifactType } : {}), ...(annotations ? { annotations } : {}) };
}

function parseDescriptors(v: unknown, where: string): Descriptor[] {
  if (!Array.isArray(v)) invalid(`${where} must be an array`);
  return v.map((d, i) => parseDescriptor(d, `${where}[${i}]`));
}

/** `declared`: the Content-Type (or ECR's imageManifestMediaType); `rule` says whether it must be there (see storedMediaType). */
export function parseManifest(body: Uint8Array, declared: string | undefined, rule: DeclaredMediaTypeRule = { required: false }): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    invalid('manifest is not valid JSON');
  }
  if (!isObject(doc)) invalid('manifest must be a JSON object');
  if (doc.schemaVersion !== 2) invalid('schemaVersion must be 2 (Docker schema 1 is not supported)');
  const mediaType = storedMediaType(doc, declared, rule);
  const annotations = parseAnnotations(doc.annotations, 'manifest') ?? null;
  const subject = doc.subject === undefined ? null : parseDescriptor(doc.subject, 'subject').digest;
  if (doc.artifactType !== undefined && typeof doc.artifactType !== 'string') invalid('artifactType must be a string');
  const declaredArtifactType = (doc.artifactType as string | undefined) ?? null;

  if (isIndexMediaType(mediaType)) {
    if (doc.config !== undefined || doc.layers !== undefined) invalid('an index must not have config or layers');
    const manifests = parseDescriptors(doc.manifests, 'manifests');
    return { mediaType, artifactType: declaredArtifactType, subject, annotations, blobs: [], children: unique(manifests.map((d) => d.digest)) };
  }
  if (doc.manifests !== undefined) invalid('an image manifest must not have manifests');
  const config = parseDescriptor(doc.config, 'config');
  const layers = parseDescriptors(doc.layers ?? (mediaType === DOCKER_MANIFEST ? undefined : []), 'layers');
  const blobs = unique([config.digest, ...layers.filter((l) => !isNonDistributable(l.mediaType)).map((l) => l.digest)]);
  const artifactType = declaredArtifactType ?? (mediaType === OCI_MANIFEST ? config.mediaType : null);
  return { mediaType, artifactType, subject, annotations, blobs, children: [] };
}

function unique(digests: Digest[]): Digest[] {
  return [...new Set(digests)];
}
