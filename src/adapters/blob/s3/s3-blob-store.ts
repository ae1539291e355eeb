// The BlobStore port on an S3-compatible object store, for many stateless replicas sharing one bucket: every byte and
// every bit of upload state is in the bucket, so any replica can serve any request and none holds anything to lose.
import { DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { type BlobStore, type ByteRange, type Digest, RegistryError } from '../../../core/index.ts';
import { commitArea, commitWhole } from './commit.ts';
import { s3, s3OrAbsent } from './errors.ts';
import { KeyLayout } from './keys.ts';
import { type Bucket, getStream, headSize, listObjects } from './objects.ts';
import { removeBlobs } from './remove-many.ts';
import { listS3Strays, removeS3Stray } from './strays.ts';
import { type AreaContext, appendPart, createArea, readUploadBytes, removeArea } from './upload-area.ts';

const MiB = 1024 * 1024;

export interface S3StoreOptions {
  client: S3Client;
  /** Client for streamed GETs and appends (default: `client`); see client.ts for why they are separate. */
  transferClient?: S3Client | undefined;
  bucket: string;
  /** Key prefix, "" or ending in "/". */
  prefix: string;
  /** Answer downloadUrl with presigned GET URLs (clients then fetch blobs from the store directly). */
  redirect?: boolean | undefined;
  /** Multipart part size of an append or streamed commit (default 8 MiB; S3's minimum is 5 MiB). */
  partSize?: number | undefined;
  /** Parts of one transfer in flight (default 4). */
  queueSize?: number | undefined;
  /** Destroy the client on close (default true). */
  ownsClient?: boolean | undefined;
}

/** A removal gives up after this long (UNAVAILABLE; GC retries it later): far inside the 10 s purge lease. */
const REMOVE_DEADLINE_MS = 3_000;

/** S3 presigned URLs live at most 7 days. */
const MAX_URL_TTL_S = 7 * 24 * 3600;

function checkRange(range: ByteRange | undefined): void {
  if (range && !(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end) && range.start >= 0 && range.start <= range.end)) {
    throw new RegistryError('RANGE_INVALID', `invalid byte range ${range.start}-${range.end}`);
  }
}

export function s3BlobStore(options: S3StoreOptions): BlobStore {
  const bucket: Bucket = { client: options.client, transfers: options.transferClient ?? options.client, name: options.bucket };
  const keys = new KeyLayout(options.prefix);
  // 5 MiB (S3's minimum) x 2 in flight: lib-storage buffers (queue + 1) parts per append, so a replica with 64
  // concurrent PATCHes stays near 1 GiB instead of 2.5.
  const ctx: AreaContext = { bucket, keys, partSize: options.partSize ?? 5 * MiB, queueSize: options.queueSize ?? 2 };

  return {
    kind: 's3',

    async ping() {
      await s3('HEAD bucket', () => bucket.client.send(new HeadBucketCommand({ Bucket: bucket.name })));
    },

    stat(digest) {
      return headSize(bucket, keys.blob(digest));
    },

    async open(digest, range) {
      checkRange(range);
      try {
        return await getStream(bucket, keys.blob(digest), range);
      } catch (e) {
        // A range past the end: core checks ranges against metadata first, so this is a client error that slipped by.
        if ((e as { name?: unknown } | null)?.name === 'InvalidRange') throw new RegistryError('RANGE_INVALID', `range outside blob ${digest}`);
        throw e;
      }
    },

    async remove(digest) {
      // GC removes under a purge lease (PURGE_LEASE_MS); a removal must never outlive it, or a re-push that took the
      // lease over could be deleted by a late DELETE. So: one attempt each, within a hard deadline well inside it.
      const key = keys.blob(digest);
      const signal = AbortSignal.timeout(REMOVE_DEADLINE_MS);
      const head = await s3OrAbsent('HEAD blob', () => bucket.client.send(new HeadObjectCommand({ Bucket: bucket.name, Key: key }), { abortSignal: signal }));
      if (head === null) return false;
      await s3('DELETE blob', () => bucket.client.send(new DeleteObjectCommand({ Bucket: bucket.name, Key: key }), { abortSignal: signal }));
      return true;
    },

    removeMany(digests, signal) {
      // The same rule, per DeleteObjects call (and the HEADs before it): each is cut off REMOVE_DEADLINE_MS after it
      // starts, and none starts once the caller's signal says its lease is spent.
      return removeBlobs(bucket, keys, digests, REMOVE_DEADLINE_MS, signal);
    },

    async *list() {
      for await (const o of listObjects(bucket, keys.blobs)) {
        const digest = keys.digestAt(o.key);
        if (digest) yield digest;
      }
    },

    createUpload(id) {
      return createArea(ctx, id);
    },

    appendUpload(id, offset, chunks, length) {
      return appendPart(ctx, id, offset, chunks, length);
    },

    readUpload(id, length, parts) {
      return readUploadBytes(ctx, id, length, parts);
    },

    async commitUpload(id, length, digest, parts) {
      await commitArea(ctx, id, length, digest, parts);
    },

    commitBytes(id, digest, bytes) {
      return commitWhole(ctx, id, digest, bytes);
    },

    removeUpload(id) {
      return removeArea(ctx, id);
    },

    async *listUploads() {
      // An area exists while its marker does (a folder without one holds only strays): one listing finds every marker.
      for await (const o of listObjects(bucket, keys.uploads)) {
        const id = keys.markerOf(o.key);
        if (id) yield id;
      }
    },

    listStrays() {
      return listS3Strays(bucket, keys);
    },

    removeStray(stray) {
      return removeS3Stray(bucket, keys, stray);
    },

    async downloadUrl(digest: Digest, ttlSeconds: number) {
      if (!options.redirect) return null;
      if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError(`invalid URL lifetime ${ttlSeconds}s`);
      const command = new GetObjectCommand({ Bucket: bucket.name, Key: keys.blob(digest) });
      return getSignedUrl(bucket.client, command, { expiresIn: Math.min(ttlSeconds, MAX_URL_TTL_S) });
    },

    async close() {
      if (options.ownsClient !== false) bucket.client.destroy();
    },
  };
}
