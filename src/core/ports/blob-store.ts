// The byte store for content-addressed blobs and in-flight uploads; adapters (filesystem, S3) implement only this.
import type { Readable } from 'node:stream';
import type { Digest } from '../model/digest.ts';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive. */
  end: number;
}

/** Reads and removes committed blobs. Blobs are immutable once committed: same digest, same bytes. */
export interface BlobReader {
  /** Size in bytes of a committed blob, or null when the store does not hold it. */
  stat(digest: Digest): Promise<number | null>;
  /** Streams a committed blob (or a byte range of it); null when absent. The stream is never fully buffered. */
  open(digest: Digest, range?: ByteRange): Promise<Readable | null>;
  /** Removes a committed blob; true when something was removed. Used only by GC and fsck. */
  remove(digest: Digest): Promise<boolean>;
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
 */
export interface UploadWriter {
  /** Creates an empty upload area. */
  createUpload(id: string): Promise<void>;
  /**
   * Writes `chunks` starting at byte `offset`, first discarding anything stored past `offset`
   * (bytes a crashed request left behind are never trusted). Resolves with the new size once the
   * bytes are durable enough to resume from. Rejects with RegistryError BLOB_UPLOAD_UNKNOWN if the
   * upload area does not exist.
   */
  appendUpload(id: string, offset: number, chunks: AsyncIterable<Uint8Array>): Promise<number>;
  /** Streams bytes [0, length) of an upload area, used to rebuild the hash after a restart. */
  readUpload(id: string, length: number): AsyncIterable<Uint8Array>;
  /**
   * Atomically turns the first `length` bytes of an upload area into the committed blob `digest`
   * (the caller has verified the digest) and removes the area. Idempotent if the blob already exists.
   */
  commitUpload(id: string, length: number, digest: Digest): Promise<void>;
  /** Removes an upload area; no error when it is already gone. */
  removeUpload(id: string): Promise<void>;
  /** Ids of every upload area present, for expiry and fsck. */
  listUploads(): AsyncIterable<string>;
}

export interface BlobStore extends BlobReader, UploadWriter {
  /** A short name for logs and metrics, e.g. "fs" or "s3". */
  readonly kind: string;
  /** Cheap reachability probe for /readyz: rejects when the store cannot serve requests now. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
