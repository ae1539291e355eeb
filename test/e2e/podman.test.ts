// podman (rootful, vfs storage in a temp root) against a real berth process: push, pull, and login with an
// access key against a server that requires auth.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImageLayout, type BuiltImage } from './fixtures/oci-layout.ts';
import { runBerth, startBerth, type RunningBerth } from './harness.ts';
import { isolatedToolEnv, skipUnless, tool, type ToolEnv } from './tools.ts';

const skip = skipUnless('podman');

describe('podman', { skip }, () => {
  let open: RunningBerth;
  let locked: RunningBerth;
  let t: ToolEnv;
  let image: BuiltImage;
  const podman = (...args: string[]) => tool('podman', [
    '--root', join(t.dir, 'root'), '--runroot', join(t.dir, 'run'), '--storage-driver', 'vfs', '--tmpdir', join(t.dir, 'tmp'), ...args,
  ], t);

  before(async () => {
    open = await startBerth();
    locked = await startBerth({ args: ['--auth', 'required'] });
    t = await isolatedToolEnv([open.host, locked.host]);
    image = await buildImageLayout(join(t.dir, 'layout'), 'v1', { seed: 'podman' });
    await podman('pull', `oci:${join(t.dir, 'layout')}:v1`);
  });
  after(async () => {
    await podman('rmi', '--all', '--force').catch(() => undefined);
    await open.dispose();
    await locked.dispose();
    await rm(t.dir, { recursive: true, force: true });
  });

  it('pushes, removes locally, pulls back the same image', async () => {
    const ref = `${open.host}/team/podman:1`;
    const { stdout: id } = await podman('images', '--quiet', '--no-trunc');
    await podman('tag', id.trim().split('\n')[0]!, ref);
    await podman('push', '--tls-verify=false', ref);
    await podman('rmi', ref);
    await podman('pull', '--tls-verify=false', ref);
    const inspected = JSON.parse((await podman('image', 'inspect', ref)).stdout) as Array<{ Digest: string; RepoDigests: string[]; Architecture: string }>;
    assert.equal(inspected[0]!.Architecture, 'amd64');
    const tags = await (await fetch(`${open.url}/v2/team/podman/tags/list`)).json() as { tags: string[] };
    assert.deepEqual(tags.tags, ['1']);
    const head = await fetch(`${open.url}/v2/team/podman/manifests/1`, { method: 'HEAD' });
    assert.ok(inspected[0]!.RepoDigests.some((d) => d.endsWith(head.headers.get('docker-content-digest')!)), 'podman records the digest berth serves');
  });

  it('logs in with an access key created while the server runs, pushes and pulls; a wrong secret is refused', async () => {
    const created = await runBerth(['key', 'create', '--name', 'podman', '--data', locked.dataDir, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    await assert.rejects(podman('login', '--tls-verify=false', '-u', key.accessKeyId, '-p', 'wrong-secret', locked.host));
    const ref = `${locked.host}/secure/app:1`;
    await assert.rejects(podman('push', '--tls-verify=false', `${open.host}/team/podman:1`, `docker://${ref}`), 'anonymous push is refused');
    await podman('login', '--tls-verify=false', '-u', key.accessKeyId, '-p', key.secretAccessKey, locked.host);
    await podman('push', '--tls-verify=false', `${open.host}/team/podman:1`, `docker://${ref}`);
    await podman('rmi', '--force', `${open.host}/team/podman:1`);
    await podman('pull', '--tls-verify=false', ref);
    const anonymous = await fetch(`${locked.url}/v2/secure/app/manifests/1`);
    assert.equal(anonymous.status, 401);
    assert.ok(image.manifestDigest.startsWith('sha256:'));
  });
});
