// The command line is public interface: these tests pin its forms, exit codes and JSON output.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pushImage(url: string, repo: string, tag: string, seed: string): Promise<string> {
  const config = Buffer.from(JSON.stringify({ seed }));
  const layer = Buffer.from(`layer-${seed}`);
  for (const blob of [config, layer]) {
    const r = await fetch(`${url}/v2/${repo}/blobs/uploads/?digest=${sha(blob)}`, { method: 'POST', body: blob });
    assert.equal(r.status, 201);
  }
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length }],
  });
  const r = await fetch(`${url}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  assert.equal(r.status, 201, await r.text());
  return sha(manifest);
}

describe('berth CLI against a running server', () => {
  let berth: RunningBerth;
  before(async () => {
    berth = await startBerth();
  });
  after(async () => berth.dispose());

  it('key create --json prints a new key; key ls lists it without its secret', async () => {
    const created = await runBerth(['key', 'create', '--name', 'ci', '--grant', 'ci/*:pull', '--data', berth.dataDir, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };
    assert.match(key.accessKeyId, /^[A-Z0-9]{20}$/);
    assert.ok(key.secretAccessKey.length >= 40);
    const listed = await runBerth(['key', 'ls', '--data', berth.dataDir, '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(key.secretAccessKey), 'key ls never prints secrets');
    assert.ok(listed.stdout.includes(key.accessKeyId));
  });

  it('key create needs --grant or --admin: a key with every right is never made by accident', async () => {
    const bare = await runBerth(['key', 'create', '--name', 'oops', '--data', berth.dataDir, '--json']);
    assert.equal(bare.code, 2, bare.stdout);
    assert.match(bare.stderr, /--grant/);
    assert.match(bare.stderr, /--admin/);
    const both = await runBerth(['key', 'create', '--admin', '--grant', 'team/*:pull', '--data', berth.dataDir]);
    assert.equal(both.code, 2, both.stdout);
    const every = ['pull', 'push', 'delete', 'admin'];
    const admin = await runBerth(['key', 'create', '--name', 'root', '--admin', '--data', berth.dataDir, '--json']);
    assert.equal(admin.code, 0, admin.stderr);
    assert.deepEqual(JSON.parse(admin.stdout).grants, [{ repositories: '*', actions: every }]);
    const text = await runBerth(['key', 'create', '--name', 'root2', '--admin', '--data', berth.dataDir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /every right on every repository/);
    const team = await runBerth(['key', 'create', '--name', 'team', '--grant', 'team/*:*', '--data', berth.dataDir, '--json']);
    assert.equal(team.code, 0, team.stderr);
    assert.deepEqual(JSON.parse(team.stdout).grants, [{ repositories: 'team/*', actions: every }]);
    const listed = await runBerth(['key', 'ls', '--data', berth.dataDir]);
    assert.match(listed.stdout, /team\/\*:pull,push,delete,admin/);
  });

  it('repo ls, tag ls and image rm work on the live data', async () => {
    const digest = await pushImage(berth.url, 'cli/app', 'v1', 'a');
    await pushImage(berth.url, 'cli/app', 'v2', 'b');
    const repos = await runBerth(['repo', 'ls', '--data', berth.dataDir, '--json']);
    assert.deepEqual(JSON.parse(repos.stdout).repositories, ['cli/app']);
    const tags = await runBerth(['tag', 'ls', 'cli/app', '--data', berth.dataDir, '--json']);
    assert.deepEqual(JSON.parse(tags.stdout).tags, ['v1', 'v2']);
    // Warm the server's read cache first: what it answers after the CLI's deletes must not come from it.
    const accept = { accept: 'application/vnd.oci.image.manifest.v1+json' };
    assert.equal((await fetch(`${berth.url}/v2/cli/app/manifests/v1`, { headers: accept })).status, 200);
    assert.deepEqual(((await (await fetch(`${berth.url}/v2/cli/app/tags/list`)).json()) as { tags: string[] }).tags, ['v1', 'v2']);
    const rmTag = await runBerth(['image', 'rm', 'cli/app:v2', '--data', berth.dataDir]);
    assert.equal(rmTag.code, 0, rmTag.stderr);
    const left = (await (await fetch(`${berth.url}/v2/cli/app/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(left.tags, ['v1'], 'the server sees the CLI untag at once');
    const rmDigest = await runBerth(['image', 'rm', `cli/app@${digest}`, '--data', berth.dataDir, '--json']);
    assert.equal(rmDigest.code, 0, rmDigest.stderr);
    assert.deepEqual(JSON.parse(rmDigest.stdout).tags, ['v1']);
    assert.equal((await fetch(`${berth.url}/v2/cli/app/manifests/v1`, { headers: accept })).status, 404, 'the server sees the CLI delete at once');
  });

  it('repo rm refuses a non-empty repository unless --force, then the name is free', async () => {
    await pushImage(berth.url, 'cli/gone', 'v1', 'c');
    const refused = await runBerth(['repo', 'rm', 'cli/gone', '--data', berth.dataDir]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /still holds images/);
    const forced = await runBerth(['repo', 'rm', 'cli/gone', '--force', '--data', berth.dataDir]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await fetch(`${berth.url}/v2/cli/gone/tags/list`)).status, 404);
    await pushImage(berth.url, 'cli/gone', 'fresh', 'd');
    const tags = (await (await fetch(`${berth.url}/v2/cli/gone/tags/list`)).json()) as { tags: string[] };
    assert.deepEqual(tags.tags, ['fresh'], 'the recreated repository starts empty');
  });

  it('image rm --dry-run and repo rm --dry-run print the preview (what goes, bytes from when) and change nothing', async () => {
    const digest = await pushImage(berth.url, 'cli/dry', 'v1', 'dry-run seed');
    const own = Buffer.from(JSON.stringify({ seed: 'dry-run seed' })).length + Buffer.from('layer-dry-run seed').length;
    const text = await runBerth(['image', 'rm', `cli/dry@${digest}`, '--dry-run', '--data', berth.dataDir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /manifest\s+cli\/dry@sha256:\w+\s+target/);
    assert.match(text.stdout, /tag\s+cli\/dry:v1/);
    assert.match(text.stdout, new RegExp(`GC frees ${own} B \\(${own} bytes, 2 blob\\(s\\)\\) from \\d{4}-\\d\\d-\\d\\dT`));
    assert.match(text.stdout, /Nothing was changed/);
    const json = await runBerth(['image', 'rm', 'cli/dry:v1', '--dry-run', '--json', '--data', berth.dataDir]);
    assert.equal(json.code, 0, json.stderr);
    const tag = JSON.parse(json.stdout) as { target: { kind: string }; manifests: Array<{ digest: string; why: string }>; bytes: { reclaimable: number } };
    assert.deepEqual(tag.target, { kind: 'tag', tag: 'v1' });
    assert.deepEqual(
      tag.manifests.map((m) => [m.digest, m.why]),
      [[digest, 'untagged-by-tag-delete']],
      'its only tag: GC collects it after',
    );
    assert.equal(tag.bytes.reclaimable, own);
    const repo = await runBerth(['repo', 'rm', 'cli/dry', '--dry-run', '--json', '--data', berth.dataDir]);
    assert.equal(repo.code, 0, repo.stderr);
    assert.deepEqual(JSON.parse(repo.stdout).restorableUntil, null, 'a repository delete is final');
    assert.equal((await fetch(`${berth.url}/v2/cli/dry/manifests/v1`)).status, 200, 'nothing changed');
  });

  it('bad arguments exit non-zero with a message', async () => {
    const r = await runBerth(['image', 'rm', 'NotValid', '--data', berth.dataDir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /berth:/);
    const unknown = await runBerth(['frobnicate']);
    assert.equal(unknown.code, 2);
  });
});

