// The shared BlobStore contract against a temp directory, plus what only a filesystem can get wrong: paths, layout,
// crash leftovers and leaked file descriptors.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { type BlobStore, type Digest, isRegistryError } from '../../../core/index.ts';
import { runBlobStoreConformance } from '../blob-store.conformance.ts';
import { chunksOf, collect, sha } from '../blob-store.kit.conformance.ts';
import { runWholeBlobConformance } from '../blob-store.whole.conformance.ts';
import { createFsBlobStore } from './index.ts';

runBlobStoreConformance(
  'fs',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-fs-'));
    return { store: await createFsBlobStore({ root }), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  { concurrentWriters: false, positionalReads: true },
);

runBlobStoreConformance(
  'fs without fsync',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'berth-fs-'));
    return { store: await createFsBlobStore({ root, fsync: false }), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  { concurrentWriters: false, positionalReads: true },
);

const openFs = (fsync: boolean) => async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-fs-'));
  return { store: await createFsBlobStore({ root, fsync }), cleanup: () => rm(root, { recursive: true, force: true }) };
};
runWholeBlobConformance('fs', openFs(true));
runWholeBlobConformance('fs without fsync', openFs(false));

/** Every file and directory under `dir`, relative to it. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) out.push(relative(dir, join(e.parentPath, e.name)));
  return out.sort();
}

async function put(store: BlobStore, bytes: Uint8Array): Promise<Digest> {
  const id = randomUUID();
  await store.createUpload(id);
  await store.appendUpload(id, 0, chunksOf(bytes));
  await store.commitUpload(id, bytes.length, sha(bytes), []);
  return sha(bytes);
}

/** The sha256 shard directories a store makes when it opens (blobs/sha256/00 ... ff). */
const SHA256_SHARDS = ['blobs/sha256', ...Array.from({ length: 256 }, (_, i) => `blobs/sha256/${i.toString(16).padStart(2, '0')}`)];

