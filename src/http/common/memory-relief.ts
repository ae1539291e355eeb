// Streaming large blobs allocates a Buffer per socket or file read, and V8 only collects them once ~64 MiB of
// such external memory has piled up: most of the RSS budget. A minor GC (about a millisecond) after every
// 16 MiB streamed keeps peak memory flat during pushes and pulls without slowing them.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const STEP = 16 * 1024 * 1024;
let collect: (() => void) | null = null;
let streamed = 0;

/** Turns the relief on for this process (the server does; tests and CLI commands need not). */
export function enableMemoryRelief(): void {
  if (collect) return;
  setFlagsFromString('--expose-gc');
  // V8 sizes the old generation's next limit by the mutator utilisation it sees, and these forced minor GCs lower it:
  // after a burst of small requests the factor sat at its minimum and a 256 MiB push then ran a mark-compact every
  // ~100 ms that freed nothing (25-30 per three pushes, pushes 217-300 instead of 450-550 MiB/s). A fixed factor
  // of 2 keeps them away; peak RSS through the bench's rounds was the same (180 vs 184 MiB).
  setFlagsFromString('--heap-growing-percent=100');
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
