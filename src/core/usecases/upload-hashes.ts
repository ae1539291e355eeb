// Keeps each upload's running hash in memory (Node's native SHA-256 is ~6x faster here than a serialisable
// WASM hash). A PATCH that finds no state at its offset (after a restart, or because the previous PATCH went to
// another replica) streams on unhashed, and the closing PUT rebuilds the hash from the accepted parts once: one
// re-read per upload instead of one per PATCH, so chunked uploads spread over replicas stay linear.
import type { Hash } from 'node:crypto';
import { type Algorithm, newHasher } from '../model/digest.ts';
import type { UploadPart } from '../model/records.ts';
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
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#locks.set(id, settled);
    try {
      return await run;
    } finally {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    }
  }

  /** A copy of the kept state at `offset` (a fresh hash at 0), or null when this process has none for that offset. */
  peek(id: string, offset: number): Hash | null {
    if (offset === 0) return newHasher('sha256');
    const entry = this.#entries.get(id);
    return entry && entry.offset === offset ? entry.hash.copy() : null;
  }

  /** The hash state at `offset` (copy, so a failed request never pollutes the kept state), rebuilt from `parts` if needed. */
  async at(id: string, offset: number, parts: readonly UploadPart[], algorithm: Algorithm = 'sha256'): Promise<Hash> {
    const entry = this.#entries.get(id);
    if (entry && entry.offset === offset && algorithm === 'sha256') return entry.hash.copy();
    const hash = newHasher(algorithm);
    if (offset > 0) for await (const chunk of this.#store.readUpload(id, offset, parts)) hash.update(chunk);
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
