// The SQLite MetadataStore (the embedded default): one connection, the shared queries run synchronously on it.
import type { MetadataStore } from '../../../core/index.ts';
import { assembleMetadataStore } from '../store.ts';
import { openDb } from './db.ts';
import { sqliteEngine } from './engine.ts';

export interface SqliteOptions {
  /** The database file; created (with its -wal and -shm companions) when missing. */
  file: string;
  /** How long a write waits for another connection's write lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

export function createSqliteMetadataStore(options: SqliteOptions): MetadataStore {
  return assembleMetadataStore(sqliteEngine(openDb(options.file, options.busyTimeoutMs ?? 5_000)));
}
