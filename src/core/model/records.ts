// Plain records that flow between use cases and the metadata store; no behaviour, no I/O.
import type { Digest } from './digest.ts';
import type { TagMutability } from './tag-mutability.ts';

export type ArtifactKind = 'image' | 'helm-chart';

export interface Repository {
  /** Stable id: "crr-" + 16 lowercase alphanumerics (the ACR RepoId). */
  id: string;
  name: string;
  artifactKind: ArtifactKind;
  tagMutability: TagMutability;
  /** The wildcard filters naming the tags that are the exception to tagMutability; only with a *_WITH_EXCLUSION mode. */
  tagMutabilityExclusions?: string[];
  createdAt: Date;
}

export interface ManifestSummary {
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  subject: Digest | null;
  annotations: Record<string, string> | null;
  size: number;
  pushedAt: Date;
  lastPulledAt: Date | null;
}

export interface StoredManifest extends ManifestSummary {
  /** The exact bytes that were pushed. */
  body: Uint8Array;
}

export interface BlobLink {
  digest: Digest;
  size: number;
}

/**
 * A durable piece of an upload area: the bytes one accepted append wrote, from `offset`, named `ref` by the store.
 * The metadata store keeps the list of accepted parts with the session (recorded by the same compare-and-set that
 * moves the offset), so every replica reads and commits exactly the bytes that were acknowledged.
 */
export interface UploadPart {
  offset: number;
  size: number;
  ref: string;
}

export interface UploadSession {
  id: string;
  repository: string;
  /** Bytes received and made durable so far. */
  offset: number;
  startedAt: Date;
  updatedAt: Date;
  /** The digest this session claimed when it began to commit (GC never reclaims a claimed digest). */
  claimed?: Digest | null;
  /** The accepted appends, in order (as read from the metadata store; empty for a new session). */
  parts?: UploadPart[];
  /** The process (its lease id) that last worked on the session; absent on sessions from before leases existed. */
  owner?: string;
}

/**
 * The HTTP dialects berth speaks, by the name their metric label and audit rows carry ("api" is the berth management
 * API under /berth/v1). Core names them (it cannot import http); src/http/dialects.ts must describe each exactly once.
 */
export type HttpDialect = 'oci' | 'ecr' | 'acr' | 'ncr' | 'swr' | 'api' | 'token';

/**
 * Where a recorded change came from: an HTTP dialect that acts for a caller (the token endpoint only issues tokens, so
 * it never does), or an origin that is no HTTP dialect: the CLI working on the store directly, and online GC.
 */
export type ActorOrigin = Exclude<HttpDialect, 'token'> | 'cli' | 'gc' | 'lifecycle';

/** Who did something and through which API; recorded with every mutation. */
export interface Actor {
  /** Access key id, or "anonymous" / "cli:<user>". */
  principal: string;
  dialect: ActorOrigin;
}

export interface AuditEvent {
  id: number;
  at: Date;
  principal: string;
  /** Kept a string: rows written by older versions (or by hand) may hold origins this version does not know. */
  dialect: string;
  action: string;
  repository: string | null;
  target: string | null;
  detail: Record<string, unknown> | null;
}

/** One permission grant: repositories matched by a glob ("team/*", "*") and the actions allowed. */
export interface Grant {
  repositories: string;
  actions: Action[];
}

/** 'pin-sync' is registry-wide only (granted on "*"): it lets a key replace pin sets (PUT /berth/v1/pin-sets/{source}) and nothing else. */
export type Action = 'pull' | 'push' | 'delete' | 'admin' | 'pin-sync';

export interface AccessKey {
  id: string;
  name: string;
  /** SHA-256 of the secret, hex: the secret is random and long, so a fast hash is enough for Basic auth. */
  secretHash: string;
  /** The secret sealed with the server's master key; signature schemes (SigV4, ACS3...) need the secret itself. */
  sealedSecret: string;
  grants: Grant[];
  createdAt: Date;
  lastUsedAt: Date | null;
}

/**
 * A deployment reference: "deployment X runs manifest D of repository R". While it lives, no delete path may
 * remove D, the children of D (when D is an index) or the subjects D hangs from, unless the caller overrides.
 */
export interface Pin {
  /** "pin-" + 16 lowercase alphanumerics; "auto-pull" for the automatic pin of a recently pulled manifest. */
  id: string;
  repository: string;
  digest: Digest;
  reason: string;
  /** Who made it: the principal that created it, or an owner named at creation. */
  owner: string;
  createdAt: Date;
  expiresAt: Date | null;
  /** The pin set that wrote it (`berth pin sync --source`), which replaces it on its next sync; null for a pin made by hand. */
  source: string | null;
}

/** A tag deleted (alone or with its manifest) that can still be brought back. */
export interface DeletedTag {
  repository: string;
  tag: string;
  digest: Digest;
  deletedAt: Date;
}
