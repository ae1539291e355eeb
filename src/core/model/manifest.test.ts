import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from './manifest.ts';
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from './media-types.ts';

const d = (c: string): string => `sha256:${c.repeat(64)}`;
const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
const image = (extra: Record<string, unknown> = {}) => ({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d('a'), size: 10 },
  layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d('b'), size: 20 }],
  ...extra,
});
const invalid = (e: Error & { code?: string }): boolean => e.code === 'MANIFEST_INVALID';

describe('parseManifest', () => {
  it('indexes config and layers of an image manifest', () => {
    const p = parseManifest(bytes(image()), OCI_MANIFEST);
    assert.deepEqual(p.blobs, [d('a'), d('b')]);
    assert.equal(p.artifactType, 'application/vnd.oci.image.config.v1+json');
    assert.equal(p.subject, null);
  });
  it('keeps artifactType and subject', () => {
    const p = parseManifest(bytes(image({ artifactType: 'application/x.sig', subject: { mediaType: OCI_MANIFEST, digest: d('c'), size: 5 } })), undefined);
    assert.equal(p.artifactType, 'application/x.sig');
    assert.equal(p.subject, d('c'));
  });
  it('lists index children and skips foreign layers', () => {
    const idx = parseManifest(bytes({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: OCI_MANIFEST, digest: d('e'), size: 1 }] }), OCI_INDEX);
    assert.deepEqual(idx.children, [d('e')]);
    const foreign = image({
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('f'), size: 1, urls: ['x'] }],
      mediaType: DOCKER_MANIFEST,
    });
    assert.deepEqual(parseManifest(bytes(foreign), DOCKER_MANIFEST).blobs, [d('a')]);
  });
  it('rejects junk', () => {
    assert.throws(() => parseManifest(new TextEncoder().encode('{'), OCI_MANIFEST), invalid);
    assert.throws(() => parseManifest(bytes([1]), OCI_MANIFEST), invalid);
    assert.throws(() => parseManifest(bytes({ ...image(), schemaVersion: 1 }), OCI_MANIFEST), invalid);
    assert.throws(() => parseManifest(bytes(image({ layers: [{ mediaType: 'x', digest: 'sha256:bad', size: 1 }] })), OCI_MANIFEST), invalid);
    assert.throws(() => parseManifest(bytes(image({ layers: [{ mediaType: 'x', digest: d('b'), size: -1 }] })), OCI_MANIFEST), invalid);
    assert.throws(() => parseManifest(bytes(image()), OCI_INDEX), invalid, 'Content-Type disagreeing with mediaType');
    assert.throws(() => parseManifest(bytes({ schemaVersion: 2, mediaType: 'application/x' }), undefined), invalid);
  });
});
