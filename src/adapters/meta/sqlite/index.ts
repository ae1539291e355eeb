// Public surface of the SQLite metadata adapter.
export { createSqliteMetadataStore, type SqliteOptions } from './store.ts';
