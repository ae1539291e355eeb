// The SQLite MetadataStore (the embedded default): one connection, the shared queries run synchronously on it.
import type { MetadataStore } from '../../../core/index.ts';
import { assembleMetadataStore } from '../store.ts';
import { openDb } from './db.ts';
import { sqliteEngine } from './engine.ts';
import { DEFAULT_READ_CACHE } from './read-cache.ts';

export interface SqliteOptions {
  /** The database file; created (with its -wal and -shm companions) when missing. */
  file: string;
  /** How long a write waits for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
  /** Memory for cached hot reads, estimated bytes (default 16 MiB); 0 turns the cache off. */
  readCacheBytes?: number;
}

export function createSqliteMetadataStore(options: SqliteOptions): MetadataStore {
  const maxBytes = options.readCacheBytes ?? DEFAULT_READ_CACHE.maxBytes;
  // Entries are bounded too, so a cache of many tiny answers cannot outgrow its byte estimate.
  const readCache = { maxBytes, maxEntries: maxBytes === 0 ? 0 : Math.max(1_000, Math.floor(maxBytes / 512)) };
  return assembleMetadataStore(sqliteEngine(openDb(options.file, options.busyTimeoutMs ?? 5_000), readCache));
}
