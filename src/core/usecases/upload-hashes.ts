// Keeps each upload's running hash in memory (Node's native SHA-256 is ~6x faster here than a serialisable
// WASM hash), and rebuilds it from the durable bytes after a restart, so sessions survive restarts at full speed.
import type { Hash } from 'node:crypto';
import { newHasher, type Algorithm } from '../model/digest.ts';
import type { UploadWriter } from '../ports/blob-store.ts';

interface Entry {
  hash: Hash;
  offset: number;
}

export class UploadHashes {
  readonly #entries = new Map<string, Entry>();
  readonly #locks = new Map<string, Promise<unknown>>();
  readonly #store: UploadWriter;

  constructor(store: UploadWriter) {
    this.#store = store;
  }

  /**
   * Runs `fn` while no other request works on the same upload in this process; the metadata
   * store's compare-and-set on the offset settles races between processes.
   */
  async exclusive<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.then(() => undefined, () => undefined);
    this.#locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    }
  }

  /** A copy of the hash state at `offset` (copy, so a failed request never pollutes the kept state). */
  async at(id: string, offset: number, algorithm: Algorithm = 'sha256'): Promise<Hash> {
    const entry = this.#entries.get(id);
    if (entry && entry.offset === offset && algorithm === 'sha256') return entry.hash.copy();
    const hash = newHasher(algorithm);
    if (offset > 0) for await (const chunk of this.#store.readUpload(id, offset)) hash.update(chunk);
    if (algorithm === 'sha256') this.#entries.set(id, { hash: hash.copy(), offset });
    return hash;
  }

  /** Keeps the state reached after a request's bytes were made durable. */
  remember(id: string, offset: number, hash: Hash): void {
    this.#entries.set(id, { hash: hash.copy(), offset });
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }
}
