// Everything the registry knows besides blob bytes. Each mutating method is one atomic transaction in the adapter,
// so the reference index (blob -> manifest, manifest -> child/subject) can never disagree with the manifests.
import type { Digest } from '../model/digest.ts';
import type { AccessKey, Actor, AuditEvent, BlobLink, DeletedTag, ManifestSummary, Pin, Repository, StoredManifest, UploadSession } from '../model/records.ts';
import type { ConsoleBrowser } from './console.ts';
import type { DeletePreviewReader } from './delete-preview.ts';
import type { GcHistory } from './gc-history.ts';
import type { GcStore } from './gc-store.ts';
import type { LifecycleStore } from './lifecycle-store.ts';
import type { NamespaceStore, RepositoryBrowser } from './namespaces.ts';
import type { RepositoryAdmin } from './repository-admin.ts';
import type { RequestLedger } from './request-ledger.ts';

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
  /** Pins the caller chose to break (they are removed and named in the audit event). */
  brokenPins: Pin[];
}

/**
 * How a delete treats deployment references. The adapter evaluates it inside the delete's own transaction, so a
 * pin created concurrently can never be missed.
 */
export interface PinPolicy {
  /** Delete even what is pinned (the caller has checked the right to); the pins go and are recorded. */
  breakPins: boolean;
  /** Manifests pulled at or after this instant count as pinned (automatic pins); null turns that off. */
  pulledSince: Date | null;
}

/** A closing chunk's offset move [from, to), recorded as part `ref`: what advanceUpload takes, for claimUploadDigest. */
export interface UploadAdvance {
  from: number;
  to: number;
  ref: string;
}

/** Why a delete happened, beyond who asked: merged into its audit event's detail (a retention run names its rule). */
export type AuditNote = Readonly<Record<string, unknown>>;

export type DeleteManifestOutcome = ({ kind: 'deleted' } & DeletedManifests) | { kind: 'unknown' } | { kind: 'pinned'; pins: Pin[] };

export type DeleteTagOutcome =
  | { kind: 'deleted'; digest: Digest; manifests: Digest[]; brokenPins: Pin[] }
  | { kind: 'unknown' }
  | { kind: 'pinned'; pins: Pin[] };

export type UnlinkOutcome = { kind: 'unlinked' } | { kind: 'unknown' } | { kind: 'referenced'; by: Digest[] };

export type DeleteRepositoryOutcome =
  | { kind: 'deleted'; repository: Repository; brokenPins: Pin[] }
  | { kind: 'unknown' }
  | { kind: 'not-empty' }
  | { kind: 'pinned'; pins: Pin[] };

export interface RepositoryCatalog {
  findRepository(name: string): Promise<Repository | null>;
  /** Live repository names in lexical order. */
  listRepositories(page: Page): Promise<string[]>;
  /**
   * Deletes a repository in O(1): the name is freed at once (a new push starts empty) and its
   * content is left to garbage collection. Refused while it holds manifests unless `force`. With `onlyId`, a live
   * repository of that name with another id (deleted and pushed again meanwhile) counts as unknown.
   */
  deleteRepository(name: string, force: boolean, actor: Actor, at: Date, policy: PinPolicy, onlyId?: string): Promise<DeleteRepositoryOutcome>;
}

export interface BlobIndex {
  /** The blob as linked to this repository, or null when the repository cannot see it. */
  findBlob(repository: string, digest: Digest): Promise<BlobLink | null>;
  /**
   * Records a blob whose bytes are committed, creating the repository if new, and links it. With `closing`, the upload
   * session whose bytes these are ends in the same transaction (one commit per finished upload instead of two).
   */
  linkBlob(repository: string, blob: BlobLink, actor: Actor, at: Date, closing?: string): Promise<void>;
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
  /**
   * Deletes a manifest and its tags, cascading to referrers whose subject it is. Refused ('pinned') when a pin
   * protects any of them, unless the policy breaks pins. What goes is kept restorable (see Trash) until GC purges it.
   */
  deleteManifest(repository: string, digest: Digest, actor: Actor, at: Date, policy: PinPolicy, note?: AuditNote): Promise<DeleteManifestOutcome>;
  /**
   * Removes one tag. With `dropUntagged` (ECR's rule) a manifest left with no tag and no parent index is deleted
   * with it, under the same pin rules as deleteManifest; without it the manifest stays and pins are not involved.
   */
  deleteTag(
    repository: string,
    tag: string,
    actor: Actor,
    at: Date,
    options: { policy: PinPolicy; dropUntagged: boolean; onlyId?: string; note?: AuditNote },
  ): Promise<DeleteTagOutcome>;
  /** Tags in lexical order, or null when the repository is unknown. */
  listTags(repository: string, page: Page): Promise<string[] | null>;
  /** Records last-pulled times (batched by the caller). */
  recordPulls(pulls: ReadonlyArray<{ repository: string; digest: Digest; at: Date }>): Promise<void>;
}

