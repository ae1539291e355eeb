// Platforms of an image read from its config blob or an index's entries, with bounded reads: what NCR's tag listing shows.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openTestRegistry, pushBlob, pushImage, sha256, TEST_ACTOR, type TestRegistry } from '../../adapters/test-helpers.ts';
import { ConfigPlatforms } from './config-platforms.ts';
import { configOf, configPlatform, imagePlatforms, indexEntries, MAX_INDEX_ENTRIES, platformOf } from './image-platforms.ts';
import { putManifest } from './put-manifest.ts';

const enc = (v: unknown): Uint8Array => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const BLANK = { architecture: '', os: '', variant: '', osVersion: '', osFeatures: [], features: [] };

describe('platform parsing', () => {
  it('reads the OCI platform fields of a config or an index entry, and ignores wrong types', () => {
    assert.deepEqual(
      platformOf({ architecture: 'arm64', os: 'linux', variant: 'v8', 'os.version': '10.0.1', 'os.features': ['win32k', 3], features: ['sse4'] }),
      { architecture: 'arm64', os: 'linux', variant: 'v8', osVersion: '10.0.1', osFeatures: ['win32k'], features: ['sse4'] },
    );
    assert.deepEqual(platformOf({ architecture: 5, os: null }), BLANK);
    assert.deepEqual(configPlatform(enc('not json')), BLANK);
    assert.deepEqual(configPlatform(enc({ architecture: 'amd64', os: 'linux', rootfs: {} })).architecture, 'amd64');
  });

  it('finds the config descriptor and the well-formed index entries, bounded', () => {
    const digest = sha256('x');
    assert.deepEqual(configOf(enc({ config: { digest, size: 12 } })), { digest, size: 12 });
    assert.equal(configOf(enc({ config: { digest: 'sha256:short', size: 1 } })), null);
    assert.equal(configOf(enc([])), null);
    const entries = indexEntries(
      enc({ manifests: [{ digest, size: 3, mediaType: 'm', platform: { architecture: 'riscv64', os: 'linux' } }, { digest: 'nope' }, 7] }),
    );
    assert.deepEqual(entries, [{ digest, size: 3, mediaType: 'm', platform: { ...BLANK, architecture: 'riscv64', os: 'linux' } }]);
    const many = indexEntries(enc({ manifests: Array.from({ length: MAX_INDEX_ENTRIES + 5 }, () => ({ digest, size: 1 })) }));
    assert.equal(many.length, MAX_INDEX_ENTRIES);
  });
});

describe('imagePlatforms over a real store', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await openTestRegistry();
  });
  after(async () => reg.close());

  it('an image manifest: platform from its config blob, size of config plus layers, its own times', async () => {
    const config = await pushBlob(reg.deps, 'team/app', JSON.stringify({ architecture: 'arm', os: 'linux', variant: 'v7' }));
    const layer = await pushBlob(reg.deps, 'team/app', 'layer-bytes');
    const digest = await pushImage(reg.deps, 'team/app', 'v1', config, [layer]);
    const manifest = (await reg.deps.meta.getManifest('team/app', { digest }))!;
    const [image, ...rest] = await imagePlatforms(reg.deps, 'team/app', manifest);
    assert.equal(rest.length, 0);
    assert.deepEqual(image!.platform, { ...BLANK, architecture: 'arm', os: 'linux', variant: 'v7' });
    assert.equal(image!.size, config.size + layer.size);
    assert.equal(image!.digest, digest);
    assert.deepEqual(image!.pushedAt, manifest.pushedAt);
  });

  it('an index: one entry per child with the platform the index states and the child image size; a missing config is blank', async () => {
    const config = await pushBlob(reg.deps, 'team/multi', '{}');
    const layer = await pushBlob(reg.deps, 'team/multi', 'abcdef');
    const child = await pushImage(reg.deps, 'team/multi', null, config, [layer]);
    const childSize = (await reg.deps.meta.getManifest('team/multi', { digest: child }))!.size;
    const body = enc({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: child, size: childSize, platform: { architecture: 's390x', os: 'linux' } },
      ],
    });
    await putManifest(reg.deps, {
      repository: 'team/multi',
      reference: 'idx',
      body,
      contentType: 'application/vnd.oci.image.index.v1+json',
      actor: TEST_ACTOR,
    });
    const index = (await reg.deps.meta.getManifest('team/multi', { tag: 'idx' }))!;
    const images = await imagePlatforms(reg.deps, 'team/multi', index);
    assert.deepEqual(
      images.map((i) => [i.digest, i.platform.architecture, i.size]),
      [[child, 's390x', 2 + 6]],
    );
    const childManifest = (await reg.deps.meta.getManifest('team/multi', { digest: child }))!;
    assert.deepEqual((await imagePlatforms(reg.deps, 'team/multi', childManifest))[0]!.platform, BLANK, 'config "{}" names no platform');
  });

  it('reads a config from storage once per digest, still only where the repository holds it; a failed read is not remembered', async () => {
    const config = await pushBlob(reg.deps, 'team/cached', JSON.stringify({ architecture: 'ppc64le', os: 'linux' }));
    const digest = await pushImage(reg.deps, 'team/cached', 'v1', config, [await pushBlob(reg.deps, 'team/cached', 'l1')]);
    const manifest = (await reg.deps.meta.getManifest('team/cached', { digest }))!;
    let opens = 0;
    let failNext = true;
    const deps = {
      meta: reg.deps.meta,
      blobs: {
        open: async (...args: Parameters<typeof reg.deps.blobs.open>) => {
          opens++;
          if (failNext) {
            failNext = false;
            return null; // bytes missing from storage this once
          }
          return reg.deps.blobs.open(...args);
        },
      },
    };
    const known = new ConfigPlatforms();
    const arch = async (repository: string) => (await imagePlatforms(deps, repository, manifest, known))[0]!.platform.architecture;
    assert.equal(await arch('team/cached'), '', 'unreadable bytes: blank');
    assert.equal(await arch('team/cached'), 'ppc64le', 'read again after the failure');
    assert.equal(await arch('team/cached'), 'ppc64le');
    assert.equal(opens, 2, 'the third listing came from the cache');
    assert.equal(await arch('team/elsewhere'), '', 'a repository without the config gets no platform, cached or not');
    assert.equal(opens, 2);
  });
});
