// Turning an upload area into a blob: the blob key is written once, by one atomic S3 operation (CopyObject, a
// completed multipart copy or upload, or a single PUT), and only then is the area removed. A crash between any two
// steps is finished by a retried commit (the blob is found in place, so only the area goes) or, if nobody retries, by
// upload expiry and fsck, which see the area in listUploads until its marker goes with the last step.
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { type Digest, RegistryError, type UploadPart } from '../../../core/index.ts';
import { chainOf, type Part, type Segment } from './chain.ts';
import { copyable, copyObject, copyPieces, MAX_PART } from './copy.ts';
import { isAbsent, toRegistryError } from './errors.ts';
import { headSize, putBytes } from './objects.ts';
import { type AreaContext, areaExists, dropArea, listedParts, streamSegments, unknown } from './upload-area.ts';

/** How a commit wrote its blob; tests assert on it, logs may too. */
export type CommitPath = 'existing' | 'empty' | 'copy' | 'part-copy' | 'stream';

async function streamInto(ctx: AreaContext, target: string, segments: readonly Segment[], id: string): Promise<void> {
  const upload = new Upload({
    client: ctx.bucket.transfers,
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    leavePartsOnError: false,
    params: { Bucket: ctx.bucket.name, Key: target, Body: Readable.from(streamSegments(ctx, segments, id)), ContentType: 'application/octet-stream' },
  });
  try {
    await upload.done();
  } catch (e) {
    throw toRegistryError('PUT blob', e);
  }
}

/** A write that failed because a part it copies or reads is gone (the area was removed). */
function partGone(e: unknown): boolean {
  return isAbsent(e) || (e instanceof RegistryError && e.code === 'BLOB_UPLOAD_INVALID');
}

/** Writes the blob from the segments by the cheapest means S3 allows. */
async function writeBlob(ctx: AreaContext, target: string, segments: readonly Segment[], id: string): Promise<CommitPath> {
  if (segments.length === 0) {
    await putBytes(ctx.bucket, target, new Uint8Array());
    return 'empty';
  }
  const only = segments.length === 1 ? segments[0]! : null;
  if (only && only.take === only.size && only.size <= MAX_PART) {
    await copyObject(ctx.bucket, only.key, target);
    return 'copy';
  }
  const pieces = segments.map((s) => ({ key: s.key, start: 0, end: s.take - 1 }));
  if (copyable(pieces)) {
    await copyPieces(ctx.bucket, target, pieces);
    return 'part-copy';
  }
  // Parts under S3's 5 MiB minimum (clients that PATCH in small chunks) cannot be part-copied: stream them through.
  await streamInto(ctx, target, segments, id);
  return 'stream';
}

/**
 * The listed parts, or BLOB_UPLOAD_UNKNOWN when a ref this store could never have written names them and the area is
 * not there either (an upload that does not exist), BLOB_UPLOAD_INVALID when it is.
 */
async function partsOf(ctx: AreaContext, id: string, parts: readonly UploadPart[]): Promise<Part[]> {
  try {
    return listedParts(ctx, id, parts);
  } catch (e) {
    if (!(await areaExists(ctx, id))) throw unknown(id);
    throw e;
  }
}

/**
 * commitUpload: see the port. Idempotent; the caller has verified `digest` over exactly these `length` bytes.
 *
 * Two calls on the usual path: the write of the blob (a copy, with no HEAD first: the blob is content-addressed, so
 * writing it again over an existing one writes the same bytes) and one DeleteObjects for the marker and the parts.
 * The area is not checked first: a part that is gone makes the write fail, and the blob found in place then (a
 * retried commit whose first attempt removed the area) is success; otherwise the upload is unknown.
 */
export async function commitArea(ctx: AreaContext, id: string, length: number, digest: Digest, parts: readonly UploadPart[]): Promise<CommitPath> {
  if (!Number.isSafeInteger(length) || length < 0) throw new RegistryError('SIZE_INVALID', `invalid blob length ${length}`);
  const target = ctx.keys.blob(digest);
  ctx.keys.area(id); // an id that cannot name an area is an unknown upload, before any request is made
  const listed = await partsOf(ctx, id, parts);
  const segments = chainOf(listed, length, id);
  // The empty blob reads no part that could tell a missing area: ask the marker (rare, one call).
  if (segments.length === 0 && !(await areaExists(ctx, id))) {
    if ((await headSize(ctx.bucket, target)) === 0) return 'existing';
    throw unknown(id);
  }
  let how: CommitPath;
  try {
    how = await writeBlob(ctx, target, segments, id);
  } catch (e) {
    // Same digest, same bytes: a blob in place at the right size is this commit done (by an earlier attempt).
    const held = await headSize(ctx.bucket, target).catch(() => null);
    if (held !== length) throw partGone(e) ? unknown(id) : e;
    how = 'existing';
  }
  await dropArea(ctx, id, listed);
  return how;
}

/**
 * commitBytes: see the port. One PUT of the blob (atomic; writing it over an existing one writes the same bytes) and
 * one DELETE of the marker: the area holds no accepted part, so the marker is all a commit removes. Anything a lost
 * append left there is a stray for fsck, as after commitArea. The area is not checked first: the caller's claim on its
 * session already proved the upload open, and these verified bytes are the blob whoever else removes the area.
 */
export async function commitWhole(ctx: AreaContext, id: string, digest: Digest, bytes: Uint8Array): Promise<void> {
  const target = ctx.keys.blob(digest);
  ctx.keys.area(id); // an id that cannot name an area is an unknown upload, before any request is made
  await putBytes(ctx.bucket, target, bytes);
  await dropArea(ctx, id, []);
}
