// Public surface of the PostgreSQL metadata adapter.
export { createPostgresMetadataStore, type PostgresOptions } from './store.ts';
