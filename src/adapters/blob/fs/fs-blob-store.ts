// Filesystem blob store: streams straight to disk with no extra copies, fsyncs before anything is trusted, and
// publishes blobs by atomic rename so a crash can never leave a half-written file at a blob path.
import { constants } from 'node:fs';
import { access, type FileHandle, mkdir, open, opendir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type BlobFile, type BlobStore, type ByteRange, type Digest, RegistryError } from '../../../core/index.ts';
import { ALGORITHMS, FsPaths, isUploadId } from './paths.ts';
import { unlinkMany } from './remove-many.ts';
import { listFsStrays, removeFsStray } from './strays.ts';
import { writeChunksAt } from './write-at.ts';

export interface FsBlobStoreOptions {
  root: string;
  /** fsync data and directories before acknowledging (default true); off only for throwaway data. */
  fsync?: boolean;
}

const MiB = 1024 * 1024;
// 1 MiB reads: over HTTP this pulled ~1.3x faster than 256 KiB, with no measurable RSS difference.
const READ_CHUNK = MiB;
// One batch on its way to disk while up to 1 MiB more queues (8 MiB made the kernel's side costlier); an early
// fdatasync every 8 MiB keeps the disk busy during the push (256 MiB pushes, interleaved: 511-688 MiB/s against
// 367-598 with one every 32 MiB; 4 and 16 MiB in between).
const WRITE = { maxQueued: MiB, flushEvery: 8 * MiB };

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

const isMissing = (e: unknown): boolean => errno(e) === 'ENOENT';

/** Entries of a directory as a stream (stores may hold millions of blobs); a missing directory is empty. */
async function* entries(dir: string): AsyncIterable<string> {
  let handle;
  try {
    handle = await opendir(dir, { bufferSize: 256 });
  } catch (e) {
    if (isMissing(e) || errno(e) === 'ENOTDIR') return;
    throw e;
  }
  for await (const entry of handle) yield entry.name;
}

async function sizeOf(path: string): Promise<number | null> {
  try {
    return (await stat(path)).size;
  } catch (e) {
    if (isMissing(e)) return null;
    throw e;
  }
}

/** Opens an upload area; a missing one is the client's unknown upload, not a server fault. */
async function openUpload(path: string, flags: 'r' | 'r+'): Promise<FileHandle> {
  try {
    return await open(path, flags);
  } catch (e) {
    if (isMissing(e)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'the bytes of this upload are gone; start a new upload');
    throw e;
  }
}

