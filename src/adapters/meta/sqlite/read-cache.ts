// Hot reads (manifest GET, blob HEAD, tag lists) served from memory. SQLite's data_version changes whenever
// another connection (the CLI, a second process) commits, and our own writes bump a local counter, so a cached
// answer can never outlive a delete; the check costs ~3 µs against ~40 µs for the read it saves.
import type { Db } from './db.ts';

const MAX_ENTRIES = 20_000;
const MAX_BYTES = 64 * 1024 * 1024;

export class ReadCache {
  readonly #version: () => number;
  readonly #entries = new Map<string, { value: unknown; bytes: number }>();
  #seen = -1;
  #local = 0;
  #bytes = 0;

  constructor(db: Db) {
    const stmt = db.raw.prepare('PRAGMA data_version').pluck();
    this.#version = () => stmt.get() as number;
  }

  /** Returns the cached value for `key`, or loads, caches and returns it. `size` estimates the bytes it holds. */
  get<T>(key: string, load: () => T, size: (value: T) => number = () => 64): T {
    const version = this.#version() * 1_000_000_000 + this.#local;
    if (version !== this.#seen) {
      this.clear();
      this.#seen = version;
    }
    const hit = this.#entries.get(key);
    if (hit) return hit.value as T;
    const value = load();
    const bytes = size(value) + key.length;
    if (this.#entries.size >= MAX_ENTRIES || this.#bytes + bytes > MAX_BYTES) this.clear();
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    return value;
  }

  /** Called after every write through this connection. */
  invalidate(): void {
    this.#local++;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}