describe('berth serve start-up failures', () => {
  it('exits non-zero with a clear message when the port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((res) => blocker.listen(0, '127.0.0.1', res));
    const port = (blocker.address() as { port: number }).port;
    const dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
    try {
      const r = await runBerth(['serve', '--listen', `127.0.0.1:${port}`, '--data', dir]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /already in use/);
    } finally {
      blocker.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits non-zero on a bad config and refuses a public address without auth', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cli-'));
    try {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, 'uploads:\n  idleTimeout: soon\n');
      const bad = await runBerth(['serve', '--config', file, '--data', dir]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /idleTimeout/);
      const open = await runBerth(['serve', '--listen', '0.0.0.0:0', '--auth', 'none', '--data', dir]);
      assert.notEqual(open.code, 0);
      assert.match(open.stderr, /auth|insecure/i);
      const check = await runBerth(['config', 'check', '--config', file]);
      assert.notEqual(check.code, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('config check accepts the example config', async () => {
    const r = await runBerth(['config', 'check', '--config', join(import.meta.dirname, '../../config.example.yaml'), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).listen, '127.0.0.1:5000');
  });

  it('config check never prints a database password or an S3 secret key', async () => {
    const r = await runBerth(['config', 'check', '--json'], {
      BERTH_META: 'postgres://berth:hunter2@127.0.0.1:5432/registry',
      BERTH_BLOBS: 's3://bucket?endpoint=http://127.0.0.1:9000',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('hunter2'), r.stdout);
    assert.equal(JSON.parse(r.stdout).meta.url, 'postgres://berth:<redacted>@127.0.0.1:5432/registry');
  });
});

describe('berth serve process', () => {
  it("runs file work on 16 pool threads (bin/thread-pool.js) unless the operator's UV_THREADPOOL_SIZE says otherwise", async () => {
    const threadsAfterWork = async (env: Record<string, string>): Promise<number> => {
      const berth = await startBerth({ env });
      try {
        // A blob upload touches the file system, so libuv has started its pool by the time it is answered.
        const body = Buffer.from('pool');
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        const res = await fetch(`${berth.url}/v2/pool/test/blobs/uploads/?digest=${digest}`, { method: 'POST', body });
        assert.equal(res.status, 201);
        const status = await readFile(`/proc/${berth.process.pid}/status`, 'utf8');
        return Number(/^Threads:\s+(\d+)$/m.exec(status)![1]);
      } finally {
        await berth.dispose();
      }
    };
    const four = await threadsAfterWork({ UV_THREADPOOL_SIZE: '4' });
    const byDefault = await threadsAfterWork({ UV_THREADPOOL_SIZE: '' });
    assert.ok(byDefault - four >= 12, `threads: ${byDefault} by default, ${four} with UV_THREADPOOL_SIZE=4`);
  });
});
