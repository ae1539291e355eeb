// What the torture clients push: images that share layers from one small pool (so GC constantly races re-pushes
// of the very blobs it is reclaiming), unique layers, indexes over images, and referrers with a subject.

import { sha256 } from './http.ts';
import type { Prng } from './prng.ts';

export const MT = {
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
  empty: 'application/vnd.oci.empty.v1+json',
} as const;

export const ACCEPT = [
  MT.manifest,
  MT.index,
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface BlobSpec {
  digest: string;
  size: number;
  bytes: Buffer;
  mediaType: string;
}

export interface ManifestSpec {
  kind: 'image' | 'index' | 'referrer';
  digest: string;
  mediaType: string;
  bytes: Buffer;
  /** Config and layers (for an index: none of its own). */
  blobs: BlobSpec[];
  /** An index's children, pushed by digest before it. */
  children: ManifestSpec[];
  subject: string | null;
}

export const blobOf = (bytes: Buffer, mediaType: string = MT.layer): BlobSpec => ({ digest: sha256(bytes), size: bytes.length, bytes, mediaType });

const EMPTY = blobOf(Buffer.from('{}'), MT.empty);

/** Layers and configs every client draws from: the same bytes, hence the same digests, in many repositories. */
export class SharedPool {
  readonly layers: BlobSpec[];
  readonly configs: BlobSpec[];

  constructor(prng: Prng, layers: number, maxLayerBytes: number) {
    this.layers = Array.from({ length: layers }, () => blobOf(prng.bytes(prng.int(64, maxLayerBytes))));
    this.configs = Array.from({ length: 4 }, (_, i) =>
      blobOf(
        Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            rootfs: { type: 'layers', diff_ids: [] },
            config: { Labels: { pool: String(i) } },
          }),
        ),
        MT.config,
      ),
    );
  }
}

function manifestOf(
  kind: ManifestSpec['kind'],
  body: Record<string, unknown>,
  blobs: BlobSpec[],
  children: ManifestSpec[],
  subject: string | null,
): ManifestSpec {
  const bytes = Buffer.from(JSON.stringify(body));
  return { kind, digest: sha256(bytes), mediaType: String(body.mediaType), bytes, blobs, children, subject };
}

const descriptor = (b: { mediaType: string; digest: string; size: number }): Record<string, unknown> => ({
  mediaType: b.mediaType,
  digest: b.digest,
  size: b.size,
});

/**
 * Layers an image may draw at step `n` of its client: a window that drifts through the pool, so every pool layer
 * spends a while unused (GC reclaims it) and then comes back (clients push it again while GC may be sweeping it).
 */
export function poolWindow(pool: SharedPool, n: number, width = 6): BlobSpec[] {
  const start = (Math.floor(n / 25) * 2) % pool.layers.length;
  return Array.from({ length: Math.min(width, pool.layers.length) }, (_, i) => pool.layers[(start + i) % pool.layers.length]!);
}

/** 1-3 pool layers (from the drifting window), sometimes a unique one; a pooled config now and then, else a unique one. */
export function makeImage(prng: Prng, pool: SharedPool, label: string, maxUniqueBytes: number, n = 0): ManifestSpec {
  const config = prng.chance(0.2)
    ? prng.pick(pool.configs)
    : blobOf(
        Buffer.from(
          JSON.stringify({
            architecture: 'amd64',
            os: 'linux',
            rootfs: { type: 'layers', diff_ids: [] },
            config: { Labels: { image: label, nonce: prng.int(0, 2 ** 30) } },
          }),
        ),
        MT.config,
      );
  const layers: BlobSpec[] = [];
  const shared = prng.int(1, 3);
  const window = poolWindow(pool, n);
  while (layers.length < shared) {
    const l = prng.pick(window);
    if (!layers.includes(l)) layers.push(l);
  }
  if (prng.chance(0.5)) layers.push(blobOf(prng.bytes(prng.int(16, maxUniqueBytes))));
  const body = { schemaVersion: 2, mediaType: MT.manifest, config: descriptor(config), layers: layers.map(descriptor) };
  return manifestOf('image', body, [config, ...layers], [], null);
}

export function makeIndex(children: ManifestSpec[], label: string): ManifestSpec {
  const archs = ['amd64', 'arm64', 'riscv64', 's390x'];
  const body = {
    schemaVersion: 2,
    mediaType: MT.index,
    manifests: children.map((c, i) => ({
      ...descriptor({ mediaType: c.mediaType, digest: c.digest, size: c.bytes.length }),
      platform: { architecture: archs[i % archs.length], os: 'linux' },
    })),
    annotations: { 'org.example.label': label },
  };
  return manifestOf('index', body, [], children, null);
}

/** A signature-like artifact: empty config, one small layer (pooled or unique), and the subject it refers to. */
export function makeReferrer(prng: Prng, pool: SharedPool, subject: ManifestSpec, label: string): ManifestSpec {
  const layer = prng.chance(0.3) ? prng.pick(pool.layers) : blobOf(Buffer.from(`signature ${label} ${prng.int(0, 2 ** 30)}`));
  const body = {
    schemaVersion: 2,
    mediaType: MT.manifest,
    artifactType: prng.pick(['application/vnd.torture.sig', 'application/vnd.torture.sbom']),
    config: descriptor(EMPTY),
    layers: [descriptor(layer)],
    subject: descriptor({ mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.length }),
  };
  return manifestOf('referrer', body, [EMPTY, layer], [], subject.digest);
}