export async function createFsBlobStore(options: FsBlobStoreOptions): Promise<BlobStore> {
  const paths = new FsPaths(options.root);
  const durable = options.fsync !== false;

  async function syncDir(dir: string): Promise<void> {
    if (!durable) return;
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  /** mkdir -p; when it had to create directories, makes their entries durable too (parents first). */
  async function ensureDir(dir: string): Promise<void> {
    const created = await mkdir(dir, { recursive: true });
    if (created === undefined || !durable) return;
    // Each new directory's entry lives in its parent: sync from the parent of the first one created down to dir's parent.
    const parents: string[] = [];
    for (let d = dir; ; d = dirname(d)) {
      parents.unshift(dirname(d));
      if (d === created || dirname(d) === d) break;
    }
    for (const d of parents) await syncDir(d);
  }

  await rm(paths.tmp, { recursive: true, force: true });
  for (const dir of [paths.blobs, paths.uploads, paths.tmp]) await ensureDir(dir);

  return {
    kind: 'fs',

    async ping() {
      // The blob tree must still be there and reachable (an unmounted volume fails here, not on the next push).
      await access(paths.blobs, constants.R_OK | constants.W_OK);
    },

    async stat(digest) {
      return sizeOf(paths.blob(digest));
    },

    async open(digest: Digest, range?: ByteRange): Promise<Readable | null> {
      const path = paths.blob(digest);
      if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end)) {
        throw new RegistryError('RANGE_INVALID', `invalid byte range ${range.start}-${range.end}`);
      }
      // Open first so a missing blob is a clean null rather than a stream that errors later.
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
      // The stream owns the handle and closes it on end, error or destroy.
      return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_CHUNK });
    },

    async openFile(digest: Digest): Promise<BlobFile | null> {
      let handle: FileHandle;
      try {
        handle = await open(paths.blob(digest), 'r');
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
      return {
        read: async (into, position) => (await handle.read(into, 0, into.byteLength, position)).bytesRead,
        close: () => handle.close(),
      };
    },

    async remove(digest) {
      try {
        await unlink(paths.blob(digest));
        return true;
      } catch (e) {
        if (isMissing(e)) return false;
        throw e;
      }
    },

    removeMany(digests, signal) {
      return unlinkMany(digests, (digest) => paths.blob(digest), signal);
    },

    async *list() {
      for (const alg of ALGORITHMS) {
        const algDir = paths.algorithmDir(alg);
        for await (const shard of entries(algDir)) {
          for await (const name of entries(join(algDir, shard))) {
            const digest = paths.digestAt(alg, shard, name);
            if (digest) yield digest;
          }
        }
      }
    },

    async createUpload(id) {
      const handle = await open(paths.upload(id), 'wx');
      await handle.close();
    },

    async appendUpload(id, offset, chunks) {
      if (!Number.isSafeInteger(offset) || offset < 0) throw new RegistryError('RANGE_INVALID', `invalid upload offset ${offset}`);
      const handle = await openUpload(paths.upload(id), 'r+');
      try {
        // Bytes past the recorded offset come from a request that failed: never trust them.
        await handle.truncate(offset);
        const end = await writeChunksAt(handle, offset, chunks, { ...WRITE, flushEvery: durable ? WRITE.flushEvery : 0 });
        // Resolving means "durable enough to resume from": data and size are on disk. The area's directory entry
        // is not synced separately: ext4, xfs and btrfs persist a new file's name with its first fsync, and a lost
        // name only means BLOB_UPLOAD_UNKNOWN and a fresh upload, never wrong bytes.
        if (durable) await handle.datasync();
        // One file rewritten in place under the in-process upload lock: parts need no names here.
        return { size: end, ref: '' };
      } finally {
        await handle.close();
      }
    },

    async *readUpload(id, length, _parts) {
      const handle = await openUpload(paths.upload(id), 'r');
      let owned = false;
      try {
        const { size } = await handle.stat();
        if (size < length) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} holds ${size} bytes, not ${length}`);
        if (length === 0) return;
        owned = true; // the stream closes the handle from here on, also when the consumer stops early
        yield* handle.createReadStream({ start: 0, end: length - 1, highWaterMark: READ_CHUNK }) as AsyncIterable<Uint8Array>;
      } finally {
        if (!owned) await handle.close();
      }
    },

    async commitUpload(id, length, digest, _parts) {
      const source = paths.upload(id);
      const target = paths.blob(digest);
      let handle: FileHandle;
      try {
        handle = await openUpload(source, 'r+');
      } catch (e) {
        // A retried commit whose first attempt got through: the area is gone and the blob is there.
        if ((await sizeOf(target)) === length) return;
        throw e;
      }
      try {
        const { size } = await handle.stat();
        if (size < length) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} holds ${size} bytes, expected ${length}`);
        // appendUpload already made its bytes durable; only a truncation needs another flush.
        if (size > length) {
          await handle.truncate(length);
          if (durable) await handle.datasync();
        }
      } finally {
        await handle.close();
      }
      // Same digest, same bytes: an existing blob is kept (a wrong-sized one, which no commit can produce, is replaced).
      if ((await sizeOf(target)) === length) {
        await rm(source, { force: true });
        return;
      }
      await ensureDir(dirname(target));
      try {
        // Atomic: readers see no blob or the whole blob. Racing commits of one digest carry the same bytes, so
        // whichever rename lands last simply replaces an identical file.
        await rename(source, target);
      } catch (e) {
        if (isMissing(e) && (await sizeOf(target)) === length) return; // a concurrent commit of this id won
        throw e;
      }
      await syncDir(dirname(target));
    },

    async removeUpload(id) {
      await rm(paths.upload(id), { force: true });
    },

    async *listUploads() {
      for await (const name of entries(paths.uploads)) if (isUploadId(name)) yield name;
    },

    listStrays() {
      return listFsStrays(paths);
    },

    removeStray(stray) {
      return removeFsStray(paths, stray);
    },

    async close() {
      // Nothing is held open between calls; streams handed out own their file handles.
    },
  };
}
