// Streaming large blobs allocates a Buffer per socket or file read, and V8 only collects them once ~64 MiB of
// such external memory has piled up: most of the RSS budget. A minor GC (about a millisecond) after every
// 4 MiB streamed keeps peak memory flat during pushes and pulls without slowing them.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// 4 MiB, not 16: a collection frees its buffers only by the next one or two, so with 16 an S3 pull held 40-55 MiB of
// 64 KiB socket reads and its malloc heap grew by as much (interleaved, 2 runs each, 64 MiB blobs on PostgreSQL + S3:
// peak RSS 140-142 vs 168-190 MiB, pulls 250-350 vs 165-344 MiB/s; 256 MiB pushes on fs 321-431 vs 258-345 MiB/s).
const STEP = 4 * 1024 * 1024;
let collect: (() => void) | null = null;
let streamed = 0;

/** Turns the relief on for this process (the server does; tests and CLI commands need not). */
export function enableMemoryRelief(): void {
  if (collect) return;
  setFlagsFromString('--expose-gc');
  // V8 sizes the old generation's next limit by the mutator utilisation it sees, and these forced minor GCs lower it:
  // after a burst of small requests the factor sat at its minimum and a 256 MiB push then ran a mark-compact every
  // ~100 ms that freed nothing (25-30 per three pushes, pushes 217-300 instead of 450-550 MiB/s). A fixed factor of
  // 1.5 keeps them away; through the bench's three rounds in one process peak RSS was 186-193 MiB with it, 188-205
  // with V8's own choice and 199-207 with a factor of 2 (pushes alike with 1.5 and 2).
  setFlagsFromString('--heap-growing-percent=50');
  const gc = runInNewContext('gc') as (options?: { type: 'minor' | 'major' }) => void;
  collect = () => gc({ type: 'minor' });
}

/** Counts bytes streamed by any request; every STEP bytes, collects the young generation. */
export function noteStreamed(bytes: number): void {
  streamed += bytes;
  if (streamed >= STEP) {
    streamed = 0;
    collect?.();
  }
}

/** Passes chunks through, counting them. */
export async function* relieved(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  for await (const chunk of source) {
    noteStreamed(chunk.byteLength);
    yield chunk;
  }
}
