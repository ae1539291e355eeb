// The machine's own limits (sha256 and fsync-disk MiB/s, and how fast its filesystem unlinks durable files), measured
// so registry numbers can be read against them, and the one large random blob the push/pull workloads stream from disk.
import { spawnSync } from 'node:child_process';
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const MiB = 1024 * 1024;

export async function sha256Limit(totalMiB: number): Promise<number> {
  const chunk = randomBytes(MiB);
  const h = createHash('sha256');
  const t = performance.now();
  for (let i = 0; i < totalMiB; i++) h.update(chunk);
  h.digest();
  return totalMiB / ((performance.now() - t) / 1000);
}

/** Files of `fileMiB` the disk probe writes back to back: enough to use up the burst this VM's disk allows. */
const DISK_PROBE_FILES = 5;

/**
 * The ceiling for any registry that makes blobs durable: files of `fileMiB` written and fsynced back to back. This
 * VM's disk takes a burst of about 0.5 GiB at ~1.2 GiB/s, then ~300 MiB/s until it has been idle for a minute or so
 * (dd with fdatasync, 256 MiB files: 1,285 and 1,393, then 293-421 MiB/s for the next ten). A probe of one file saw
 * only the burst; a round's three 256 MiB pushes mostly see the sustained rate. `burst` is the first file, `sustained`
 * the median of the last three.
 */
export async function fsyncDiskLimit(dir: string, fileMiB: number): Promise<{ burst: number; sustained: number }> {
  const chunk = randomBytes(MiB);
  flushDirtyPages();
  const rates: number[] = [];
  for (let n = 0; n < DISK_PROBE_FILES; n++) {
    const path = join(dir, `fsync-probe-${n}`);
    const t = performance.now();
    const f = await open(path, 'w');
    for (let i = 0; i < fileMiB; i++) await f.write(chunk);
    await f.sync();
    await f.close();
    rates.push(fileMiB / ((performance.now() - t) / 1000));
  }
  for (let n = 0; n < DISK_PROBE_FILES; n++) await rm(join(dir, `fsync-probe-${n}`));
  const last = rates.slice(-3).sort((a, b) => a - b);
  return { burst: rates[0]!, sustained: last[1]! };
}

/**
 * The ceiling for a GC sweep on this filesystem: `count` files of `bytes`, each written and fdatasynced as a registry
 * stores a blob, spread over 256 directories as the filesystem store shards them, then unlinked `inFlight` at a time
 * through libuv's pool, as the sweep does. Returns unlinks per second. Freeing a synced file's blocks is work of the
 * filesystem (journal, block bitmaps, and a discard to the disk where it is mounted with `discard`), not of the caller.
 */
export async function unlinkLimit(dir: string, count: number, bytes: number, inFlight: number): Promise<number> {
  const body = randomBytes(bytes);
  const shards = Array.from({ length: 256 }, (_, i) => join(dir, i.toString(16).padStart(2, '0')));
  for (const s of shards) await mkdir(s, { recursive: true });
  const paths = Array.from({ length: count }, (_, i) => join(shards[i % 256]!, `f${i}`));
  const each = async (work: (path: string) => Promise<void>): Promise<void> => {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) await work(paths[next++]!);
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  };
  await each(async (path) => {
    const f = await open(path, 'w');
    try {
      await f.write(body);
      await f.datasync();
    } finally {
      await f.close();
    }
  });
  flushDirtyPages();
  const t = performance.now();
  await each((path) => unlink(path));
  const seconds = (performance.now() - t) / 1000;
  await rm(dir, { recursive: true, force: true });
  return count / seconds;
}

/** So one phase does not pay for the write-back another phase (or registry) left behind. */
export function flushDirtyPages(): void {
  spawnSync('sync');
}

export interface BlobVariant {
  path: string;
  size: number;
  digest: string;
}

/**
 * One random file of `sizeMiB`, hashed once. Variant i is the same file with its last byte set to i (written in
 * place), so each push has its own digest (no dedupe) and the hash of the shared prefix is computed only once.
 */
export class BigBlob {
  readonly path: string;
  readonly size: number;
  private readonly prefixHash: Hash;

  private constructor(path: string, size: number, prefixHash: Hash) {
    this.path = path;
    this.size = size;
    this.prefixHash = prefixHash;
  }

  static async create(dir: string, sizeMiB: number): Promise<BigBlob> {
    const path = join(dir, 'big-blob');
    const f = await open(path, 'w');
    for (let i = 0; i < sizeMiB; i++) await f.write(randomBytes(MiB));
    await f.close();
    const size = sizeMiB * MiB;
    const h = createHash('sha256');
    for await (const c of createReadStream(path, { end: size - 2, highWaterMark: MiB })) h.update(c as Buffer);
    return new BigBlob(path, size, h);
  }

  /** Rewrites the last byte; the file then holds variant i until the next call. */
  async variant(i: number): Promise<BlobVariant> {
    const last = Buffer.from([i & 0xff]);
    const f = await open(this.path, 'r+');
    await f.write(last, 0, 1, this.size - 1);
    await f.close();
    return { path: this.path, size: this.size, digest: `sha256:${this.prefixHash.copy().update(last).digest('hex')}` };
  }
}
