// The byte store for content-addressed blobs and in-flight uploads; adapters (filesystem, S3) implement only this.
import type { Readable } from 'node:stream';
import type { Digest } from '../model/digest.ts';
import type { UploadPart } from '../model/records.ts';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** An open committed blob, read at positions. */
export interface BlobFile {
  /** Reads up to `into.byteLength` bytes from `position` into `into`; fewer only at the end, 0 past it. */
  read(into: Uint8Array, position: number): Promise<number>;
  close(): Promise<void>;
}

/** What became of one digest of a batched removal. */
export type RemoveOutcome = 'removed' | 'missing' | 'failed';

/** Reads and removes committed blobs. Blobs are immutable once committed: same digest, same bytes. */
export interface BlobReader {
  /** Size in bytes of a committed blob, or null when the store does not hold it. */
  stat(digest: Digest): Promise<number | null>;
  /** Streams a committed blob (or a byte range of it); null when absent. The stream is never fully buffered. */
  open(digest: Digest, range?: ByteRange): Promise<Readable | null>;
  /**
   * Optional: positional reads of a committed blob (stores with random access, the filesystem); null when absent. A
   * server streams through buffers it reuses then, instead of a stream that allocates a buffer per read.
   */
  openFile?(digest: Digest): Promise<BlobFile | null>;
  /** Removes a committed blob; true when something was removed. Used only by GC and fsck. */
  remove(digest: Digest): Promise<boolean>;
  /**
   * Removes many committed blobs at once (GC, fsck), as fast as the store allows (parallel unlinks, batched deletes),
   * and says for each digest whether its bytes were removed, were already gone, or could not be removed (a `failed`
   * digest may or may not still be there). Once `signal` is aborted no further removal starts, and one in flight either
   * ends at once or is abandoned as `failed`: the caller owns the digests only for a lease, and a removal must never
   * outlive it. Every digest given gets an answer.
   */
  removeMany(digests: readonly Digest[], signal?: AbortSignal): Promise<Map<Digest, RemoveOutcome>>;
  /** Every committed digest, for consistency checks (fsck); order unspecified. */
  list(): AsyncIterable<Digest>;
  /**
   * Optional: a URL, valid for `ttlSeconds`, from which a client can GET the committed blob straight from the store
   * (a presigned S3 URL), so pulls need not stream through the registry. Null when the store offers no such URL or
   * redirects are switched off: callers then stream through `open`. It does not check that the blob exists, so
   * callers hand it out only for blobs their metadata knows.
   */
  downloadUrl?(digest: Digest, ttlSeconds: number): Promise<string | null>;
}

/**
 * Upload areas: bytes of an upload session before they become a blob.
 * An upload is identified by an opaque id chosen by core (a UUID); its bytes are append-only.
 *
 * Two kinds of store implement this. One whose area a single process writes in place (the filesystem: one file per
 * upload, guarded by the in-process upload lock) may ignore `parts` and answer ref ''. One whose areas several
 * replicas write (S3) must write every append as a new, immutable object named by a fresh `ref` and never touch
 * existing ones, and must read and commit exactly the listed parts: an append whose compare-and-set lost (a stale or
 * concurrent request on another replica) then leaves only garbage that nobody reads, never changed bytes.
 */
export interface UploadWriter {
  /** Creates an empty upload area. */
  createUpload(id: string): Promise<void>;
  /**
   * Writes `chunks` as the part of the area that starts at byte `offset` (bytes a failed request left past `offset`
   * are never trusted). Resolves with the new total size and the part's ref once the bytes are durable enough to
   * resume from. Rejects with RegistryError BLOB_UPLOAD_UNKNOWN if the upload area does not exist. `length`, when the
   * client declared it, is how many bytes `chunks` should yield: a store may then stream them without buffering, and
   * fails the append when the source ends short or runs long (one that ignores it leaves that check to core).
   */
  appendUpload(id: string, offset: number, chunks: AsyncIterable<Uint8Array>, length?: number): Promise<{ size: number; ref: string }>;
  /** Streams bytes [0, length) of the listed parts, used to rebuild the hash (after a restart, or on another replica). */
  readUpload(id: string, length: number, parts: readonly UploadPart[]): AsyncIterable<Uint8Array>;
  /**
   * Atomically turns the listed parts (`length` bytes in all) into the committed blob `digest` (the caller has
   * verified the digest) and removes the area. Idempotent if the blob already exists.
   */
  commitUpload(id: string, length: number, digest: Digest, parts: readonly UploadPart[]): Promise<void>;
  /**
   * Optional: writes `bytes`, a whole blob whose digest the caller has verified, straight to the committed blob `digest`
   * and removes upload area `id`, which holds no accepted part; in place of appendUpload and commitUpload for a small
   * upload sent whole in its closing request. For stores where every call is a network round trip (S3: one PUT and one
   * DELETE instead of a PUT, a HEAD, a COPY and a DeleteObjects), and for the filesystem (one write and fdatasync, no
   * reopen, truncate or stats). Idempotent, like commitUpload.
   */
  commitBytes?(id: string, digest: Digest, bytes: Uint8Array): Promise<void>;
  /** Removes an upload area; no error when it is already gone. */
  removeUpload(id: string): Promise<void>;
  /** Ids of every upload area present, for expiry and fsck. */
  listUploads(): AsyncIterable<string>;
}

/**
 * Something in the store's own space that is neither a committed blob nor an upload area: a name no port call makes (a
 * foreign or half-renamed file, an object under the prefix with a foreign key), a crash leftover in scratch space, or
 * an unfinished multipart upload outside any upload area (a commit killed mid-copy). Whatever sits inside an upload
 * area belongs to that area (listUploads lists it, removeUpload takes it along) and is never a stray.
 */
export interface Stray {
  /** 'file' on the filesystem; 'object' or 'multipart' (an unfinished multipart upload) on S3. */
  kind: 'file' | 'object' | 'multipart';
  /** Its path under the store's root, or its key (with the prefix). */
  key: string;
  /** When it was last written (a multipart upload: started), by the store's clock. */
  modifiedAt: Date;
  /** Bytes it holds, when the listing says (a multipart upload's parts are not counted). */
  size?: number;
  /** The multipart upload's id: what aborting it needs. */
  uploadId?: string;
}

/**
 * Finding and removing strays, for fsck. The store judges only by name and place (what no live blob or upload area
 * can be); the caller judges by age, since a commit in flight has the shape of a stray (a multipart upload under
 * blobs/) until it completes: it removes only strays older than anything in flight can be.
 */
export interface StrayFinder {
  /** Every stray in the store's space, in no particular order. */
  listStrays(): AsyncIterable<Stray>;
  /**
   * Removes a stray as listed; false when it is gone already or changed since it was listed (a file written again has
   * a new modification time, so an older listing cannot remove it).
   */
  removeStray(stray: Stray): Promise<boolean>;
}

export interface BlobStore extends BlobReader, UploadWriter, StrayFinder {
  /** A short name for logs and metrics, e.g. "fs" or "s3". */
  readonly kind: string;
  /** Cheap reachability probe for /readyz: rejects when the store cannot serve requests now. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
