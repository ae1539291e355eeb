// The machine's own limits (sha256 and fsync-disk MiB/s), measured once so registry numbers can be read against
// them, and the one large random blob the push/pull workloads stream from disk.
import { spawnSync } from 'node:child_process';
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
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

/** Writes `totalMiB` to a file in `dir` and fsyncs it: the ceiling for any registry that makes blobs durable. */
export async function fsyncDiskLimit(dir: string, totalMiB: number): Promise<number> {
  const path = join(dir, 'fsync-probe');
  const chunk = randomBytes(MiB);
  flushDirtyPages();
  const t = performance.now();
  const f = await open(path, 'w');
  for (let i = 0; i < totalMiB; i++) await f.write(chunk);
  await f.sync();
  await f.close();
  const rate = totalMiB / ((performance.now() - t) / 1000);
  await rm(path);
  return rate;
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