export interface UploadSessions {
  createUpload(session: UploadSession): Promise<void>;
  /** The session with its accepted parts in order. */
  getUpload(id: string): Promise<UploadSession | null>;
  /**
   * Moves the offset forward only if it is still `from` (compare-and-set) and records the part [from, to) named
   * `ref` in the same transaction; false when it moved meanwhile (the part is then not recorded).
   */
  advanceUpload(id: string, from: number, to: number, at: Date, ref: string): Promise<boolean>;
  deleteUpload(id: string): Promise<void>;
  /** Sessions not touched since `before`. */
  listIdleUploads(before: Date, limit: number): Promise<UploadSession[]>;
  /**
   * Marks the session as about to commit `digest`, which GC then never reclaims until the session ends. 'purging' while
   * GC is reclaiming that digest (the caller waits for the purge to finish, then claims again); a purge marker begun
   * before `staleBefore` belongs to a dead sweeper and is taken over (dropped) by the claim. With `advance`, the
   * offset moves first in the same transaction, exactly as advanceUpload would (a closing PUT's last chunk: one commit
   * instead of two); 'moved' when that compare-and-set fails (nothing is written), and the advance stands whatever the
   * claim answers after it.
   */
  claimUploadDigest(
    id: string,
    digest: Digest,
    at: Date,
    staleBefore: Date,
    advance?: UploadAdvance,
  ): Promise<'claimed' | 'purging' | 'unknown-session' | 'moved'>;
  /** Makes `owner` the session's owner (and touches it); false when the session is gone. */
  adoptUpload(id: string, owner: string, at: Date): Promise<boolean>;
  /**
   * Sessions with an owner whose process lease is not running at `now` (it ran out by the expiry its owner wrote, or is
   * gone; a lease without an expiry counts as running when renewed since `idleBefore`), untouched since `idleBefore`,
   * oldest first. Sessions without an owner (older than leases) are never listed.
   */
  listAbandonedUploads(idleBefore: Date, now: Date, limit: number): Promise<UploadSession[]>;
  /** Deletes the session (and its parts) only if it is still abandoned by the same test; true when it went. */
  expireAbandonedUpload(id: string, idleBefore: Date, now: Date): Promise<boolean>;
}

/** Every serving process holds a lease it renews; a session whose owner's lease ran out belongs to a dead process. */
export interface ProcessLeases {
  /**
   * Creates or renews the lease `id`, running until `expiresAt` (its owner's own lease length: whoever judges it uses
   * that, not theirs), and forgets leases not renewed since `forgetBefore`.
   */
  renewProcessLease(id: string, at: Date, expiresAt: Date, forgetBefore: Date): Promise<void>;
  endProcessLease(id: string): Promise<void>;
}

export interface AccessKeys {
  /** Audited as `actor` (an admin over the berth API); default the operator (the CLI). */
  createAccessKey(key: AccessKey, actor?: Actor): Promise<void>;
  findAccessKey(id: string): Promise<AccessKey | null>;
  listAccessKeys(): Promise<AccessKey[]>;
  deleteAccessKey(id: string, actor?: Actor): Promise<boolean>;
}

export interface AuditLog {
  /** Newest first; `before` is an event id for paging; optionally one repository's or one action prefix's events. */
  listAudit(page: { before?: number | undefined; limit: number; repository?: string | undefined; action?: string | undefined }): Promise<AuditEvent[]>;
}

