// skopeo against a real berth process: copy in and out, inspect, list tags, multi-arch, cross-repo, delete.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImageLayout, buildMultiArchLayout } from './fixtures/oci-layout.ts';
import { startBerth, type RunningBerth } from './harness.ts';
import { isolatedToolEnv, skipUnless, tool, type ToolEnv } from './tools.ts';

const skip = skipUnless('skopeo');
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('skopeo', { skip }, () => {
  let berth: RunningBerth;
  let t: ToolEnv;
  const skopeo = (...args: string[]) => tool('skopeo', args, t);

  before(async () => {
    berth = await startBerth();
    t = await isolatedToolEnv([berth.host]);
  });
  after(async () => {
    await berth.dispose();
    await rm(t.dir, { recursive: true, force: true });
  });

  it('copies an image in; inspect --raw returns the exact manifest bytes', async () => {
    const image = await buildImageLayout(join(t.dir, 'src'), 'v1');
    await skopeo('copy', '--dest-tls-verify=false', `oci:${join(t.dir, 'src')}:v1`, `docker://${berth.host}/team/app:v1`);
    const { stdout } = await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/team/app:v1`);
    assert.equal(sha(Buffer.from(stdout)), image.manifestDigest);
    const info = JSON.parse((await skopeo('inspect', '--tls-verify=false', `docker://${berth.host}/team/app:v1`)).stdout) as { Digest: string; Architecture: string };
    assert.equal(info.Digest, image.manifestDigest);
    assert.equal(info.Architecture, 'amd64');
  });

  it('copies it back out with every blob intact', async () => {
    const out = join(t.dir, 'out');
    await skopeo('copy', '--src-tls-verify=false', `docker://${berth.host}/team/app:v1`, `oci:${out}:v1`);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const manifestDigest = index.manifests[0]!.digest;
    const manifest = await readFile(join(out, 'blobs', 'sha256', manifestDigest.slice(7)));
    assert.equal(sha(manifest), manifestDigest);
    const parsed = JSON.parse(manifest.toString()) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const d of [parsed.config.digest, ...parsed.layers.map((l) => l.digest)]) {
      assert.equal(sha(await readFile(join(out, 'blobs', 'sha256', d.slice(7)))), d);
    }
  });

  it('lists tags', async () => {
    await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${berth.host}/team/app:v1`, `docker://${berth.host}/team/app:v2`);
    const tags = JSON.parse((await skopeo('list-tags', '--tls-verify=false', `docker://${berth.host}/team/app`)).stdout) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['v1', 'v2']);
  });

  it('copies a multi-arch index with --all, children included', async () => {
    const layout = await buildMultiArchLayout(join(t.dir, 'multi'), 'multi');
    await skopeo('copy', '--all', '--dest-tls-verify=false', `oci:${join(t.dir, 'multi')}:multi`, `docker://${berth.host}/team/multi:1`);
    const raw = (await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/team/multi:1`)).stdout;
    assert.equal(sha(Buffer.from(raw)), layout.indexDigest);
    for (const child of layout.children) {
      const r = await fetch(`${berth.url}/v2/team/multi/manifests/${child.manifestDigest}`, { method: 'HEAD' });
      assert.equal(r.status, 200);
    }
    const arm = JSON.parse((await skopeo('inspect', '--tls-verify=false', '--override-arch', 'arm64', `docker://${berth.host}/team/multi:1`)).stdout) as { Architecture: string };
    assert.equal(arm.Architecture, 'arm64');
  });

  it('copies between repositories of berth (blobs are mounted, not re-uploaded) and a 20 MiB layer', async () => {
    await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${berth.host}/team/app:v1`, `docker://${berth.host}/other/app:v1`);
    const big = await buildImageLayout(join(t.dir, 'big'), 'big', { layerBytes: 20 * 1024 * 1024 });
    await skopeo('copy', '--dest-tls-verify=false', `oci:${join(t.dir, 'big')}:big`, `docker://${berth.host}/team/big:1`);
    const r = await fetch(`${berth.url}/v2/team/big/blobs/${big.layerDigests[0]}`);
    assert.equal(r.status, 200);
    assert.equal(sha(Buffer.from(await r.arrayBuffer())), big.layerDigests[0]);
  });

  it('deletes by digest; the image is gone from every tag', async () => {
    const digest = sha(Buffer.from((await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/other/app:v1`)).stdout));
    await skopeo('delete', '--tls-verify=false', `docker://${berth.host}/other/app@${digest}`);
    await assert.rejects(skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/other/app:v1`));
    await skopeo('inspect', '--raw', '--tls-verify=false', `docker://${berth.host}/team/app:v1`);
  });
});
