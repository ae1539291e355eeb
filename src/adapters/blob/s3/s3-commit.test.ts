// What only an object store can get wrong: an upload written by several replicas, the way a commit assembles the blob
// (server-side copy, part copy, or streaming when parts are too small), and commits retried after a crash at each step.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateMultipartUploadCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { s3Server } from '../../../../test/servers.ts';
import { type BlobStore, isRegistryError, type UploadPart } from '../../../core/index.ts';
import { chunksOf, collect, MiB, readAll, sha } from '../blob-store.kit.conformance.ts';
import { KeyLayout } from './keys.ts';
import { openTestStore, type S3Server, type TestStore } from './test-helpers.ts';

/**
 * Appends `pieces` one request each, alternating between the stores, as PATCHes behind a round-robin balancer would,
 * and keeps the accepted parts as the metadata store does.
 */
async function upload(stores: BlobStore[], pieces: Buffer[]): Promise<{ id: string; all: Buffer; parts: UploadPart[] }> {
  const id = randomUUID();
  await stores[0]!.createUpload(id);
  let offset = 0;
  const parts: UploadPart[] = [];
  for (const [i, p] of pieces.entries()) {
    const { size, ref } = await stores[i % stores.length]!.appendUpload(id, offset, chunksOf(p));
    parts.push({ offset, size: size - offset, ref });
    offset = size;
  }
  return { id, all: Buffer.concat(pieces), parts };
}

/** The commands sent while `run` ran. */
async function during(t: TestStore, run: () => Promise<unknown>): Promise<string[]> {
  const from = t.sent.length;
  await run();
  return t.sent.slice(from);
}

describe('S3 blob store: uploads across replicas and how commits write the blob', () => {
  let server: S3Server;
  let a: TestStore;
  let b: TestStore;
  before(async () => {
    server = await s3Server();
    a = await openTestStore(server);
    b = await openTestStore(server, { prefix: a.prefix }); // a second replica on the same bucket and prefix
  });
  after(async () => {
    await b.cleanup();
    await a.cleanup();
  });

  it('commits the right bytes from parts written by two replicas, and either can read them back', async () => {
    const { id, all, parts } = await upload([a.store, b.store], [randomBytes(3000), randomBytes(1), randomBytes(70_000), randomBytes(5)]);
    assert.ok((await readAll(b.store.readUpload(id, all.length, parts))).equals(all));
    assert.deepEqual(await collect(a.store.listUploads()).then((ids) => ids.includes(id)), true);
    await b.store.commitUpload(id, all.length, sha(all), parts);
    assert.ok((await readAll(await a.store.open(sha(all)))).equals(all));
    assert.ok(!(await collect(a.store.listUploads())).includes(id));
  });

  it('commits one whole part with a single server-side CopyObject', async () => {
    const { id, all, parts } = await upload([a.store], [randomBytes(200_000)]);
    const sent = await during(a, () => a.store.commitUpload(id, all.length, sha(all), parts));
    assert.ok(sent.includes('CopyObjectCommand'), sent.join());
    assert.ok(!sent.some((c) => c === 'GetObjectCommand' || c === 'UploadPartCommand'), sent.join());
    assert.ok((await readAll(await b.store.open(sha(all)))).equals(all));
  });

  it('commits a 12 MiB blob from 6 MiB parts of two replicas by UploadPartCopy, no byte through berth', async () => {
    const { id, all, parts } = await upload([a.store, b.store], [randomBytes(6 * MiB), randomBytes(6 * MiB)]);
    const sent = await during(a, () => a.store.commitUpload(id, all.length, sha(all), parts));
    assert.equal(sent.filter((c) => c === 'UploadPartCopyCommand').length, 2, sent.join());
    assert.ok(sent.includes('CompleteMultipartUploadCommand'));
    assert.ok(!sent.some((c) => c === 'GetObjectCommand' || c === 'UploadPartCommand' || c === 'PutObjectCommand'), sent.join());
    assert.equal(await b.store.stat(sha(all)), 12 * MiB);
    assert.ok((await readAll(await b.store.open(sha(all)))).equals(all));
  });

  it('part-copies a prefix cut inside the last part (a commit of fewer bytes than were appended)', async () => {
    const { id, all, parts } = await upload([a.store, b.store], [randomBytes(5 * MiB), randomBytes(MiB)]);
    const wanted = all.subarray(0, 5 * MiB + 10);
    const sent = await during(a, () => a.store.commitUpload(id, wanted.length, sha(wanted), parts));
    assert.ok(sent.includes('UploadPartCopyCommand'), sent.join());
    assert.ok((await readAll(await a.store.open(sha(wanted)))).equals(wanted));
  });

  it('streams parts under the 5 MiB part-copy minimum through a new upload', async () => {
    const { id, all, parts } = await upload([a.store, b.store], [randomBytes(MiB), randomBytes(2 * MiB), randomBytes(7)]);
    const sent = await during(a, () => a.store.commitUpload(id, all.length, sha(all), parts));
    assert.ok(!sent.includes('UploadPartCopyCommand'), sent.join());
    assert.equal(sent.filter((c) => c === 'GetObjectCommand').length, 3, sent.join());
    assert.ok((await readAll(await b.store.open(sha(all)))).equals(all));
  });

  it('never reads or commits a part another writer left for the same bytes; once committed, it is a stray for fsck', async () => {
    const { id, all, parts } = await upload([a.store], [Buffer.from('hello'), Buffer.from(' world')]);
    // A slow replica's write of the same offset landing late, as a separate object: not a recorded part.
    const stray = new KeyLayout(a.prefix).part(id, 0, 'ffffffffffff');
    await a.client.send(new PutObjectCommand({ Bucket: server.bucket, Key: stray, Body: Buffer.from('HELLO') }));
    assert.equal((await readAll(a.store.readUpload(id, all.length, parts))).toString(), 'hello world');
    const invalid = (e: unknown): boolean => isRegistryError(e) && e.code === 'BLOB_UPLOAD_INVALID';
    await assert.rejects(
      readAll(a.store.readUpload(id, all.length, [{ offset: 0, size: 5, ref: '../../blobs' }, parts[1]!])),
      invalid,
      'a ref this store never wrote',
    );
    assert.ok(!(await collect(a.store.listStrays())).some((s) => s.key === stray), 'inside a live area it belongs to the area');
    await a.store.commitUpload(id, all.length, sha(all), parts);
    assert.equal((await readAll(await a.store.open(sha(all)))).toString(), 'hello world');
    assert.ok(!(await collect(a.store.listUploads())).includes(id), 'the area is gone');
    // The commit removed what it knew in one call; the late part is left to fsck, which finds it as a stray.
    const strays = (await collect(b.store.listStrays())).filter((s) => s.key === stray);
    assert.deepEqual(
      strays.map((s) => s.kind),
      ['object'],
    );
    assert.equal(await b.store.removeStray(strays[0]!), true);
    const listed = await a.client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: new KeyLayout(a.prefix).area(id) }));
    assert.equal(listed.KeyCount ?? 0, 0, 'nothing of the area is left');
  });
});

