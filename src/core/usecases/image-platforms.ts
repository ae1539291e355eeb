// Which platforms a tagged manifest runs on and what each weighs, for the cloud APIs' per-tag image lists (NCR's
// images[], Docker Hub style): an image manifest's config blob names its platform, an index's entries name theirs.
// Reads are bounded (config size, number of entries), and a missing or unreadable config leaves the platform blank
// rather than failing a listing. A config's platform is read from storage once per digest (config-platforms.ts).
import type { Readable } from 'node:stream';
import { isRegistryError } from '../errors.ts';
import { type Digest, isDigest } from '../model/digest.ts';
import { imageFacts } from '../model/image-facts.ts';
import { isIndexMediaType } from '../model/media-types.ts';
import type { StoredManifest } from '../model/records.ts';
import { type ConfigPlatforms, configPlatforms } from './config-platforms.ts';
import type { UsesMeta } from './deps.ts';
import { type OpenBlobDeps, statBlob } from './read-blob.ts';

export interface Platform {
  architecture: string;
  os: string;
  variant: string;
  osVersion: string;
  osFeatures: string[];
  features: string[];
}

export interface PlatformImage {
  /** The image manifest itself, or the index entry's child. */
  digest: Digest;
  mediaType: string;
  /** What a pull of this one image downloads (config plus layers); the descriptor's size for a child berth lacks. */
  size: number;
  platform: Platform;
  /** Null for an index entry whose child is not stored in the repository. */
  pushedAt: Date | null;
  lastPulledAt: Date | null;
}

export interface IndexEntry {
  digest: Digest;
  mediaType: string;
  size: number;
  platform: Platform;
}

/** A config larger than this is not read (real ones are a few KiB; the limit keeps a listing's memory bounded). */
export const MAX_CONFIG_BYTES = 1 << 20;
/** Entries of an index reported per tag; a bigger index is cut here. */
export const MAX_INDEX_ENTRIES = 128;

const str = (v: unknown): string => (typeof v === 'string' ? v.slice(0, 256) : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(0, 64) : []);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The platform fields of an image config or of an index entry's `platform` (the same names in both). */
export function platformOf(doc: unknown): Platform {
  const d = isObject(doc) ? doc : {};
  return {
    architecture: str(d.architecture),
    os: str(d.os),
    variant: str(d.variant),
    osVersion: str(d['os.version']),
    osFeatures: strings(d['os.features']),
    features: strings(d.features),
  };
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return null;
  }
}

/** The platform an image config blob declares; blank fields when it is not JSON or declares none (Helm, artifacts). */
export function configPlatform(body: Uint8Array): Platform {
  return platformOf(parseJson(body));
}

/** The config descriptor of an image manifest body, or null. */
export function configOf(body: Uint8Array): { digest: Digest; size: number } | null {
  const doc = parseJson(body);
  const config = isObject(doc) ? doc.config : null;
  if (!isObject(config) || typeof config.digest !== 'string' || !isDigest(config.digest)) return null;
  const size = typeof config.size === 'number' && Number.isSafeInteger(config.size) && config.size >= 0 ? config.size : 0;
  return { digest: config.digest, size };
}

/** An index's well-formed entries with their platforms, at most MAX_INDEX_ENTRIES. */
export function indexEntries(body: Uint8Array): IndexEntry[] {
  const doc = parseJson(body);
  const manifests = isObject(doc) && Array.isArray(doc.manifests) ? doc.manifests : [];
  const out: IndexEntry[] = [];
  for (const m of manifests) {
    if (out.length === MAX_INDEX_ENTRIES) break;
    if (!isObject(m) || typeof m.digest !== 'string' || !isDigest(m.digest)) continue;
    const size = typeof m.size === 'number' && Number.isSafeInteger(m.size) && m.size >= 0 ? m.size : 0;
    out.push({ digest: m.digest, mediaType: str(m.mediaType), size, platform: platformOf(m.platform) });
  }
  return out;
}

async function readBounded(stream: Readable, size: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Uint8Array>) {
      total += chunk.length;
      if (total > size) return null;
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks, total);
}

/**
 * The platform of an image manifest, read from its config blob in `repository`; blank when that cannot be read. The
 * repository must hold the config (as for a pull); its bytes are read only when `known` has no platform for the digest.
 */
export async function imagePlatform(deps: OpenBlobDeps, repository: string, body: Uint8Array, known: ConfigPlatforms): Promise<Platform> {
  const config = configOf(body);
  if (config === null || config.size > MAX_CONFIG_BYTES) return platformOf(null);
  try {
    const info = await statBlob(deps, repository, config.digest);
    const remembered = known.get(info.digest);
    if (remembered !== undefined) return remembered;
    if (info.size > MAX_CONFIG_BYTES) return platformOf(null);
    const stream = await deps.blobs.open(info.digest);
    if (!stream) return platformOf(null);
    const bytes = await readBounded(stream, info.size);
    if (bytes === null) return platformOf(null);
    const platform = configPlatform(bytes);
    known.set(info.digest, platform);
    return platform;
  } catch (e) {
    if (isRegistryError(e)) return platformOf(null);
    throw e;
  }
}

/**
 * The images behind one manifest: itself (an image manifest, platform from its config), or one per entry of an
 * index (platform from the entry, size and times from the child manifest when the repository holds it).
 */
export async function imagePlatforms(
  deps: UsesMeta<'getManifest'> & OpenBlobDeps,
  repository: string,
  manifest: StoredManifest,
  known: ConfigPlatforms = configPlatforms,
): Promise<PlatformImage[]> {
  if (!isIndexMediaType(manifest.mediaType)) {
    return [
      {
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        size: imageFacts(manifest, manifest.body).size,
        platform: await imagePlatform(deps, repository, manifest.body, known),
        pushedAt: manifest.pushedAt,
        lastPulledAt: manifest.lastPulledAt,
      },
    ];
  }
  const out: PlatformImage[] = [];
  for (const entry of indexEntries(manifest.body)) {
    const child = await deps.meta.getManifest(repository, { digest: entry.digest });
    out.push({
      digest: entry.digest,
      mediaType: child?.mediaType ?? entry.mediaType,
      size: child ? imageFacts(child, child.body).size : entry.size,
      platform: entry.platform,
      pushedAt: child?.pushedAt ?? null,
      lastPulledAt: child?.lastPulledAt ?? null,
    });
  }
  return out;
}
