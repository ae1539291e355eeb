// The trash and the audit trail through the wire: deleted tags and manifests come back byte-identical through the
// berth API and the CLI while the restore window lasts, are refused clearly when it is 0, and every step is audited.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { api, assertApiError, okJson } from './berth-api-helpers.ts';
import { type RunningBerth, runBerth, startBerth } from './harness.ts';
import { ACCEPT_MANIFESTS, assertStatus, Client, MT, pushImage, putManifest, repoName, sha256 } from './oci-helpers.ts';

interface Restored {
  digest: string;
  tags: string[];
  manifests: string[];
}
interface AuditEventJson {
  id: number;
  at: string;
  principal: string;
  dialect: string;
  action: string;
  repository: string | null;
  target: string | null;
  detail: Record<string, unknown> | null;
}

describe('restore within the window', () => {
  let berth: RunningBerth;
  let c: Client;
  before(async () => {
    berth = await startBerth();
    c = new Client(berth.url);
  });
  after(async () => berth.dispose());

  const manifest = (repo: string, ref: string) => c.get(`/v2/${repo}/manifests/${ref}`, { headers: { accept: ACCEPT_MANIFESTS } });
  const tagsOf = async (repo: string): Promise<string[]> => (await c.get(`/v2/${repo}/tags/list`)).json<{ tags: string[] }>().tags;

  it('a deleted tag is listed and comes back through the API pointing at the same bytes', async () => {
    const repo = repoName('restore');
    const image = await pushImage(c, repo, 'v1');
    assertStatus((await putManifest(c, repo, 'stable', image.bytes, MT.ociManifest)).res, 201);
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/v1`), 202);
    assertStatus(await manifest(repo, 'v1'), 404);
    const { tags } = okJson<{ tags: Array<{ tag: string; digest: string; deletedAt: string }> }>(
      await api(c, 'GET', `/berth/v1/repositories/${repo}/deleted-tags`),
    );
    assert.deepEqual(
      tags.map((t) => [t.tag, t.digest]),
      [['v1', image.digest]],
    );
    assert.ok(Math.abs(Date.parse(tags[0]!.deletedAt) - Date.now()) < 60_000);
    const restored = okJson<Restored>(await api(c, 'POST', '/berth/v1/restore', { repository: repo, tag: 'v1' }));
    assert.equal(restored.digest, image.digest);
    assert.deepEqual(restored.tags, ['v1']);
    const back = await manifest(repo, 'v1');
    assertStatus(back, 200);
    assert.ok(back.body.equals(image.bytes), 'byte-identical');
    assert.deepEqual(await tagsOf(repo), ['stable', 'v1']);
    assertApiError(await api(c, 'POST', '/berth/v1/restore', { repository: repo, tag: 'v1' }), 404, 'MANIFEST_UNKNOWN');
  });

  it('a manifest deleted by digest comes back with all its tags and its referrers', async () => {
    const repo = repoName('restore');
    const image = await pushImage(c, repo, 'x');
    assertStatus((await putManifest(c, repo, 'y', image.bytes, MT.ociManifest)).res, 201);
    const sbom = await pushImage(c, repo, undefined, { emptyConfig: true, artifactType: 'application/vnd.example.sbom.v1', subject: image.descriptor });
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    assertStatus(await manifest(repo, sbom.digest), 404);
    const restored = okJson<Restored>(await api(c, 'POST', '/berth/v1/restore', { repository: repo, digest: image.digest }));
    assert.equal(restored.digest, image.digest);
    assert.deepEqual([...restored.tags].sort(), ['x', 'y']);
    assert.deepEqual([...restored.manifests].sort(), [image.digest, sbom.digest].sort());
    for (const ref of [image.digest, 'x', 'y']) {
      const res = await manifest(repo, ref);
      assertStatus(res, 200);
      assert.equal(sha256(res.body), image.digest);
    }
    const sbomBack = await manifest(repo, sbom.digest);
    assert.ok(sbomBack.body.equals(sbom.bytes));
    const referrers = (await c.get(`/v2/${repo}/referrers/${image.digest}`)).json<{ manifests: Array<{ digest: string }> }>();
    assert.deepEqual(
      referrers.manifests.map((m) => m.digest),
      [sbom.digest],
    );
  });

  it('the CLI lists restorable tags and restores a tag and a digest', async () => {
    const repo = repoName('restore');
    const image = await pushImage(c, repo, 'v1');
    const other = await pushImage(c, repo, 'v2');
    const rmTag = await runBerth(['image', 'rm', `${repo}:v1`, '--data', berth.dataDir]);
    assert.equal(rmTag.code, 0, rmTag.stderr);
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${other.digest}`), 202);
    const list = await runBerth(['restore', '--list', repo, '--data', berth.dataDir, '--json']);
    assert.equal(list.code, 0, list.stderr);
    const listed = (JSON.parse(list.stdout) as { tags: Array<{ tag: string; digest: string }> }).tags.map((t) => [t.tag, t.digest]).sort();
    assert.deepEqual(listed, [
      ['v1', image.digest],
      ['v2', other.digest],
    ]);
    const byTag = await runBerth(['restore', `${repo}:v1`, '--data', berth.dataDir, '--json']);
    assert.equal(byTag.code, 0, byTag.stderr);
    assert.equal((JSON.parse(byTag.stdout) as Restored).digest, image.digest);
    const byDigest = await runBerth(['restore', `${repo}@${other.digest}`, '--data', berth.dataDir]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    assert.match(byDigest.stdout, /restored/);
    assert.ok((await manifest(repo, 'v1')).body.equals(image.bytes));
    assert.ok((await manifest(repo, 'v2')).body.equals(other.bytes));
    const nothing = await runBerth(['restore', `${repo}:never`, '--data', berth.dataDir]);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /berth: nothing deleted/);
    assert.equal((await runBerth(['restore', `${repo}:v1`, '--list', repo, '--data', berth.dataDir])).code, 2, 'a ref and --list together is a usage error');
  });

  it('the audit trail lists deletes and restores through the API and the CLI, filtered and paged', async () => {
    const repo = repoName('audit');
    const image = await pushImage(c, repo, 'v1');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    okJson(await api(c, 'POST', '/berth/v1/restore', { repository: repo, digest: image.digest }));
    const { events } = okJson<{ events: AuditEventJson[] }>(await api(c, 'GET', `/berth/v1/audit?repository=${repo}`));
    assert.deepEqual(
      events.map((e) => e.action),
      ['manifest.restore', 'manifest.delete', 'manifest.put'],
    );
    assert.deepEqual(
      events.map((e) => e.dialect),
      ['api', 'oci', 'oci'],
    );
    assert.ok(events.every((e) => e.repository === repo && !Number.isNaN(Date.parse(e.at))));
    const deletes = okJson<{ events: AuditEventJson[] }>(await api(c, 'GET', `/berth/v1/audit?repository=${repo}&action=manifest.del`)).events;
    assert.deepEqual(
      deletes.map((e) => e.id),
      [events[1]!.id],
    );
    assert.deepEqual((deletes[0]!.detail as { tags: string[] }).tags, ['v1']);
    const page = okJson<{ events: AuditEventJson[] }>(await api(c, 'GET', `/berth/v1/audit?repository=${repo}&limit=1&before=${events[0]!.id}`)).events;
    assert.deepEqual(
      page.map((e) => e.id),
      [events[1]!.id],
    );

    const cli = await runBerth(['audit', '--repository', repo, '--data', berth.dataDir, '--json']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as { events: AuditEventJson[] }).events, events);
    const filtered = await runBerth(['audit', '--repository', repo, '--action', 'manifest.restore', '--limit', '5', '--data', berth.dataDir, '--json']);
    assert.deepEqual(
      (JSON.parse(filtered.stdout) as { events: AuditEventJson[] }).events.map((e) => e.id),
      [events[0]!.id],
    );
    const older = await runBerth(['audit', '--repository', repo, '--before', String(events[1]!.id), '--data', berth.dataDir, '--json']);
    assert.deepEqual(
      (JSON.parse(older.stdout) as { events: AuditEventJson[] }).events.map((e) => e.action),
      ['manifest.put'],
    );
    const text = await runBerth(['audit', '--repository', repo, '--data', berth.dataDir]);
    assert.match(text.stdout, /manifest\.restore/);
    assert.equal((await runBerth(['audit', '--limit', 'ten', '--data', berth.dataDir])).code, 2);
  });
});

describe('restore with deletion.restoreWindow = 0', () => {
  let berth: RunningBerth;
  let c: Client;
  before(async () => {
    berth = await startBerth({ env: { BERTH_DELETION_RESTORE_WINDOW: '0' } });
    c = new Client(berth.url);
  });
  after(async () => berth.dispose());

  it('deletes are final: nothing is listed and restore is refused with a clear message, over the API and the CLI', async () => {
    const repo = repoName('final');
    const image = await pushImage(c, repo, 'v1');
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    assert.deepEqual(okJson<{ tags: unknown[] }>(await api(c, 'GET', `/berth/v1/repositories/${repo}/deleted-tags`)).tags, []);
    const refused = assertApiError(await api(c, 'POST', '/berth/v1/restore', { repository: repo, digest: image.digest }), 404, 'MANIFEST_UNKNOWN');
    assert.match(refused.error.message, /restoreWindow is 0/);
    // The CLI reads the same config as the server (flags, env, file): here the same environment.
    const cli = await runBerth(['restore', `${repo}:v1`, '--data', berth.dataDir], { BERTH_DELETION_RESTORE_WINDOW: '0' });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /restoreWindow is 0/);
  });
});
