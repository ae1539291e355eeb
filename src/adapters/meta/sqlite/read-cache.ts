// Hot reads (manifest GET, blob HEAD, tag lists) served from memory. SQLite's data_version changes whenever
// another connection (the CLI, a second process) commits, and our own writes bump a local counter, so a cached
// answer can never outlive a delete; data_version is asked only after the WAL-index header shows that some commit
// happened, since reading the header is a third of its cost, and the header once per turn of the event loop.
import type { Db } from './db.ts';
import { type WalHeaderWatch, walHeaderWatch } from './wal-header.ts';

/** What an entry costs beyond the bytes `size` reports: the Map slot, the key string, the row object and its fields. */
const ENTRY_OVERHEAD = 256;

export interface ReadCacheLimits {
  /** Entries kept at most; the least recently used go first. */
  maxEntries: number;
  /** Estimated bytes kept at most (values as `size` reports them, plus a fixed overhead per entry). */
  maxBytes: number;
}

export const DEFAULT_READ_CACHE: ReadCacheLimits = { maxEntries: 20_000, maxBytes: 16 * 1024 * 1024 };

/**
 * Least recently used first out, one entry at a time: a registry larger than the cache keeps its hot entries (the
 * repositories every GET looks up) instead of losing them all whenever the cache fills up.
 */
export class ReadCache {
  readonly #version: () => number;
  readonly #header: WalHeaderWatch | undefined;
  readonly #limits: ReadCacheLimits;
  readonly #entries = new Map<string, { value: unknown; bytes: number }>();
  /** data_version and the local write count when the entries were last known current (-1: never). */
  #seenVersion = -1;
  #seenLocal = -1;
  #local = 0;
  #bytes = 0;
  /** A check ran in this turn (cleared by a process.nextTick: see #revalidate). */
  #checkedThisTurn = false;
  readonly #turnEnded = (): void => {
    this.#checkedThisTurn = false;
  };

  constructor(db: Db, limits: ReadCacheLimits = DEFAULT_READ_CACHE) {
    const stmt = db.raw.prepare('PRAGMA data_version').pluck();
    this.#version = () => stmt.get() as number;
    // Opening the database (WAL on, the schema checked) has created the -shm file; there is none in memory.
    this.#header = db.raw.memory ? undefined : walHeaderWatch(db.raw.name);
    this.#limits = limits;
  }

  /** Returns the cached value for `key`, or loads, caches and returns it. `size` estimates the bytes it holds. */
  get<T>(key: string, load: () => T, size: (value: T) => number = () => 64): T {
    this.#revalidate();
    const hit = this.#entries.get(key);
    if (hit) {
      // Map keeps insertion order: moving a hit to the end makes the first entry the least recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value as T;
    }
    const value = load();
    const bytes = size(value) + 2 * key.length + ENTRY_OVERHEAD;
    if (this.#limits.maxEntries === 0 || bytes > this.#limits.maxBytes) return value;
    while (this.#entries.size >= this.#limits.maxEntries || this.#bytes + bytes > this.#limits.maxBytes) this.#evictOldest();
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    return value;
  }

  /**
   * Drops every entry if this connection wrote, or another connection committed, since the last check. A check holds
   * until the process.nextTick queue next runs: when it ran in a promise continuation (a manifest GET's access check
   * reads the policy after an await), that is once the microtask queue has drained, so the request's manifest read
   * shares it. Whatever runs before then arrived before the I/O callback or timer that began this turn, and the check
   * ran after, so no read misses a commit another process finished before its request arrived. (Another connection in
   * this process that commits within the turn is seen from the next turn; berth opens one connection per process.)
   */
  #revalidate(): void {
    if (this.#local !== this.#seenLocal) {
      this.clear();
      this.#seenLocal = this.#local;
    }
    if (this.#checkedThisTurn) return;
    // The header is read first: a commit that lands between it and data_version is caught now by data_version (a
    // spare clear) or next time by the header, never by neither.
    if (this.#header?.unchanged() !== true) {
      let version: number;
      try {
        // data_version moves only for other connections' commits: the header also moves for our own.
        version = this.#version();
      } catch (e) {
        // The header already counts as seen: without this, a commit it showed would never be checked again.
        this.#header?.forget();
        throw e;
      }
      if (version !== this.#seenVersion) this.clear();
      this.#seenVersion = version;
    }
    this.#checkedThisTurn = true;
    process.nextTick(this.#turnEnded);
  }

  /** Called after every write through this connection. */
  invalidate(): void {
    this.#local++;
  }

  /** Replaces each cached value by what `patch` returns for it (after a write that changed only those). */
  patch(patch: (key: string, value: unknown) => unknown): void {
    for (const [key, entry] of this.#entries) entry.value = patch(key, entry.value);
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  /** How many entries and estimated bytes the cache holds now. */
  get stats(): { entries: number; bytes: number } {
    return { entries: this.#entries.size, bytes: this.#bytes };
  }

  #evictOldest(): void {
    const [key, entry] = this.#entries.entries().next().value!;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
