// Filesystem blob store: streams straight to disk with no extra copies, fsyncs before anything is trusted, and
// publishes blobs by atomic rename so a crash can never leave a half-written file at a blob path.
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { isDigest, RegistryError, type BlobStore, type ByteRange, type Digest } from '../../../core/index.ts';
import { FsPaths } from './paths.ts';

export interface FsBlobStoreOptions {
  root: string;
  /** fsync data and directories before acknowledging (default true); off only for throwaway test data. */
  fsync?: boolean;
}

const READ_CHUNK = 256 * 1024;
const FLUSH_EVERY = 32 * 1024 * 1024;

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Opens an upload area for writing; a missing one is the client's unknown upload, not a server fault. */
async function openUpload(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r+');
  } catch (e) {
    if (isMissing(e)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'the bytes of this upload are gone; start a new upload');
    throw e;
  }
}

export async function createFsBlobStore(options: FsBlobStoreOptions): Promise<BlobStore> {
  const paths = new FsPaths(options.root);
  const durable = options.fsync !== false;
  await Promise.all([paths.blobs, paths.uploads].map((d) => mkdir(d, { recursive: true })));
  await rm(paths.tmp, { recursive: true, force: true });
  await mkdir(paths.tmp, { recursive: true });

  async function syncDir(dir: string): Promise<void> {
    if (!durable) return;
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  return {
    kind: 'fs',

    async stat(digest) {
      try {
        return (await stat(paths.blob(digest))).size;
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },

    async open(digest: Digest, range?: ByteRange): Promise<Readable | null> {
      const path = paths.blob(digest);
      // Open first so a missing blob is a clean null rather than a stream that errors later.
      let handle;
      try {
        handle = await open(path, 'r');
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
      return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: READ_CHUNK });
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

    async *list() {
      for (const alg of await readdir(paths.blobs).catch(() => [] as string[])) {
        for (const shard of await readdir(join(paths.blobs, alg)).catch(() => [] as string[])) {
          for (const hex of await readdir(join(paths.blobs, alg, shard)).catch(() => [] as string[])) {
            const digest = `${alg}:${hex}`;
            if (isDigest(digest) && hex.startsWith(shard)) yield digest;
          }
        }
      }
    },

    async createUpload(id) {
      const handle = await open(paths.upload(id), 'wx');
      await handle.close();
    },

    async appendUpload(id, offset, chunks) {
      const handle = await openUpload(paths.upload(id));
      try {
        // Bytes past the recorded offset come from a request that failed: never trust them.
        await handle.truncate(offset);
        let position = offset;
        let unsynced = 0;
        const flushes: Array<Promise<void>> = [];
        for await (const chunk of chunks) {
          let written = 0;
          while (written < chunk.byteLength) {
            const { bytesWritten } = await handle.write(chunk, written, chunk.byteLength - written, position);
            written += bytesWritten;
            position += bytesWritten;
          }
          unsynced += chunk.byteLength;
          // Start flushing to disk while the rest still streams in, so the final fsync has little left to wait for.
          if (durable && unsynced >= FLUSH_EVERY) {
            unsynced = 0;
            flushes.push(handle.datasync());
          }
        }
        await Promise.all(flushes);
        if (durable) await handle.datasync();
        return position;
      } finally {
        await handle.close();
      }
    },

    async *readUpload(id, length) {
      if (length === 0) return;
      yield* createReadStream(paths.upload(id), { start: 0, end: length - 1, highWaterMark: READ_CHUNK }) as AsyncIterable<Uint8Array>;
    },

    async commitUpload(id, length, digest) {
      const source = paths.upload(id);
      const target = paths.blob(digest);
      const handle = await openUpload(source);
      try {
        const { size } = await handle.stat();
        if (size < length) throw new Error(`upload ${id} holds ${size} bytes, expected ${length}`);
        // appendUpload already made the bytes durable; only a truncation needs another flush.
        if (size > length) {
          await handle.truncate(length);
          if (durable) await handle.sync();
        }
      } finally {
        await handle.close();
      }
      await mkdir(dirname(target), { recursive: true });
      // rename() replaces atomically; racing commits of the same digest carry the same bytes, so either wins.
      await rename(source, target);
      await syncDir(dirname(target));
    },

    async removeUpload(id) {
      await rm(paths.upload(id), { force: true });
    },

    async *listUploads() {
      for (const name of await readdir(paths.uploads).catch(() => [] as string[])) if (paths.isUploadId(name)) yield name;
    },

    async close() {
      // Nothing held open between calls.
    },
  };
}
