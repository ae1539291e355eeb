// podman (rootful, vfs storage in a temp root, private registries.conf) against a real berth process: push,
// pull back after removing every local image, and log in with an access key against `--auth required`.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BuiltImage, buildImageLayout } from './fixtures/oci-layout.ts';
import { isolatedToolEnv, podmanArgs, skipUnless, type ToolEnv, tool, toolFails } from './fixtures/tools.ts';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';

const skip = skipUnless('podman');

interface Inspected {
  Id: string;
  Digest: string;
  RepoDigests: string[];
  RepoTags: string[];
  Architecture: string;
  Os: string;
}

describe('podman against berth', { skip }, () => {
  let open: RunningBerth;
  let locked: RunningBerth;
  let t: ToolEnv;
  let image: BuiltImage;
  const podman = (...args: string[]) => tool('podman', podmanArgs(t, args), t);
  const fails = (...args: string[]) => toolFails('podman', podmanArgs(t, args), t);
  const inspect = async (ref: string): Promise<Inspected> => (JSON.parse((await podman('image', 'inspect', ref)).stdout) as Inspected[])[0]!;
  /** Loads the fixture into podman's store (again, if a test removed it) and returns the image ID. */
  const load = async (): Promise<string> => {
    const { stdout } = await podman('pull', `oci:${join(t.dir, 'layout')}:v1`);
    return stdout.trim().split('\n').at(-1)!;
  };
  const wipe = async (): Promise<void> => {
    await podman('rmi', '--all', '--force');
    assert.equal((await podman('images', '--quiet')).stdout.trim(), '', 'local store should be empty');
  };
  const served = async (berth: RunningBerth, repo: string, tag: string, auth?: string): Promise<string> => {
    const r = await fetch(`${berth.url}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json',
        ...(auth ? { authorization: auth } : {}),
      },
    });
    assert.equal(r.status, 200, `HEAD ${repo}:${tag}`);
    return r.headers.get('docker-content-digest')!;
  };

  before(async () => {
    open = await startBerth();
    locked = await startBerth({ args: ['--auth', 'required'] });
    t = await isolatedToolEnv([open.host, locked.host]);
    image = await buildImageLayout(join(t.dir, 'layout'), 'v1', { seed: 'podman' });
  });
  after(async () => {
    if (t) await podman('rmi', '--all', '--force').catch(() => undefined);
    await open?.dispose();
    await locked?.dispose();
    await t?.dispose();
  });

  it('loads the fixture from an OCI layout: the image ID is the config digest', async () => {
    assert.equal(`sha256:${await load()}`, image.configDigest);
  });

  it('tags and pushes, removes every local image, pulls it back with the digest berth serves', async () => {
    const id = await load();
    const ref = `${open.host}/team/podman:1`;
    await podman('tag', id, ref);
    await podman('push', '--tls-verify=false', ref);
    const digest = await served(open, 'team/podman', '1');
    await wipe();
    await podman('pull', '--tls-verify=false', ref);
    const pulled = await inspect(ref);
    assert.equal(`sha256:${pulled.Id}`, image.configDigest, 'the config (image ID) survived the round trip');
    assert.equal(pulled.Digest, digest, 'podman records the manifest digest berth serves');
    assert.ok(pulled.RepoDigests.includes(`${open.host}/team/podman@${digest}`), pulled.RepoDigests.join(', '));
    assert.deepEqual([pulled.Architecture, pulled.Os], ['amd64', 'linux']);
    const tags = (await (await fetch(`${open.url}/v2/team/podman/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['1']);
  });

  it('logs in with an access key made by `berth key create` while the server runs; wrong secrets and anonymous pushes are refused', async () => {
    const created = await runBerth(['key', 'create', '--admin', '--data', locked.dataDir, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    assert.ok(key.accessKeyId && key.secretAccessKey, created.stdout);

    const wrong = await fails('login', '--tls-verify=false', '-u', key.accessKeyId, '-p', `${key.secretAccessKey}x`, locked.host);
    assert.match(wrong, /401|unauthorized|invalid (username|user)\/password/i);
    const authFile = JSON.parse(await readFile(t.env.REGISTRY_AUTH_FILE!, 'utf8')) as { auths?: Record<string, unknown> };
    assert.equal(authFile.auths?.[locked.host], undefined, 'a refused login must not be saved');

    const id = await load();
    const ref = `${locked.host}/secure/app:1`;
    await podman('tag', id, ref);
    assert.match(await fails('push', '--tls-verify=false', ref), /401|unauthorized|authentication required/i, 'anonymous push');

    await podman('login', '--tls-verify=false', '-u', key.accessKeyId, '-p', key.secretAccessKey, locked.host);
    await podman('push', '--tls-verify=false', ref);
    await wipe();
    await podman('pull', '--tls-verify=false', ref);
    const basic = `Basic ${Buffer.from(`${key.accessKeyId}:${key.secretAccessKey}`).toString('base64')}`;
    const digest = await served(locked, 'secure/app', '1', basic);
    const pulled = await inspect(ref);
    assert.equal(pulled.Digest, digest);
    assert.equal(`sha256:${pulled.Id}`, image.configDigest);

    assert.equal((await fetch(`${locked.url}/v2/secure/app/manifests/1`)).status, 401, 'anonymous HTTP pull');
    await podman('logout', locked.host);
    await wipe();
    assert.match(await fails('pull', '--tls-verify=false', ref), /401|unauthorized|authentication required/i, 'pull after logout');
  });
});
