// A multi-layer OCI image layout on disk for skopeo to push through the replicas: several gzip layers (one big
// enough that its upload takes more than one request's worth of time), a config whose diff_ids match, one tag.
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzip, tarWithFile } from './fixtures/tar.ts';
import { OCI_MANIFEST, sha256 } from './replicas-http.ts';

export interface LayeredImage {
  manifestDigest: string;
  configDigest: string;
  layerDigests: string[];
}

export async function buildLayeredLayout(dir: string, tag: string, layerSizes: number[]): Promise<LayeredImage> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const put = async (bytes: Buffer): Promise<string> => {
    const digest = sha256(bytes);
    await writeFile(join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
    return digest;
  };
  const layers: Array<{ digest: string; size: number; diffId: string }> = [];
  for (const [i, size] of layerSizes.entries()) {
    const tar = tarWithFile(`layer-${i}.bin`, randomBytes(size));
    const gz = gzip(tar);
    layers.push({ digest: await put(gz), size: gz.length, diffId: sha256(tar) });
  }
  const config = Buffer.from(
    JSON.stringify({
      created: '2026-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    }),
  );
  const configDigest = await put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    }),
  );
  const manifestDigest = await put(manifest);
  await writeFile(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [{ mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length, annotations: { 'org.opencontainers.image.ref.name': tag } }],
    }),
  );
  return { manifestDigest, configDigest, layerDigests: layers.map((l) => l.digest) };
}
