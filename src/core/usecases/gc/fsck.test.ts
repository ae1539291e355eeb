// fsck over the real embedded stores (SQLite + filesystem): every kind of damage it must report, the in-flight work
// it must not mistake for damage, and a repair that removes orphans only (re-checked at removal), never metadata.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, it } from 'node:test';
import { pushBlob, pushImage, registriesClosedAfter, sha256, TEST_ACTOR, type TestRegistry } from '../../../adapters/test-helpers.ts';
import { appendChunk, type Digest, deleteManifest, type MetadataStore, type RegistryDeps, renewProcessLease, startUpload } from '../../index.ts';
import { runFsck } from './index.ts';

/** No marker counts as abandoned: a claim must wait for any purge. */
const NEVER_STALE = new Date(0);

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

describe('runFsck over the real stores', () => {
  const open = registriesClosedAfter();
  let reg: TestRegistry;
  let deps: RegistryDeps;

  /** Bytes committed to the blob store with no metadata at all: what a crash or a bug could leave. */
  const strayFile = async (content: string): Promise<Digest> => {
    const bytes = new TextEncoder().encode(content);
    const id = randomUUID();
    await deps.blobs.createUpload(id);
    const { ref } = await deps.blobs.appendUpload(id, 0, once(bytes));
    await deps.blobs.commitUpload(id, bytes.byteLength, sha256(bytes), [{ offset: 0, size: bytes.byteLength, ref }]);
    return sha256(bytes);
  };

  beforeEach(async () => {
    reg = await open({ restoreWindowMs: 3_600_000 });
    deps = reg.deps;
  });

  it('finds nothing wrong in a healthy store, including work in flight (sessions, claims, purges) and the trash', async () => {
    // The staleness of a purge marker is judged by the store against the wall clock: start this registry's clock there.
    reg = await open({ restoreWindowMs: 3_600_000, start: new Date() });
    deps = reg.deps;
    const [config, layer] = [await pushBlob(deps, 'fsck/app', '{"ok":1}'), await pushBlob(deps, 'fsck/app', 'healthy layer')];
    await pushImage(deps, 'fsck/app', 'v1', config, [layer]);
    await deleteManifest(deps, 'fsck/app', await pushImage(deps, 'fsck/app', 'old', config, []), TEST_ACTOR);
    const session = await startUpload(deps, 'fsck/app');
    // A finishing upload has claimed its digest and committed the bytes, but not linked them yet.
    const claimed = await startUpload(deps, 'fsck/app');
    const inFlight = new TextEncoder().encode('being committed right now');
    const { ref } = await deps.blobs.appendUpload(claimed.id, 0, once(inFlight));
    assert.equal(await deps.meta.claimUploadDigest(claimed.id, sha256(inFlight), deps.clock.now(), NEVER_STALE), 'claimed');
    await deps.blobs.commitUpload(claimed.id, inFlight.byteLength, sha256(inFlight), [{ offset: 0, size: inFlight.byteLength, ref }]);
    // A sweeper has purged these rows and is about to remove the bytes.
    const purging = await pushBlob(deps, 'fsck/app', 'being purged right now');
    reg.clock.advance(3_600_000);
    assert.equal((await deps.meta.beginBlobPurge([purging.digest], deps.clock.now(), deps.clock.now(), 'gc-test')).length, 1);
    // The sessions' process is alive: its lease is fresh.
    await renewProcessLease(deps);
    const report = await runFsck(deps, { repair: false });
    assert.deepEqual(report, {
      blobsChecked: 2,
      filesChecked: 4,
      manifestsChecked: 2,
      missingBlobs: [],
      wrongSizes: [],
      orphanFiles: [],
      orphanUploads: [],
      abandonedUploads: [],
      strays: [],
      manifestMismatches: [],
      integrity: [],
      repaired: { orphanFiles: 0, orphanUploads: 0, abandonedUploads: 0, strays: 0 },
      ok: true,
    });
    assert.ok(await deps.meta.getUpload(session.id), 'untouched');
  });

  it('lists a purge a killed sweeper left (marker past its lease) as pending work, without calling the store unhealthy', async () => {
    const left = await pushBlob(deps, 'fsck/stale', 'a killed sweeper was removing this');
    reg.clock.advance(3_600_000);
    // Begun an hour before the wall clock: long past the lease, as after a SIGKILL on a slow machine.
    const longAgo = new Date(Date.now() - 3_600_000);
    assert.equal((await deps.meta.beginBlobPurge([left.digest], deps.clock.now(), longAgo, 'gc-killed')).length, 1);
    const report = await runFsck(deps, { repair: false });
    assert.deepEqual(
      report.integrity.map((i) => [i.kind, i.target]),
      [['stale-purge', left.digest]],
    );
    assert.equal(report.ok, true);
  });

  it('reports missing files, wrong sizes, orphan files and upload areas, corrupt manifest bodies and broken references', async () => {
    const [config, gone, short] = [
      await pushBlob(deps, 'fsck/app', '{"c":1}'),
      await pushBlob(deps, 'fsck/app', 'file deleted'),
      await pushBlob(deps, 'fsck/app', 'file truncated'),
    ];
    const image = await pushImage(deps, 'fsck/app', 'v1', config, [gone, short]);
    const trashed = await pushImage(deps, 'fsck/app', 'old', config, []);
    await deleteManifest(deps, 'fsck/app', trashed, TEST_ACTOR);
    await reg.damageBlob(gone.digest, null);
    await reg.damageBlob(short.digest, 'file');
    const orphan = await strayFile('nobody knows these bytes');
    const area = randomUUID();
    await deps.blobs.createUpload(area);
    const corrupt = Buffer.from('{"schemaVersion":2,"tampered":true}');
    reg.sql('UPDATE manifests SET body = ? WHERE digest = ?', corrupt, image);
    const repoId = (await deps.meta.findRepository('fsck/app'))!.id;
    reg.sql('INSERT INTO tags (repo_id, name, digest, updated_at) VALUES (?, ?, ?, 0)', repoId, 'points-at-trash', trashed);

    const report = await runFsck(deps, { repair: false });
    assert.deepEqual(report.missingBlobs, [gone]);
    assert.deepEqual(report.wrongSizes, [{ digest: short.digest, expected: short.size, actual: 4 }]);
    assert.deepEqual(report.orphanFiles, [orphan]);
    assert.deepEqual(report.orphanUploads, [area]);
    assert.deepEqual(report.manifestMismatches, [{ repository: 'fsck/app', digest: image, actual: sha256(corrupt) }]);
    assert.deepEqual(
      report.integrity.map((i) => [i.kind, i.repository, i.target]),
      [['dangling-tag', 'fsck/app', `points-at-trash -> ${trashed}`]],
    );
    assert.deepEqual([report.blobsChecked, report.manifestsChecked, report.ok], [3, 2, false]);
  });

  it('repair removes orphan files and upload areas only, and never touches metadata or damaged blobs', async () => {
    const [config, short] = [await pushBlob(deps, 'fsck/app', '{"r":1}'), await pushBlob(deps, 'fsck/app', 'truncated later')];
    const image = await pushImage(deps, 'fsck/app', 'v1', config, [short]);
    await reg.damageBlob(short.digest, 'x');
    reg.sql('UPDATE manifests SET body = ? WHERE digest = ?', Buffer.from('{}'), image);
    const orphan = await strayFile('orphan bytes');
    const area = randomUUID();
    await deps.blobs.createUpload(area);
    const live = await startUpload(deps, 'fsck/app');

    const repaired = await runFsck(deps, { repair: true });
    assert.deepEqual(repaired.repaired, { orphanFiles: 1, orphanUploads: 1, abandonedUploads: 0, strays: 0 });
    assert.equal(repaired.ok, false, 'what repair does not fix is still reported');
    assert.equal(await deps.blobs.stat(orphan), null, 'the orphan file is gone');
    assert.equal(await deps.meta.blobState(orphan), 'unknown', 'and its purge marker too');
    const areas: string[] = [];
    for await (const id of deps.blobs.listUploads()) areas.push(id);
    assert.deepEqual(areas, [live.id], 'the orphan area is gone, the live session keeps its area');
    assert.equal(await deps.blobs.stat(short.digest), 1, 'a damaged blob is reported, never removed');
    assert.deepEqual(
      await deps.meta.listBlobRecords(undefined, 10),
      [config, short].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    );
    assert.ok(await deps.meta.getManifest('fsck/app', { tag: 'v1' }), 'the corrupt manifest row stays for a person to look at');

    const again = await runFsck(deps, { repair: false });
    assert.deepEqual([again.orphanFiles, again.orphanUploads, again.wrongSizes.length, again.manifestMismatches.length], [[], [], 1, 1]);
  });

  it('reports the sessions of a dead process (areas and claimed commits) and repair removes them; a live one stays', async () => {
    const dead: RegistryDeps = { ...deps, processId: 'dead-process' };
    const live: RegistryDeps = { ...deps, processId: 'live-process' };
    await renewProcessLease(dead);
    await renewProcessLease(live);
    const partial = await startUpload(dead, 'fsck/lease');
    await appendChunk(dead, 'fsck/lease', partial.id, { body: once(new TextEncoder().encode('half an upload')) });
    // Killed between committing the bytes and linking them: the claim keeps them from being an orphan file.
    const claimed = await startUpload(dead, 'fsck/lease');
    const bytes = new TextEncoder().encode('committed, never linked');
    const { ref } = await dead.blobs.appendUpload(claimed.id, 0, once(bytes));
    assert.equal(await deps.meta.claimUploadDigest(claimed.id, sha256(bytes), deps.clock.now(), NEVER_STALE), 'claimed');
    await deps.blobs.commitUpload(claimed.id, bytes.byteLength, sha256(bytes), [{ offset: 0, size: bytes.byteLength, ref }]);
    const kept = await startUpload(live, 'fsck/lease');
    reg.clock.advance(10_000);
    const early = await runFsck(deps, { repair: false, ownerLeaseMs: 30_000 });
    assert.deepEqual([early.abandonedUploads, early.ok], [[], true], 'within the lease nobody is known dead');
    reg.clock.advance(50_000);
    await renewProcessLease(live);

    const report = await runFsck(deps, { repair: false, ownerLeaseMs: 30_000 });
    assert.deepEqual([report.abandonedUploads.sort(), report.ok], [[partial.id, claimed.id].sort(), false]);
    const repaired = await runFsck(deps, { repair: true, ownerLeaseMs: 30_000 });
    assert.deepEqual([repaired.repaired.abandonedUploads, repaired.ok], [2, true]);
    assert.equal(await deps.blobs.stat(sha256(bytes)), null, 'the claimed commit went through a purge marker');
    const areas: string[] = [];
    for await (const id of deps.blobs.listUploads()) areas.push(id);
    assert.deepEqual(areas, [kept.id]);
    assert.ok(await deps.meta.getUpload(kept.id));
    const again = await runFsck(deps, { repair: false, ownerLeaseMs: 30_000 });
    assert.deepEqual([again.abandonedUploads, again.orphanFiles, again.orphanUploads, again.ok], [[], [], [], true]);
  });

  it('a store with only orphans is healthy after repair', async () => {
    const orphan = await strayFile('only an orphan');
    const report = await runFsck(deps, { repair: true });
    assert.deepEqual([report.orphanFiles, report.repaired.orphanFiles, report.ok], [[orphan], 1, true]);
    assert.equal((await runFsck(deps, { repair: false })).ok, true);
  });

  it('repair re-checks each orphan at removal: bytes an upload claimed or linked meanwhile stay', async () => {
    const content = 'orphan until an upload of the same bytes finishes';
    const orphan = await strayFile(content);
    let linked = false;
    const meta: MetadataStore = {
      ...deps.meta,
      // Between fsck's listing and its repair, a client pushes exactly these bytes.
      beginOrphanPurge: async (digests, at) => {
        if (!linked) {
          linked = true;
          await pushBlob(deps, 'fsck/app', content);
        }
        return deps.meta.beginOrphanPurge(digests, at, 'gc-test');
      },
    };
    const report = await runFsck({ ...deps, meta }, { repair: true });
    assert.deepEqual([report.orphanFiles, report.repaired.orphanFiles], [[orphan], 0]);
    assert.equal(await deps.blobs.stat(orphan), new TextEncoder().encode(content).byteLength, 'the pushed blob keeps its bytes');
    assert.ok(await deps.meta.findBlob('fsck/app', orphan));
  });
});
