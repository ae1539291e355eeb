// fsck and strays, on both blob stores: what no record or session needs and no port call made (foreign files and
// objects, scratch leftovers, multipart uploads a killed commit or append left) is reported once older than the stray
// age and removed by repair, while blobs, live sessions' areas and their unfinished appends stay untouched.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Server } from '../../test/servers.ts';
import { DEFAULT_STRAY_AGE_MS, type RegistryDeps, renewProcessLease, runFsck, startUpload, UploadHashes } from '../core/index.ts';
import { openTestStore, type TestStore } from './blob/s3/test-helpers.ts';
import { openTestRegistry, pushBlob, type TestRegistry } from './test-helpers.ts';

/** Past the stray age, as seen from the planted files' and objects' own timestamps (the stores' wall clocks). */
const later = (): Date => new Date(Date.now() + DEFAULT_STRAY_AGE_MS + 60_000);

describe('fsck strays', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  let reg: TestRegistry;
  let deps: RegistryDeps;

  beforeEach(async () => {
    reg = await openTestRegistry({ start: new Date() });
    opened.push(reg);
    deps = reg.deps;
  });
  after(async () => {
    for (const o of opened.reverse()) await o.close();
  });

  const plant = async (rel: string): Promise<string> => {
    await mkdir(join(reg.dir, rel, '..'), { recursive: true });
    await writeFile(join(reg.dir, rel), 'stray');
    return rel;
  };

  it('filesystem: reports foreign files under blobs/, uploads/ and tmp/; repair removes them and nothing else', async () => {
    const blob = await pushBlob(deps, 'fsck/strays', 'a blob that stays');
    const planted = [await plant('tmp/killed-mid-write'), await plant('blobs/sha256/zz/not-a-digest'), await plant('uploads/not-an-upload')];
    reg.clock.set(later());
    await renewProcessLease(deps);
    const live = await startUpload(deps, 'fsck/strays');

    const report = await runFsck(deps, { repair: false });
    assert.deepEqual(report.strays.map((s) => `${s.kind} ${s.key}`).sort(), planted.map((k) => `file ${k}`).sort());
    assert.deepEqual([report.orphanFiles, report.orphanUploads, report.ok], [[], [], false]);

    const repaired = await runFsck(deps, { repair: true });
    assert.deepEqual([repaired.repaired.strays, repaired.ok], [3, true]);
    const again = await runFsck(deps, { repair: false });
    assert.deepEqual([again.strays, again.ok], [[], true]);
    assert.equal(await deps.blobs.stat(blob.digest), blob.size, 'the blob stays');
    assert.ok((await collectIds(deps)).includes(live.id), "the live session's area stays");
  });

  it('a stray younger than the stray age is not reported: it may be work in flight', async () => {
    await plant('tmp/just-written');
    reg.clock.set(Date.now() + 1_000);
    assert.deepEqual((await runFsck(deps, { repair: true })).strays, []);
    assert.equal((await runFsck(deps, { repair: false, strayAgeMs: 0 })).strays.length, 1);
  });

  it('S3: reports foreign objects, unfinished copies under blobs/ and appends left in areas with no marker; repair removes them', async () => {
    const t: TestStore = await openTestStore(await s3Server());
    opened.push({ close: () => t.cleanup() });
    const s3deps: RegistryDeps = { ...deps, blobs: t.store, hashes: new UploadHashes(t.store) };
    const { bucket } = t.server;
    const object = (key: string) => t.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${t.prefix}${key}`, Body: 'x' }));
    const multipart = (key: string) => t.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: `${t.prefix}${key}` }));
    const blob = await pushBlob(s3deps, 'fsck/s3', 'an S3 blob that stays');
    await object('left-by-a-foreign-tool');
    await multipart(`blobs/sha256/${'ab'.repeat(32)}`); // a commit's multipart copy, its process killed
    const orphanArea = randomUUID();
    await multipart(`uploads/${orphanArea}/0000000000000000.abcdefabcdef`); // an append killed after its area went
    reg.clock.set(later());
    await renewProcessLease(s3deps);
    const live = await startUpload(s3deps, 'fsck/s3');
    await multipart(`uploads/${live.id}/0000000000000000.0123456789ab`); // a live session's append in flight

    const report = await runFsck(s3deps, { repair: false });
    assert.deepEqual(report.strays.map((s) => `${s.kind} ${s.key.slice(t.prefix.length)}`).sort(), [
      `multipart blobs/sha256/${'ab'.repeat(32)}`,
      `multipart uploads/${orphanArea}/0000000000000000.abcdefabcdef`,
      'object left-by-a-foreign-tool',
    ]);
    assert.deepEqual([report.orphanUploads, report.ok], [[], false]);

    const repaired = await runFsck(s3deps, { repair: true });
    assert.deepEqual([repaired.repaired.strays, repaired.repaired.orphanUploads, repaired.ok], [3, 0, true]);
    const objects = await t.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: t.prefix }));
    assert.deepEqual((objects.Contents ?? []).map((o) => o.Key!.slice(t.prefix.length)).sort(), [
      `blobs/sha256/${blob.digest.slice('sha256:'.length)}`,
      `uploads/${live.id}/created`,
    ]);
    const uploads = await t.client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: t.prefix }));
    assert.deepEqual(
      (uploads.Uploads ?? []).map((u) => u.Key!.slice(t.prefix.length)),
      [`uploads/${live.id}/0000000000000000.0123456789ab`],
      "only the live session's append is left",
    );
    assert.deepEqual((await runFsck(s3deps, { repair: false })).ok, true);
  });
});

async function collectIds(deps: RegistryDeps): Promise<string[]> {
  const ids: string[] = [];
  for await (const id of deps.blobs.listUploads()) ids.push(id);
  return ids;
}
