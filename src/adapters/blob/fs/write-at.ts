// Streams chunks into a file at a position so that reading the source and writing the disk overlap: one write is in
// flight while the next chunks arrive, and whatever queued meanwhile goes down in a single writev (no copies, and
// memory bounded by `maxQueued`). Awaiting each write in turn would leave the disk idle while the network is read.
import type { FileHandle } from 'node:fs/promises';

export interface WriteAtOptions {
  /** Stop pulling from the source while this many bytes wait for the disk. */
  maxQueued: number;
  /** Start an fdatasync after this many bytes so the final flush has little left; 0 disables it. */
  flushEvery: number;
}

/** Writes every byte of `buffers` at `position`, resuming after short writes. */
async function writevAll(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let bufs = buffers;
  let pos = position;
  for (;;) {
    const total = bufs.reduce((n, b) => n + b.byteLength, 0);
    const { bytesWritten } = bufs.length === 1 ? await handle.write(bufs[0]!, 0, total, pos) : await handle.writev(bufs, pos);
    if (bytesWritten >= total) return;
    pos += bytesWritten;
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const b of bufs) {
      if (skip >= b.byteLength) skip -= b.byteLength;
      else {
        rest.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    bufs = rest;
  }
}

/**
 * Writes `chunks` at `position` and resolves with the position after the last byte, once every write is done (not
 * synced: the caller decides about the final fsync). The source must not reuse a buffer after yielding it, as
 * Node streams never do.
 */
export async function writeChunksAt(handle: FileHandle, position: number, chunks: AsyncIterable<Uint8Array>, options: WriteAtOptions): Promise<number> {
  let queue: Uint8Array[] = [];
  let queued = 0;
  let next = position;
  let active = false;
  let failed = false;
  let failure: unknown;
  let draining: Promise<void> = Promise.resolve();
  let wake: (() => void) | null = null;
  let sinceFlush = 0;
  let flushing: Promise<void> | null = null;

  // Never rejects: a failure is recorded and rethrown by the consumer loop below, so nothing goes unhandled.
  async function drain(): Promise<void> {
    try {
      while (queue.length > 0) {
        const batch = queue;
        const bytes = queued;
        queue = [];
        queued = 0;
        await writevAll(handle, batch, next);
        next += bytes;
        sinceFlush += bytes;
        if (options.flushEvery > 0 && sinceFlush >= options.flushEvery && flushing === null) {
          sinceFlush = 0;
          flushing = handle.datasync().then(
            () => {
              flushing = null;
            },
            (e: unknown) => {
              flushing = null;
              fail(e);
            },
          );
        }
        wake?.();
      }
    } catch (e) {
      fail(e);
    } finally {
      active = false; // in the same turn as the empty-queue check, so no chunk can be stranded
      wake?.();
    }
  }

  function fail(e: unknown): void {
    if (!failed) {
      failed = true;
      failure = e;
    }
  }

  try {
    for await (const chunk of chunks) {
      if (failed) break;
      if (chunk.byteLength === 0) continue;
      queue.push(chunk);
      queued += chunk.byteLength;
      if (!active) {
        active = true;
        draining = drain();
      }
      // Backpressure: wait for the batch in flight to land before reading more.
      while (queued >= options.maxQueued && active && !failed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    }
  } finally {
    // Also on a source error: let the writes in flight settle before the caller closes the file.
    await draining;
    await flushing;
  }
  if (failed) throw failure;
  return next;
}
