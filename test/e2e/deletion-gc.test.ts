// Online GC and fsck through the wire and the CLI: a deleted image's blob files leave the disk while a layer that
// a tagged image shares stays pullable; a dry run changes nothing; fsck finds and repairs what it can; GC shows
// in the API and in /metrics.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { api, blobFile, exists, okJson } from './berth-api-helpers.ts';
import { EMBEDDED_ONLY, type RunningBerth, runBerth, startBerth } from './harness.ts';
import { assertStatus, Client, MT, pushBlob, pushImage, repoName, sha256 } from './oci-helpers.ts';

interface Report {
  dryRun: boolean;
  blobsRemoved: number;
  bytesReclaimed: number;
  manifestsPurged: number;
  errors: number;
  startedAt: string;
  abandonedUploadsExpired?: number;
  plan?: { blobs: Array<{ digest: string; size: number }>; trash: Array<{ digest: string }> };
}
interface Fsck {
  ok: boolean;
  orphanFiles: string[];
  missingBlobs: Array<{ digest: string }>;
  repaired: { orphanFiles: number; strays: number };
  strays: Array<{ kind: string; key: string; size?: number; modifiedAt: string }>;
}

/** GC may reclaim at once and deletes are final: what these tests delete is garbage immediately. */
const ENV = { BERTH_GC_GRACE: '0', BERTH_DELETION_RESTORE_WINDOW: '0', BERTH_GC_INTERVAL: '0' };

