// skopeo, a real client built on containers/image, against a real berth process: push from an OCI layout,
// raw manifest bytes, config and layers back out unchanged, tags, a multi-arch index, a cross-repository
// mount, a 20 MiB layer and delete by digest.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BuiltImage, type BuiltIndex, buildImageLayout, buildMultiArchLayout, layoutEntry, readLayoutBlob, sha256 } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, skipUnless, skopeoArgs, type ToolEnv, tool, toolFails } from './fixtures/tools.ts';
import { type RunningBerth, startBerth } from './harness.ts';

const skip = skipUnless('skopeo');

describe('skopeo against berth', { skip }, () => {
  let berth: RunningBerth;
  let t: ToolEnv;
  let app: BuiltImage;
  let multi: BuiltIndex;
  let big: BuiltImage;
  const skopeo = (...args: string[]) => tool('skopeo', skopeoArgs(t, args), t);
  const fails = (...args: string[]) => toolFails('skopeo', skopeoArgs(t, args), t);
  const remote = (ref: string): string => `docker://${berth.host}/${ref}`;
  const layout = (name: string): string => join(t.dir, name);
  /** Later steps need team/app:v1 even when run alone; the first step's push is shared, not repeated. */
  let pushed: Promise<unknown> | undefined;
  const pushApp = (): Promise<unknown> => (pushed ??= skopeo('copy', '--dest-tls-verify=false', `oci:${layout('app')}:v1`, remote('team/app:v1')));

  before(async () => {
    berth = await startBerth();
    t = await isolatedToolEnv([berth.host]);
    app = await buildImageLayout(layout('app'), 'v1', { seed: 'app' });
    multi = await buildMultiArchLayout(layout('multi'), 'multi');
    big = await buildImageLayout(layout('big'), 'big', { layerBytes: 20 * 1024 * 1024 });
  });
  after(async () => {
    await berth?.dispose();
    await t?.dispose();
  });

  it('copies an OCI layout in; inspect --raw returns the exact manifest bytes and --config the exact config', async () => {
    await pushApp();
    const raw = (await skopeo('inspect', '--raw', '--tls-verify=false', remote('team/app:v1'))).raw;
    assert.equal(sha256(raw), app.manifestDigest);
    assert.ok(raw.equals(app.manifest), 'manifest bytes differ from the ones pushed');
    const config = (await skopeo('inspect', '--config', '--raw', '--tls-verify=false', remote('team/app:v1'))).raw;
    assert.ok(config.equals(app.config), 'config blob differs from the one pushed');
    const info = JSON.parse((await skopeo('inspect', '--tls-verify=false', remote('team/app:v1'))).stdout) as {
      Digest: string;
      Architecture: string;
      Os: string;
      Layers: string[];
    };
    assert.deepEqual([info.Digest, info.Architecture, info.Os, info.Layers], [app.manifestDigest, 'amd64', 'linux', app.layerDigests]);
  });

  it('copies it back out to a new OCI layout: same manifest digest, every blob byte-identical', async () => {
    await pushApp();
    await skopeo('copy', '--src-tls-verify=false', remote('team/app:v1'), `oci:${layout('app-out')}:v1`);
    assert.equal((await layoutEntry(layout('app-out'), 'v1')).digest, app.manifestDigest);
    for (const digest of [app.manifestDigest, app.configDigest, ...app.layerDigests]) {
      const [copied, original] = [await readLayoutBlob(layout('app-out'), digest), await readLayoutBlob(layout('app'), digest)];
      assert.ok(copied.equals(original), `blob ${digest} differs after the round trip`);
    }
  });

  it('lists tags after a registry-to-registry copy to a second tag', async () => {
    await pushApp();
    await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', remote('team/app:v1'), remote('team/app:v2'));
    const listed = JSON.parse((await skopeo('list-tags', '--tls-verify=false', remote('team/app'))).stdout) as { Repository: string; Tags: string[] };
    assert.deepEqual([...listed.Tags].sort(), ['v1', 'v2']);
    const v2 = (await skopeo('inspect', '--raw', '--tls-verify=false', remote('team/app:v2'))).raw;
    assert.equal(sha256(v2), app.manifestDigest, 'the copy to v2 is the same manifest');
  });

  it('copies a multi-arch index with --all: index and both children by digest, platform selection works', async () => {
    await skopeo('copy', '--all', '--dest-tls-verify=false', `oci:${layout('multi')}:multi`, remote('team/multi:1'));
    const raw = (await skopeo('inspect', '--raw', '--tls-verify=false', remote('team/multi:1'))).raw;
    assert.ok(raw.equals(multi.index), 'index bytes differ from the ones pushed');
    for (const child of multi.children) {
      const childRaw = (await skopeo('inspect', '--raw', '--tls-verify=false', remote(`team/multi@${child.manifestDigest}`))).raw;
      assert.ok(childRaw.equals(child.manifest), `child ${child.manifestDigest} bytes differ`);
    }
    const arm = JSON.parse((await skopeo('--override-arch', 'arm64', 'inspect', '--tls-verify=false', remote('team/multi:1'))).stdout) as {
      Digest: string;
      Architecture: string;
      Layers: string[];
    };
    // skopeo reports the digest of what the tag names (the index) and the layers of the platform it chose.
    assert.deepEqual([arm.Digest, arm.Architecture, arm.Layers], [multi.indexDigest, 'arm64', multi.children[1]!.layerDigests]);
    await skopeo('copy', '--all', '--src-tls-verify=false', remote('team/multi:1'), `oci:${layout('multi-out')}:multi`);
    assert.equal((await layoutEntry(layout('multi-out'), 'multi')).digest, multi.indexDigest);
    for (const digest of multi.children.flatMap((c) => [c.manifestDigest, c.configDigest, ...c.layerDigests])) {
      assert.ok((await readLayoutBlob(layout('multi-out'), digest)).equals(await readLayoutBlob(layout('multi'), digest)), `blob ${digest} differs`);
    }
  });

  it('copies between two repositories of berth by mounting the layer (POST ?mount=&from=), not re-uploading it', async () => {
    await pushApp();
    const layer = app.layerDigests[0]!;
    const absent = await fetch(`${berth.url}/v2/other/app/blobs/${layer}`, { method: 'HEAD' });
    assert.equal(absent.status, 404, 'a blob must not be visible in a repository that never received it');
    const { stderr } = await skopeo('--debug', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false', remote('team/app:v1'), remote('other/app:v1'));
    const mount = `Trying to mount /v2/other/app/blobs/uploads/?from=team%2Fapp&mount=${encodeURIComponent(layer)}`;
    assert.ok(stderr.includes(mount), `skopeo did not try the cross-repository mount:\n${stderr}`);
    assert.match(stderr, /\.\.\. mount OK/, 'berth refused the mount, so skopeo uploaded the layer again');
    assert.ok(!stderr.includes(`digest=${encodeURIComponent(layer)}`), 'the layer was uploaded again despite the mount');
    const raw = (await skopeo('inspect', '--raw', '--tls-verify=false', remote('other/app:v1'))).raw;
    assert.equal(sha256(raw), app.manifestDigest);
    const blob = await fetch(`${berth.url}/v2/other/app/blobs/${layer}`);
    assert.equal(blob.status, 200);
    assert.equal(sha256(Buffer.from(await blob.arrayBuffer())), layer);
  });

  it('pushes and pulls back an image with a 20 MiB layer, byte for byte', async () => {
    assert.ok(big.layerSizes[0]! > 20 * 1024 * 1024);
    await skopeo('copy', '--dest-tls-verify=false', `oci:${layout('big')}:big`, remote('team/big:1'));
    const head = await fetch(`${berth.url}/v2/team/big/blobs/${big.layerDigests[0]}`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), big.layerSizes[0]);
    await skopeo('copy', '--src-tls-verify=false', remote('team/big:1'), `oci:${layout('big-out')}:big`);
    const copied = await readLayoutBlob(layout('big-out'), big.layerDigests[0]!);
    assert.equal(sha256(copied), big.layerDigests[0]);
    assert.ok(copied.equals(await readLayoutBlob(layout('big'), big.layerDigests[0]!)));
  });

  it('deletes a manifest by digest: gone by tag and by digest, while another repository sharing its blobs is intact', async () => {
    await pushApp();
    await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', remote('team/app:v1'), remote('gone/app:v1'));
    await skopeo('delete', '--tls-verify=false', remote(`gone/app@${app.manifestDigest}`));
    assert.match(await fails('inspect', '--raw', '--tls-verify=false', remote('gone/app:v1')), /manifest unknown|not found/i);
    assert.match(await fails('inspect', '--raw', '--tls-verify=false', remote(`gone/app@${app.manifestDigest}`)), /manifest unknown|not found/i);
    const listed = JSON.parse((await skopeo('list-tags', '--tls-verify=false', remote('team/app'))).stdout) as { Tags: string[] };
    assert.ok(listed.Tags.includes('v1'));
    await skopeo('copy', '--src-tls-verify=false', remote('team/app:v1'), `oci:${layout('after-delete')}:v1`);
    for (const digest of [app.configDigest, ...app.layerDigests]) {
      assert.equal(sha256(await readLayoutBlob(layout('after-delete'), digest)), digest);
    }
  });
});
