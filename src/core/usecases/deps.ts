// What use cases may touch: the two stores, the clock and the limits; built once by main.ts.
//
// The rule (test/architecture.test.ts enforces it): HTTP, CLI and main may call the read methods of a port directly
// (find*, list*, get*, stat, ...), but every call that changes state (a port method in WRITE_METHODS there) goes
// through a function in src/core/usecases, so each write has one home for its checks, audit actor and clock.
// A use case names the parts it uses (`Pick<MetadataStore, ...>`, a port interface), never the whole RegistryDeps
// when less will do, so a reader sees what it touches and a test can hand it a small fake.
import type { BlobStore } from '../ports/blob-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { MetadataStore } from '../ports/metadata-store.ts';
import type { UploadHashes } from './upload-hashes.ts';

export interface Limits {
  /** Largest manifest accepted, in bytes (the spec suggests 4 MiB). */
  maxManifestBytes: number;
  /** Largest page a list call returns, whatever `n` asks for. */
  maxPageSize: number;
}

/** How deletes behave; from the config's deletion and pins sections. */
export interface DeletionSettings {
  /** How long deleted tags and manifests stay restorable; 0 = not at all. */
  restoreWindowMs: number;
  /** A manifest pulled within this long counts as pinned (automatic pins); 0 = off. */
  autoPinPulledWithinMs: number;
  /** How long GC leaves what lost its last reference (gc.grace): when a delete's bytes come back (delete-preview.ts). */
  gcGraceMs: number;
}

/** The metadata methods a use case calls: `UsesMeta<'findRepository' | 'deleteManifest'>`. */
export interface UsesMeta<K extends keyof MetadataStore> {
  meta: Pick<MetadataStore, K>;
}

/** The blob store methods a use case calls. */
export interface UsesBlobs<K extends keyof BlobStore> {
  blobs: Pick<BlobStore, K>;
}

export interface RegistryDeps {
  meta: MetadataStore;
  blobs: BlobStore;
  clock: Clock;
  limits: Limits;
  hashes: UploadHashes;
  /** This process's lease id (fresh on every start): the owner its upload sessions record (process-lease.ts). */
  processId: string;
  deletion: DeletionSettings;
  repositories: {
    /** A push to an unknown repository creates it (docker's expectation); false makes it NAME_UNKNOWN (ECR's). */
    createOnPush: boolean;
  };
}
