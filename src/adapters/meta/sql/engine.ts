// The small interface the shared store assembly needs from a database: reads, cached reads, and write transactions
// with the lock each write needs. SQLite and PostgreSQL each implement it in a few dozen lines.
import type { Q } from './query.ts';

/**
 * 'registry': the whole registry model (one writer at a time); 'rows': a registry write whose queries lock what they
 * touch (queries/row-locks.ts; SQLite treats it as 'registry'); 'rows:KEY': the same, one write of KEY (a repository)
 * at a time per process; another string: a lock of its own; null: none.
 */
export type WriteLock = string | null;

/**
 * What a write that changes few cached answers does to them, instead of dropping them all: called once per cached
 * answer after the write committed, it returns the answer as the write left it (the same value when untouched).
 */
export type CachePatch = (key: string, value: unknown) => unknown;

export interface SqlEngine {
  readonly kind: 'sqlite' | 'postgres';
  /** Runs a read outside any transaction. */
  read<T>(query: () => Q<T>): Promise<T>;
  /** A hot read an engine may answer from memory while nothing changed; `size` estimates the bytes it holds. */
  cached<T>(key: string, query: () => Q<T>, size?: (value: T) => number): Promise<T>;
  /**
   * Runs `query` as one transaction. 'registry' (the default) serializes it with every other registry write and
   * drops cached reads; 'rows' serializes it with the writes that lock what it locks (and drops cached reads); a named lock serializes it only with writes of that name; null is for a write that is atomic
   * on its own (one statement, a compare-and-set). `query` is a factory: an engine may run it again after a conflict.
   * With `patch`, a committed write updates the cached answers through it instead of dropping them.
   */
  write<T>(query: () => Q<T>, lock?: WriteLock, patch?: CachePatch): Promise<T>;
  /**
   * A write that is one statement, atomic on its own (a compare-and-set, an upsert): it runs outside any transaction,
   * as the engine's autocommit, and takes no lock. A query that yields a second statement is refused.
   */
  single<T>(query: () => Q<T>): Promise<T>;
  ping(): Promise<void>;
  /** See MetadataStore.onLockWait; absent on an engine whose writers never wait for each other's locks. */
  onLockWait?(listener: (seconds: number) => void): void;
  close(): Promise<void>;
}
