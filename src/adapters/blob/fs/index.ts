// Public surface of the filesystem blob adapter.
export { createFsBlobStore, type FsBlobStoreOptions } from './fs-blob-store.ts';
