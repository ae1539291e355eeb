// "Keep the newest N" without holding the repository: a bounded min-heap of the N newest entries seen so far, so a count
// rule costs memory for N entries whatever the repository size, and works even if the stream is not perfectly ordered.

/**
 * Where an entry stands in time. Newer means a later `at`; on equal `at`, a later `seq` (position in the stream, which
 * the index gives in push order), then a later `sub` (a tag's rank within its image) is newer. Never equal for two
 * distinct entries, so every "newest N" is exact and deterministic.
 */
export interface Stamp {
  at: number;
  seq: number;
  sub: number;
}

export function isOlder(a: Stamp, b: Stamp): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.seq !== b.seq) return a.seq < b.seq;
  return a.sub < b.sub;
}

/** The N newest entries offered so far; `offer` answers the entry that just fell out of the window, if any. */
export class NewestWindow<T extends Stamp> {
  readonly #n: number;
  readonly #heap: T[] = [];

  constructor(n: number) {
    this.#n = n;
  }

  /** Adds an entry; returns the oldest entry once more than N are held (possibly the one just offered). */
  offer(entry: T): T | undefined {
    const heap = this.#heap;
    if (heap.length < this.#n) {
      heap.push(entry);
      this.#up(heap.length - 1);
      return undefined;
    }
    const oldest = heap[0];
    if (oldest === undefined || isOlder(entry, oldest)) return entry;
    heap[0] = entry;
    this.#down(0);
    return oldest;
  }

  /** What is left at the end: the N newest, in no particular order. */
  remaining(): readonly T[] {
    return this.#heap;
  }

  #up(i: number): void {
    const heap = this.#heap;
    let at = i;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!isOlder(heap[at] as T, heap[parent] as T)) return;
      [heap[at], heap[parent]] = [heap[parent] as T, heap[at] as T];
      at = parent;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    let at = i;
    for (;;) {
      const left = 2 * at + 1;
      const right = left + 1;
      let least = at;
      if (left < heap.length && isOlder(heap[left] as T, heap[least] as T)) least = left;
      if (right < heap.length && isOlder(heap[right] as T, heap[least] as T)) least = right;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least] as T, heap[at] as T];
      at = least;
    }
  }
}