describe('fs blob store specifics', () => {
  const dirs: string[] = [];
  async function tempDir(): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), 'berth-fs-'));
    dirs.push(d);
    return d;
  }
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('refuses upload ids that are not lowercase UUID v4, before touching the disk', async () => {
    const parent = await tempDir();
    const store = await createFsBlobStore({ root: join(parent, 'store'), fsync: false });
    const bad = [
      '../../etc/x',
      `${randomUUID()}/..`,
      `../${randomUUID()}`,
      randomUUID().toUpperCase(),
      '',
      '.',
      '..',
      '00000000-0000-1000-8000-000000000000', // v1 shape
      `${randomUUID()}\0`,
      `${randomUUID()} `,
      'uploads',
      '/etc/passwd',
    ];
    for (const id of bad) {
      for (const attempt of [
        () => store.createUpload(id),
        () => store.appendUpload(id, 0, chunksOf(Buffer.from('x'))),
        () => store.commitUpload(id, 0, sha(new Uint8Array()), []),
        () => store.removeUpload(id),
        () => collect(store.readUpload(id, 0, [])),
      ]) {
        await assert.rejects(attempt(), (e) => isRegistryError(e) && e.code === 'BLOB_UPLOAD_UNKNOWN', `id ${JSON.stringify(id)}`);
      }
    }
    assert.deepEqual(await readdir(parent), ['store']);
    assert.deepEqual(await walk(join(parent, 'store')), ['blobs', ...SHA256_SHARDS, 'tmp', 'uploads'].sort());
  });

  it('refuses digests that are not well formed, before touching the disk', async () => {
    const parent = await tempDir();
    const store = await createFsBlobStore({ root: join(parent, 'store'), fsync: false });
    const hex = 'a'.repeat(64);
    const bad = [
      'sha256:../../../etc/passwd',
      `sha256:${'A'.repeat(64)}`,
      `sha256:${hex.slice(1)}`,
      `sha256:${hex}0`,
      `md5:${hex}`,
      `sha512:${hex}`,
      `sha256:${hex.slice(0, 62)}/..`,
      `../sha256:${hex}`,
      `sha256:${hex}/`,
      hex,
      '',
    ] as Digest[];
    const id = randomUUID();
    await store.createUpload(id);
    for (const digest of bad) {
      for (const attempt of [
        () => store.stat(digest),
        () => store.open(digest),
        () => store.open(digest, { start: 0, end: 0 }),
        () => store.remove(digest),
        () => store.commitUpload(id, 0, digest, []),
      ]) {
        await assert.rejects(attempt(), (e) => isRegistryError(e) && e.code === 'DIGEST_INVALID', `digest ${JSON.stringify(digest)}`);
      }
    }
    assert.deepEqual(await readdir(parent), ['store']);
    assert.deepEqual(await walk(join(parent, 'store')), ['blobs', ...SHA256_SHARDS, 'tmp', 'uploads', `uploads/${id}`].sort());
  });

  it('lays files out as documented and writes nothing outside root', async () => {
    const parent = await tempDir();
    const store = await createFsBlobStore({ root: join(parent, 'store') });
    const bytes = randomBytes(100);
    const digest = await put(store, bytes);
    const hex = digest.slice('sha256:'.length);
    const big = randomBytes(64);
    const id512 = randomUUID();
    await store.createUpload(id512);
    await store.appendUpload(id512, 0, chunksOf(big));
    const d512: Digest = `sha512:${createHash('sha512').update(big).digest('hex')}`;
    await store.commitUpload(id512, big.length, d512, []);
    const pending = randomUUID();
    await store.createUpload(pending);
    await store.appendUpload(pending, 0, chunksOf(Buffer.from('pending')));
    const hex512 = d512.slice('sha512:'.length);
    assert.deepEqual(await readdir(parent), ['store']);
    assert.deepEqual(
      await walk(join(parent, 'store')),
      [
        'blobs',
        ...SHA256_SHARDS,
        `blobs/sha256/${hex.slice(0, 2)}/${hex}`,
        'blobs/sha512',
        `blobs/sha512/${hex512.slice(0, 2)}`,
        `blobs/sha512/${hex512.slice(0, 2)}/${hex512}`,
        'tmp',
        'uploads',
        `uploads/${pending}`,
      ].sort(),
    );
    assert.equal((await stat(join(parent, 'store', 'blobs', 'sha256', hex.slice(0, 2), hex))).size, 100);
    assert.deepEqual((await collect(store.list())).sort(), [digest, d512].sort());
  });

  it('resolves a relative root against the working directory', async () => {
    const parent = await tempDir();
    const rel = relative(process.cwd(), join(parent, 'rel'));
    const store = await createFsBlobStore({ root: rel, fsync: false });
    await put(store, Buffer.from('relative'));
    assert.ok(existsSync(join(parent, 'rel', 'blobs', 'sha256')));
  });

  it('empties tmp/ on open and ignores stray names when listing', async () => {
    const root = await tempDir();
    await mkdir(join(root, 'tmp', 'nested'), { recursive: true });
    await writeFile(join(root, 'tmp', 'leftover'), 'x');
    await writeFile(join(root, 'tmp', 'nested', 'deeper'), 'x');
    await mkdir(join(root, 'uploads'), { recursive: true });
    await writeFile(join(root, 'uploads', 'not-a-uuid'), 'x');
    await writeFile(join(root, 'uploads', randomUUID().toUpperCase()), 'x');
    const hex = 'ab'.repeat(32);
    await mkdir(join(root, 'blobs', 'sha256', 'ab'), { recursive: true });
    await mkdir(join(root, 'blobs', 'sha256', 'cd'), { recursive: true });
    await mkdir(join(root, 'blobs', 'md5', 'ab'), { recursive: true });
    await writeFile(join(root, 'blobs', 'sha256', 'ab', 'junk'), 'x');
    await writeFile(join(root, 'blobs', 'sha256', 'ab', `${hex}.partial`), 'x');
    await writeFile(join(root, 'blobs', 'sha256', 'cd', hex), 'x'); // wrong shard
    await writeFile(join(root, 'blobs', 'sha256', 'stray-file'), 'x');
    await writeFile(join(root, 'blobs', 'md5', 'ab', hex), 'x');
    await writeFile(join(root, 'blobs', 'sha256', 'ab', hex), 'x'); // the only real one
    const store = await createFsBlobStore({ root, fsync: false });
    assert.deepEqual(await readdir(join(root, 'tmp')), []);
    assert.deepEqual(await collect(store.listUploads()), []);
    assert.deepEqual(await collect(store.list()), [`sha256:${hex}`]);
  });

  it('keeps blobs and uploads across a reopen', async () => {
    const root = await tempDir();
    const first = await createFsBlobStore({ root });
    const digest = await put(first, Buffer.from('survives'));
    const id = randomUUID();
    await first.createUpload(id);
    await first.appendUpload(id, 0, chunksOf(Buffer.from('half')));
    await first.close();
    const second = await createFsBlobStore({ root });
    assert.equal(await second.stat(digest), 8);
    assert.deepEqual(await collect(second.listUploads()), [id]);
    assert.equal((await second.appendUpload(id, 4, chunksOf(Buffer.from('-done')))).size, 9);
    assert.equal(Buffer.concat(await collect(second.readUpload(id, 9, []))).toString(), 'half-done');
  });

  it('truncates bytes a crashed request left in an upload file', async () => {
    const root = await tempDir();
    const store = await createFsBlobStore({ root });
    const id = randomUUID();
    await store.createUpload(id);
    await store.appendUpload(id, 0, chunksOf(Buffer.from('good')));
    await writeFile(join(root, 'uploads', id), 'goodGARBAGE'); // as if a request died after writing past offset 4
    assert.equal((await store.appendUpload(id, 4, chunksOf(Buffer.from('!')))).size, 5);
    assert.equal((await stat(join(root, 'uploads', id))).size, 5);
  });

  it('writes a blob sent whole over bytes a failed request left in its area, and keeps none of them', async () => {
    const root = await tempDir();
    const store = await createFsBlobStore({ root });
    const id = randomUUID();
    await store.createUpload(id);
    await writeFile(join(root, 'uploads', id), randomBytes(5000)); // a request that died after writing, never recorded
    const bytes = randomBytes(1200);
    await store.commitBytes!(id, sha(bytes), bytes);
    const hex = sha(bytes).slice(7);
    assert.deepEqual(await readFile(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex)), bytes);
    assert.deepEqual(await readdir(join(root, 'uploads')), []);
  });

  it('never exposes a blob path before commit, and replaces a wrong-sized file found there', async () => {
    const root = await tempDir();
    const store = await createFsBlobStore({ root });
    const bytes = randomBytes(1000);
    const digest = sha(bytes);
    const hex = digest.slice(7);
    const path = join(root, 'blobs', 'sha256', hex.slice(0, 2), hex);
    const id = randomUUID();
    await store.createUpload(id);
    await store.appendUpload(id, 0, chunksOf(bytes.subarray(0, 500)));
    assert.equal(existsSync(path), false);
    await assert.rejects(store.commitUpload(id, 1000, digest, []));
    assert.equal(existsSync(path), false);
    await store.appendUpload(id, 500, chunksOf(bytes.subarray(500)));
    // A file of the wrong size at the blob path cannot be the blob: the verified upload replaces it.
    await mkdir(join(root, 'blobs', 'sha256', hex.slice(0, 2)), { recursive: true });
    await writeFile(path, bytes.subarray(0, 10));
    await store.commitUpload(id, 1000, digest, []);
    assert.equal((await stat(path)).size, 1000);
    assert.deepEqual(await readdir(join(root, 'uploads')), []);
  });

  it('keeps the existing file when a held digest is committed again', async () => {
    const root = await tempDir();
    const store = await createFsBlobStore({ root });
    const bytes = randomBytes(2000);
    const digest = await put(store, bytes);
    const hex = digest.slice(7);
    const path = join(root, 'blobs', 'sha256', hex.slice(0, 2), hex);
    const { ino } = await stat(path);
    await put(store, bytes);
    assert.equal((await stat(path)).ino, ino, 'the blob file was not replaced');
    assert.deepEqual(await readdir(join(root, 'uploads')), []);
  });

  it('refuses malformed ranges without leaking a file handle', async () => {
    const root = await tempDir();
    const store = await createFsBlobStore({ root, fsync: false });
    const digest = await put(store, Buffer.from('0123456789'));
    for (const range of [
      { start: 5, end: 4 },
      { start: -1, end: 3 },
      { start: 0.5, end: 3 },
      { start: 0, end: Number.NaN },
    ]) {
      await assert.rejects(store.open(digest, range), (e) => isRegistryError(e) && e.code === 'RANGE_INVALID');
    }
  });

  it('closes file handles of streams that are abandoned early', { skip: !existsSync('/proc/self/fd') }, async () => {
    const root = await tempDir();
    const store = await createFsBlobStore({ root, fsync: false });
    const bytes = randomBytes(4 * 1024 * 1024);
    const digest = await put(store, bytes);
    const id = randomUUID();
    await store.createUpload(id);
    await store.appendUpload(id, 0, chunksOf(bytes));
    const fds = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const baseline = await fds();
    for (let i = 0; i < 20; i++) {
      const s = (await store.open(digest))!;
      for await (const _ of s) break; // destroys the stream
      for await (const _ of store.readUpload(id, bytes.length, [])) break;
      (await store.open(digest, { start: 5, end: 10 }))!.destroy();
      await assert.rejects(
        store.appendUpload(
          id,
          bytes.length,
          (async function* () {
            yield Buffer.from('x');
            throw new Error('cut');
          })(),
        ),
      );
    }
    // Descriptors close asynchronously after a stream fails: poll (bounded) instead of guessing a delay.
    for (const until = Date.now() + 5_000; (await fds()) > baseline + 2 && Date.now() < until; ) await new Promise((r) => setTimeout(r, 10));
    assert.ok((await fds()) <= baseline + 2, `fds grew from ${baseline} to ${await fds()}`);
  });
});
