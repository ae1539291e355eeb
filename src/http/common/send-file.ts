// Serves a blob file through reused, page-aligned buffers: a pull allocates nothing per read (a file stream's fresh
// 1 MiB buffer per read cost page faults, allocator churn and collections), and the kernel's copy into an aligned
// buffer runs at full speed (aligned-buffers.ts). README, "Benchmark": pulls.
import type { ServerResponse } from 'node:http';
import type { BlobFile } from '../../core/index.ts';
import { alignedPool } from './aligned-buffers.ts';

/** 1 MiB reads: 256 KiB and 4 MiB both pulled slower here. */
const CHUNK = 1024 * 1024;
/** Buffers kept for pulls (16 MiB of address space, resident only once used); each pull holds at most two at once. */
const pool = alignedPool(CHUNK, 16);

/** Aligned buffers not lent out now (all 16 whenever no pull is in flight), for tests. */
export const idleBuffers = (): number => pool.free;

/**
 * Resolves true once `chunk` is handed to the socket, false if the response broke first. `release` runs when the
 * socket is done with the bytes (the write's callback, which Node runs on success, error and destroy alike), so a
 * buffer goes back to the pool only when nothing can still read it.
 */
function write(res: ServerResponse, chunk: Buffer, release: () => void): Promise<boolean> {
  return new Promise((resolve) => {
    const onClose = () => resolve(false);
    res.once('close', onClose);
    res.write(chunk, (err) => {
      res.off('close', onClose);
      release();
      resolve(!err);
    });
  });
}

/**
 * Writes bytes `start`..`end` (inclusive) of `file` as the body of `res`, whose status and headers are set, then ends
 * it; closes the file. The next chunk is read while the previous one is written, so disk and socket overlap. One
 * write in flight, not more: queueing two or four writes behind each other pulled at about half the rate (1.2-1.8
 * against 2.6-3.4 GiB/s on the same run). A read error mid-body destroys the connection: the client sees a short body,
 * never bytes that are not the blob's.
 */
export async function sendFile(res: ServerResponse, file: BlobFile, start: number, end: number): Promise<void> {
  let position = start;
  let writing: Promise<boolean> | null = null;
  try {
    while (position <= end && !res.destroyed) {
      const buffer = pool.take();
      let n: number;
      try {
        n = await file.read(buffer.subarray(0, Math.min(CHUNK, end - position + 1)), position);
        if (n === 0) throw new Error(`blob file ended at byte ${position} of ${end + 1}`);
      } catch (e) {
        pool.give(buffer);
        throw e;
      }
      position += n;
      if (writing && !(await writing)) {
        pool.give(buffer);
        return;
      }
      writing = write(res, buffer.subarray(0, n), () => pool.give(buffer));
    }
    if (writing) await writing;
    if (!res.destroyed) res.end();
  } catch (e) {
    res.destroy(e instanceof Error ? e : new Error(String(e)));
  } finally {
    await file.close().catch(() => undefined);
  }
}
