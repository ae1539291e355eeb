// Turning an upload area into a blob: the blob key is written once, by one atomic S3 operation (CopyObject, a
// completed multipart copy or upload, or a single PUT), and only then is the area removed. A crash between any two
// steps is finished by a retried commit (the blob is found in place, so only the area goes) or, if nobody retries, by
// upload expiry and fsck, which see the area in listUploads.
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { type Digest, RegistryError, type UploadPart } from '../../../core/index.ts';
import { chainOf, type Segment } from './chain.ts';
import { copyable, copyObject, copyPieces, MAX_PART } from './copy.ts';
import { toRegistryError } from './errors.ts';
import { headSize, putBytes } from './objects.ts';
import { type AreaContext, listedParts, readArea, removeArea, streamSegments } from './upload-area.ts';

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

/** commitUpload: see the port. Idempotent; the caller has verified `digest` over exactly these `length` bytes. */
export async function commitArea(ctx: AreaContext, id: string, length: number, digest: Digest, parts: readonly UploadPart[]): Promise<CommitPath> {
  if (!Number.isSafeInteger(length) || length < 0) throw new RegistryError('SIZE_INVALID', `invalid blob length ${length}`);
  const target = ctx.keys.blob(digest);
  ctx.keys.area(id); // an id that cannot name an area is an unknown upload, before any request is made
  // Same digest, same bytes: a blob already in place is kept (a wrong-sized object, which no commit writes, is replaced).
  if ((await headSize(ctx.bucket, target)) === length) {
    await removeArea(ctx, id);
    return 'existing';
  }
  const area = await readArea(ctx, id);
  if (!area.exists) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', `the bytes of upload ${id} are gone; start a new upload`);
  const how = await writeBlob(ctx, target, chainOf(listedParts(ctx, id, parts), length, id), id);
  await removeArea(ctx, id);
  return how;
}
