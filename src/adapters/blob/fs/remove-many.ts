// GC removes thousands of blobs a second: one unlink at a time leaves the disk and libuv's thread pool idle between
// calls, so removals run a bounded number at a time, spread over the shard directories so that concurrent unlinks
// seldom contend for the same directory's lock.
import { unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Digest, RemoveOutcome } from '../../../core/index.ts';

/** Unlinks in flight: a few more than libuv's default thread pool (4), so a thread never waits for the next call. */
export const UNLINKS_IN_FLIGHT = 16;

/** Orders paths so that neighbours lie in different directories (one from each shard in turn). */
function spreadOverDirectories<T>(items: readonly T[], pathOf: (item: T) => string): T[] {
  const byDir = new Map<string, T[]>();
  for (const item of items) {
    const dir = dirname(pathOf(item));
    const list = byDir.get(dir);
    if (list) list.push(item);
    else byDir.set(dir, [item]);
  }
  const lists = [...byDir.values()];
  const out: T[] = [];
  for (let round = 0; out.length < items.length; round++) {
    for (const list of lists) if (round < list.length) out.push(list[round]!);
  }
  return out;
}

/**
 * Unlinks each digest's file (`pathOf` validates the digest and may throw: that digest is `failed`), at most
 * UNLINKS_IN_FLIGHT at a time; none starts once `signal` is aborted (an unlink in flight ends on its own, at once).
 */
export async function unlinkMany(digests: readonly Digest[], pathOf: (digest: Digest) => string, signal?: AbortSignal): Promise<Map<Digest, RemoveOutcome>> {
  const out = new Map<Digest, RemoveOutcome>();
  const work: { digest: Digest; path: string }[] = [];
  for (const digest of new Set(digests)) {
    try {
      work.push({ digest, path: pathOf(digest) });
    } catch {
      out.set(digest, 'failed');
    }
  }
  const queue = spreadOverDirectories(work, (w) => w.path);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < queue.length) {
      const { digest, path } = queue[next++]!;
      if (signal?.aborted) {
        out.set(digest, 'failed');
        continue;
      }
      try {
        await unlink(path);
        out.set(digest, 'removed');
      } catch (e) {
        out.set(digest, (e as NodeJS.ErrnoException | null)?.code === 'ENOENT' ? 'missing' : 'failed');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(UNLINKS_IN_FLIGHT, queue.length) }, worker));
  return out;
}