describe('garbage collection and fsck', { skip: EMBEDDED_ONLY }, () => {
  let berth: RunningBerth;
  let c: Client;
  const cli = (...args: string[]) => runBerth([...args, '--data', berth.dataDir], ENV);
  before(async () => {
    berth = await startBerth({ env: ENV });
    c = new Client(berth.url);
  });
  after(async () => berth.dispose());

  it('berth gc reclaims the blob files of a deleted image; a shared layer of a tagged image stays pullable; --dry-run changes nothing', async () => {
    const repo = repoName('gc');
    const shared = await pushBlob(c, repo, randomBytes(4096));
    const doomed = await pushImage(c, repo, 'old', { useLayers: [shared], layers: 1, layerSize: 8192 });
    const kept = await pushImage(c, repo, 'new', { useLayers: [shared] });
    const own = [doomed.config.digest, doomed.layers[1]!.digest];
    for (const d of [...own, shared.digest]) assert.ok(await exists(blobFile(berth.dataDir, d)), `${d} is on disk`);
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${doomed.digest}`), 202);

    const dry = await cli('gc', '--dry-run', '--json');
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as Report;
    assert.equal(plan.dryRun, true);
    assert.ok(
      plan.plan!.trash.some((t) => t.digest === doomed.digest),
      'the deleted manifest would be purged from the trash',
    );
    const text = await cli('gc', '--dry-run');
    assert.match(text.stdout, /dry run: would remove .* bytes/);
    for (const d of [...own, shared.digest]) assert.ok(await exists(blobFile(berth.dataDir, d)), `a dry run leaves ${d}`);

    const run = await cli('gc', '--json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '', 'no progress output when stderr is not a terminal');
    const report = JSON.parse(run.stdout) as Report;
    assert.equal(report.dryRun, false);
    assert.ok(report.blobsRemoved >= 2, run.stdout);
    assert.ok(report.bytesReclaimed >= 8192, run.stdout);
    assert.equal(report.abandonedUploadsExpired, 0, 'the expiry step before the pass is counted in --json too');
    for (const d of own) assert.equal(await exists(blobFile(berth.dataDir, d)), false, `${d} was removed from disk`);
    assert.ok(await exists(blobFile(berth.dataDir, shared.digest)), 'the shared layer stays');
    const layer = await c.get(`/v2/${repo}/blobs/${shared.digest}`);
    assertStatus(layer, 200);
    assert.equal(sha256(layer.body), shared.digest);
    assertStatus(await c.get(`/v2/${repo}/manifests/new`, { headers: { accept: MT.ociManifest } }), 200);
    assert.equal((await c.get(`/v2/${repo}/blobs/${own[1]}`)).status, 404);
    assert.ok(kept.layers.length === 1);

    const quiet = await cli('gc');
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /^gc: removed 0 blob\(s\)/);
  });

  it('POST /berth/v1/gc runs a pass (or a dry run) and GET /berth/v1/gc reports status and queue stats', async () => {
    const repo = repoName('gc');
    const image = await pushImage(c, repo, 'v1', { layerSize: 2048 });
    assertStatus(await c.req('DELETE', `/v2/${repo}/manifests/${image.digest}`), 202);
    const dry = okJson<Report>(await api(c, 'POST', '/berth/v1/gc', { dryRun: true }));
    assert.equal(dry.dryRun, true);
    assert.ok(await exists(blobFile(berth.dataDir, image.layers[0]!.digest)));
    const real = okJson<Report>(await api(c, 'POST', '/berth/v1/gc', { grace: '0' }));
    assert.equal(real.dryRun, false);
    assert.ok(real.blobsRemoved >= 2, JSON.stringify(real));
    assert.ok(!Number.isNaN(Date.parse(real.startedAt)));
    assert.equal(await exists(blobFile(berth.dataDir, image.layers[0]!.digest)), false);
    const empty = okJson<Report>(await api(c, 'POST', '/berth/v1/gc'));
    assert.equal(empty.blobsRemoved, 0, 'a body is optional');
    const state = okJson<{ status: { running: boolean; last: Report | null; totals: { runs: number; blobsRemoved: number } }; stats: Record<string, number> }>(
      await api(c, 'GET', '/berth/v1/gc'),
    );
    assert.equal(state.status.running, false);
    assert.ok(state.status.totals.runs >= 2);
    assert.ok(state.status.totals.blobsRemoved >= 2);
    assert.equal(state.status.last?.blobsRemoved, 0);
    for (const k of ['blobsQueued', 'blobsDue', 'bytesDue', 'manifestsQueued', 'trashedManifests']) assert.equal(typeof state.stats[k], 'number', k);
  });

  it('/metrics exports the GC queue, trash and totals', async () => {
    const text = await (await c.get('/metrics')).text;
    for (const series of [
      'berth_gc_queue_length{kind="blob"}',
      'berth_gc_queue_length{kind="manifest"}',
      'berth_gc_trash_manifests',
      'berth_gc_blobs_removed_total',
      'berth_gc_reclaimed_bytes_total',
      'berth_gc_errors_total',
      'berth_gc_sweep_rate',
    ]) {
      assert.ok(text.includes(`${series} `), `${series} in /metrics`);
    }
    const runs = /^berth_gc_runs_total (\d+)$/m.exec(text);
    assert.ok(runs && Number(runs[1]) >= 2, 'the passes run through the API are counted');
    const removed = /^berth_gc_blobs_removed_total (\d+)$/m.exec(text);
    assert.ok(removed && Number(removed[1]) >= 2);
  });

  it('fsck finds a planted orphan file and repairs it; a missing blob fails it and cannot be repaired', async () => {
    const clean = await cli('fsck', '--json');
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.equal((JSON.parse(clean.stdout) as Fsck).ok, true);

    const bytes = randomBytes(1000);
    const orphan = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await mkdir(dirname(blobFile(berth.dataDir, orphan)), { recursive: true });
    await writeFile(blobFile(berth.dataDir, orphan), bytes);
    const found = await cli('fsck', '--json');
    assert.equal(found.code, 1, 'an orphan is a problem until repaired');
    assert.deepEqual((JSON.parse(found.stdout) as Fsck).orphanFiles, [orphan]);
    const repaired = await cli('fsck', '--repair', '--json');
    assert.equal(repaired.code, 0, repaired.stdout);
    assert.equal((JSON.parse(repaired.stdout) as Fsck).repaired.orphanFiles, 1);
    assert.equal(await exists(blobFile(berth.dataDir, orphan)), false);

    // A stray (a foreign name in uploads/; tmp/ is emptied by every store opening, the CLI's too) is reported only past
    // --stray-age, then removed by repair.
    await writeFile(join(berth.dataDir, 'uploads', 'killed-mid-write'), 'leftover');
    const young = await cli('fsck', '--json');
    assert.deepEqual([young.code, (JSON.parse(young.stdout) as Fsck).strays], [0, []], 'younger than the default hour: maybe in flight');
    const stray = await cli('fsck', '--stray-age', '0', '--json');
    assert.equal(stray.code, 1);
    assert.deepEqual(
      (JSON.parse(stray.stdout) as Fsck).strays.map((s) => [s.kind, s.key, s.size]),
      [['file', 'uploads/killed-mid-write', 8]],
    );
    assert.match((await cli('fsck', '--stray-age', '0')).stdout, /stray file +uploads\/killed-mid-write \(8 bytes, written /);
    const gone = await cli('fsck', '--repair', '--stray-age', '0', '--json');
    assert.deepEqual([gone.code, (JSON.parse(gone.stdout) as Fsck).repaired.strays], [0, 1], gone.stdout);
    assert.equal(await exists(join(berth.dataDir, 'uploads', 'killed-mid-write')), false);

    const repo = repoName('fsck');
    const image = await pushImage(c, repo, 'v1');
    await rm(blobFile(berth.dataDir, image.layers[0]!.digest));
    const missing = await cli('fsck');
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, new RegExp(`missing blob +${image.layers[0]!.digest}`));
    assert.match(missing.stdout, /problems remain/);
    const stillMissing = await cli('fsck', '--repair', '--json');
    assert.equal(stillMissing.code, 1, 'repair never invents bytes');
    assert.deepEqual(
      (JSON.parse(stillMissing.stdout) as Fsck).missingBlobs.map((b) => b.digest),
      [image.layers[0]!.digest],
    );
  });
});