export interface NewPin {
  repository: string;
  digest: Digest;
  reason: string;
  owner: string;
  expiresAt: Date | null;
  at: Date;
  actor: Actor;
}

export type CreatePinOutcome = { kind: 'created'; pin: Pin } | { kind: 'unknown-repository' } | { kind: 'unknown-manifest' };

/** One image a pin set asks to keep pinned. */
export interface PinSetEntry {
  repository: string;
  digest: Digest;
}

/** The whole pin set of one source, as a deployment platform reports it now. */
export interface PinSetReplacement {
  source: string;
  /** Distinct (repository, digest) pairs. */
  pins: readonly PinSetEntry[];
  reason: string;
  owner: string;
  /** The expiry of every pin of the set, kept ones included (a source that stops syncing lets its pins lapse). */
  expiresAt: Date | null;
  at: Date;
  actor: Actor;
}

export interface PinSetOutcome {
  added: number;
  kept: number;
  removed: number;
  /** Entries whose repository or manifest is not live (deleted meanwhile, never pushed): not pinned. */
  missing: PinSetEntry[];
}

export interface PinRegistry {
  /** Pins a live manifest of a live repository. */
  createPin(pin: NewPin): Promise<CreatePinOutcome>;
  /** Unexpired pins (at `now`), by id; optionally of one repository. */
  listPins(filter: { repository?: string | undefined; now: Date; after?: string | undefined; limit: number }): Promise<Pin[]>;
  /** A pin by id (expired ones too, until GC removes them); null when unknown. */
  findPin(id: string): Promise<Pin | null>;
  /** Removes a pin; what it protected may become a GC candidate again. Null when unknown. */
  deletePin(id: string, actor: Actor, at: Date): Promise<Pin | null>;
  /**
   * Makes the pins of `set.source` exactly `set.pins` in one transaction: new entries are pinned, pins still
   * reported are kept (their expiry renewed), the others removed (what they protected is reviewed by GC again);
   * one audit event with the counts. Pins of other sources and pins made by hand are never touched.
   */
  replacePinSet(set: PinSetReplacement): Promise<PinSetOutcome>;
}

export type RestoreOutcome =
  | { kind: 'restored'; digest: Digest; tags: string[]; manifests: Digest[] }
  | { kind: 'unknown' }
  | { kind: 'tag-immutable'; tag: string; current: Digest }
  /** A child of a restored index was deleted for good meanwhile. */
  | { kind: 'incomplete'; missing: Digest[] };

/**
 * Deleted tags and manifests stay restorable until GC purges them (after the restore window), invisible to every
 * pull and list path meanwhile, like Quay's time machine.
 */
export interface Trash {
  /** Restorable deleted tags deleted at or after `since`, newest first. */
  listDeletedTags(repository: string, since: Date, limit: number): Promise<DeletedTag[]>;
  /**
   * Brings back a tag (its newest deletion since `since`, with its manifest if that was deleted too) or a manifest
   * by digest, with the tags and referrers deleted together with it.
   */
  restore(repository: string, ref: { tag: string } | { digest: Digest }, since: Date, actor: Actor, at: Date): Promise<RestoreOutcome>;
}

export interface MetadataStore
  extends RepositoryCatalog,
    BlobIndex,
    ManifestIndex,
    UploadSessions,
    ProcessLeases,
    AccessKeys,
    AuditLog,
    PinRegistry,
    Trash,
    GcStore,
    LifecycleStore,
    RepositoryAdmin,
    NamespaceStore,
    RepositoryBrowser,
    ConsoleBrowser,
    DeletePreviewReader,
    GcHistory,
    RequestLedger {
  /** A short name for logs and metrics, e.g. "sqlite" or "postgres". */
  readonly kind: string;
  /** Cheap liveness probe for /readyz. */
  ping(): Promise<void>;
  /**
   * Tells `listener` how long each write waited for the locks it needed (seconds), for /metrics; a store whose writes
   * never wait on one another (SQLite's one in-process writer) leaves it out.
   */
  onLockWait?(listener: (seconds: number) => void): void;
  close(): Promise<void>;
}
