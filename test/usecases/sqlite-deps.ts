// The registry the upload use-case tests drive: SQLite metadata in `dir` around whichever blob store the test wraps.
import { join } from 'node:path';
import { createSqliteMetadataStore } from '../../src/adapters/meta/sqlite/index.ts';
import { type BlobStore, type RegistryDeps, systemClock, UploadHashes } from '../../src/core/index.ts';

export function sqliteDeps(dir: string, blobs: BlobStore): RegistryDeps {
  return {
    blobs,
    meta: createSqliteMetadataStore({ file: join(dir, 'meta.db') }),
    clock: systemClock,
    hashes: new UploadHashes(blobs),
    processId: 'test-process',
    deletion: { restoreWindowMs: 0, autoPinPulledWithinMs: 0, gcGraceMs: 0 },
    repositories: { createOnPush: true },
    limits: { maxManifestBytes: 4 << 20, maxPageSize: 1000 },
  };
}
