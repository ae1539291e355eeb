// Everything the registry knows besides blob bytes. Each mutating method is one atomic transaction in the adapter,
// so the reference index (blob -> manifest, manifest -> child/subject) can never disagree with the manifests.
import type { Digest } from '../model/digest.ts';
import type {
  AccessKey, Actor, AuditEvent, BlobLink, ManifestSummary, Repository, StoredManifest, UploadSession,
} from '../model/records.ts';

export interface Page {
  /** Return entries strictly after this one (lexical order). */
  after?: string | undefined;
  limit: number;
}

export interface NewManifest {
  repository: string;
  digest: Digest;
  mediaType: string;
  artifactType: string | null;
  subject: Digest | null;
  annotations: Record<string, string> | null;
  body: Uint8Array;
  /** Config and layer blobs; each must be linked to the repository. */
  blobs: Digest[];
  /** Index children; each must be a manifest of the repository. */
  children: Digest[];
  tag: string | null;
  at: Date;
  actor: Actor;
}

export type PutManifestOutcome =
  | { kind: 'stored'; repository: Repository }
  | { kind: 'missing'; blobs: Digest[]; manifests: Digest[] }
  | { kind: 'tag-immutable'; tag: string; current: Digest };

export interface DeletedManifests {
  /** The manifest asked for first, then referrers removed with it. */
  manifests: Digest[];
  tags: string[];
}

export type UnlinkOutcome = { kind: 'unlinked' } | { kind: 'unknown' } | { kind: 'referenced'; by: Digest[] };

export type DeleteRepositoryOutcome =
  | { kind: 'deleted'; repository: Repository; manifests: number }
  | { kind: 'unknown' }
  | { kind: 'not-empty'; manifests: number };

export interface RepositoryCatalog {
  findRepository(name: string): Promise<Repository | null>;
  /** Live repository names in lexical order. */
  listRepositories(page: Page): Promise<string[]>;
  /**
   * Deletes a repository in O(1): the name is freed at once (a new push starts empty) and its
   * content is left to garbage collection. Refused while it holds manifests unless `force`.
   */
  deleteRepository(name: string, force: boolean, actor: Actor, at: Date): Promise<DeleteRepositoryOutcome>;
}

export interface BlobIndex {
  /** The blob as linked to this repository, or null when the repository cannot see it. */
  findBlob(repository: string, digest: Digest): Promise<BlobLink | null>;
  /** Records a blob whose bytes are committed, creating the repository if new, and links it. */
  linkBlob(repository: string, blob: BlobLink, actor: Actor, at: Date): Promise<void>;
  /** Links a blob from `from` into `to` if `from` holds it; null otherwise. */
  mountBlob(from: string, to: string, digest: Digest, actor: Actor, at: Date): Promise<BlobLink | null>;
  /** Removes a blob from a repository unless a manifest of the repository still uses it. */
  unlinkBlob(repository: string, digest: Digest, actor: Actor, at: Date): Promise<UnlinkOutcome>;
}

export interface ManifestIndex {
  /** Stores a manifest, its references and optional tag in one transaction, or says what is missing. */
  putManifest(manifest: NewManifest): Promise<PutManifestOutcome>;
  getManifest(repository: string, reference: { tag: string } | { digest: Digest }): Promise<StoredManifest | null>;
  /** Manifests of the repository whose subject is `subject`. */
  listReferrers(repository: string, subject: Digest): Promise<ManifestSummary[]>;
  /** Deletes a manifest and its tags, cascading to referrers whose subject it is; null when unknown. */
  deleteManifest(repository: string, digest: Digest, actor: Actor, at: Date): Promise<DeletedManifests | null>;
  /** Removes one tag; returns the digest it pointed to, or null when the tag is unknown. */
  deleteTag(repository: string, tag: string, actor: Actor, at: Date): Promise<Digest | null>;
  /** Tags in lexical order, or null when the repository is unknown. */
  listTags(repository: string, page: Page): Promise<string[] | null>;
  /** Records last-pulled times (batched by the caller). */
  recordPulls(pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): Promise<void>;
}

export interface UploadSessions {
  createUpload(session: UploadSession): Promise<void>;
  getUpload(id: string): Promise<UploadSession | null>;
  /** Moves the offset forward only if it is still `from` (compare-and-set); false when it moved meanwhile. */
  advanceUpload(id: string, from: number, to: number, at: Date): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  /** Sessions not touched since `before`. */
  listIdleUploads(before: Date, limit: number): Promise<UploadSession[]>;
}

export interface AccessKeys {
  createAccessKey(key: AccessKey): Promise<void>;
  findAccessKey(id: string): Promise<AccessKey | null>;
  listAccessKeys(): Promise<AccessKey[]>;
  deleteAccessKey(id: string): Promise<boolean>;
}

export interface AuditLog {
  /** Newest first; `before` is an event id for paging. */
  listAudit(page: { before?: number | undefined; limit: number }): Promise<AuditEvent[]>;
}

export interface MetadataStore extends RepositoryCatalog, BlobIndex, ManifestIndex, UploadSessions, AccessKeys, AuditLog {
  /** A short name for logs and metrics, e.g. "sqlite" or "postgres". */
  readonly kind: string;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