describe('S3 blob store: a commit retried after a crash completes', () => {
  let server: S3Server;
  let healthy: TestStore;
  before(async () => {
    server = await s3Server();
    healthy = await openTestStore(server);
  });
  after(() => healthy.cleanup());

  /** Uploads through a replica that dies at the first command `crashWhen` picks, then retries the commit on a healthy one. */
  async function crashThenRetry(crashOn: string, nth: number, pieces: Buffer[], blobWritten: boolean): Promise<void> {
    let seen = 0;
    const dying = await openTestStore(server, { prefix: healthy.prefix, crashWhen: (c) => c === crashOn && ++seen === nth });
    const { id, all, parts } = await upload([dying.store, healthy.store], pieces);
    const digest = sha(all);
    await assert.rejects(dying.store.commitUpload(id, all.length, digest, parts), { name: 'SimulatedCrash' });
    assert.ok(seen >= nth, `the crash at ${crashOn} #${nth} happened`);
    assert.equal(await healthy.store.stat(digest), blobWritten ? all.length : null, 'a blob is whole or absent after the crash');
    await healthy.store.commitUpload(id, all.length, digest, parts);
    assert.ok((await readAll(await healthy.store.open(digest))).equals(all));
    assert.ok(!(await collect(healthy.store.listUploads())).includes(id), 'nothing of the area is left');
    await healthy.store.commitUpload(id, all.length, digest, parts); // and once more, after success
    await healthy.store.remove(digest);
  }

  it('before the blob copy', () => crashThenRetry('CopyObjectCommand', 1, [randomBytes(4000)], false));
  it('after the blob copy, before the area goes', () => crashThenRetry('DeleteObjectsCommand', 1, [randomBytes(4000)], true));
  it('after a streamed blob, before the area goes', () => crashThenRetry('DeleteObjectsCommand', 1, [randomBytes(4000), randomBytes(10)], true));
  it('in the middle of a multipart part copy', () => crashThenRetry('CompleteMultipartUploadCommand', 1, [randomBytes(5 * MiB), randomBytes(100)], false));
  it('in the middle of a streamed commit', () => crashThenRetry('PutObjectCommand', 3, [randomBytes(1000), randomBytes(1000)], false));

  it('leaves what an area a replica left half-removed, or an unfinished append with no area, holds as strays fsck removes', async () => {
    const keys = new KeyLayout(healthy.prefix);
    const halfRemoved = randomUUID();
    await healthy.store.createUpload(halfRemoved);
    await healthy.store.appendUpload(halfRemoved, 0, chunksOf(randomBytes(10)));
    let crashed = false;
    const dying = await openTestStore(server, { prefix: healthy.prefix, crashWhen: (c) => c === 'ListObjectsV2Command' && !crashed && (crashed = true) });
    await assert.rejects(dying.store.removeUpload(halfRemoved), { name: 'SimulatedCrash' });
    await assert.rejects(healthy.store.appendUpload(halfRemoved, 10, chunksOf(randomBytes(1))), (e) => isRegistryError(e) && e.code === 'BLOB_UPLOAD_UNKNOWN');
    // A replica killed during an append into an area removed meanwhile: S3 holds only an unfinished multipart upload.
    const killed = randomUUID();
    await healthy.client.send(new CreateMultipartUploadCommand({ Bucket: server.bucket, Key: keys.part(killed, 0, '000000000000') }));
    const listed = await collect(healthy.store.listUploads());
    assert.ok(!listed.includes(halfRemoved) && !listed.includes(killed), 'no marker, no area');
    const left = async () =>
      (await collect(healthy.store.listStrays())).filter((s) => s.key.startsWith(keys.area(halfRemoved)) || s.key.startsWith(keys.area(killed)));
    const strays = await left();
    assert.deepEqual(strays.map((s) => s.kind).sort(), ['multipart', 'object'], strays.map((s) => s.key).join());
    for (const s of strays) assert.equal(await healthy.store.removeStray(s), true, s.key);
    assert.deepEqual(await left(), []);
    dying.client.destroy();
  });
});
