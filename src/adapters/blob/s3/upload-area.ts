// Upload areas live in the bucket, never on a replica's disk or in its memory: consecutive PATCHes of one upload may
// reach different replicas, and any replica may die mid-request. Each append is a new object under a fresh name (S3
// PUTs and completed multipart uploads are atomic, so a part exists whole or not at all) and no append ever touches
// another's object; which parts count is the metadata store's record (the offset compare-and-set), passed in by the
// caller. So a stale or racing writer only leaves garbage nobody reads, never changed bytes. A marker says the area
// exists; what an area whose marker is gone still holds (a lost append, a removal cut short) is a stray for fsck.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { RegistryError, type UploadPart } from '../../../core/index.ts';
import { chainOf, type Part, type Segment } from './chain.ts';
import { toRegistryError } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import { abortMultipartUnder, type Bucket, deleteKeys, getStream, headSize, listObjects, putBytes } from './objects.ts';

/** S3's largest single PUT. */
const MAX_PUT = 5 * 1024 ** 3;

/** What the area code needs: where to write and how big the multipart pieces of one append are. */
export interface AreaContext {
  bucket: Bucket;
  keys: KeyLayout;
  /** Multipart part size of one append (lib-storage buffers queueSize + 1 of these per request). */
  partSize: number;
  /** Parts of one append in flight at once. */
  queueSize: number;
}

export async function createArea(ctx: AreaContext, id: string): Promise<void> {
  await putBytes(ctx.bucket, ctx.keys.marker(id), new Uint8Array());
}

export function unknown(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', `the bytes of upload ${id} are gone; start a new upload`);
}

/**
 * What a commit removes once the blob is written, in one DeleteObjects call: the marker and the parts it was handed.
 * Anything else the area holds (a lost append's part, an append's multipart upload cut off by a crash) is left to
 * fsck, which finds it as a stray once the marker is gone; listing the area on every commit to find such rare
 * leftovers would cost two more calls per push.
 */
export async function dropArea(ctx: AreaContext, id: string, parts: readonly Part[]): Promise<void> {
  await deleteKeys(ctx.bucket, [ctx.keys.marker(id), ...parts.map((p) => p.key)]);
}

/**
 * Marker first, so appends that start from now on fail and one already writing removes its own part when it checks;
 * then the parts, then unfinished multipart uploads a crashed append left. A crash in between leaves an area without
 * its marker: listUploads no longer lists it, and fsck removes what is left of it as strays.
 */
export async function removeArea(ctx: AreaContext, id: string): Promise<void> {
  await deleteKeys(ctx.bucket, [ctx.keys.marker(id)]);
  const keys: string[] = [];
  for await (const o of listObjects(ctx.bucket, ctx.keys.area(id))) keys.push(o.key);
  if (keys.length > 0) await deleteKeys(ctx.bucket, keys);
  await abortMultipartUnder(ctx.bucket, ctx.keys.area(id));
}

/** The next non-empty chunk, or null at the end; an empty append writes no part at all. */
async function firstBytes(source: AsyncIterator<Uint8Array>): Promise<Uint8Array | null> {
  for (;;) {
    const r = await source.next();
    if (r.done) return null;
    if (r.value.byteLength > 0) return r.value;
  }
}

/** Streams one append into a part object; resolves with its size once S3 acknowledged it. */
async function writePart(ctx: AreaContext, key: string, first: Uint8Array, source: AsyncIterator<Uint8Array>, length?: number): Promise<number> {
  let written = 0;
  let sourceFailure: { error: unknown } | null = null;
  // When S3 fails mid-append the request body is left unread on purpose (destroying it would look like the client
  // hanging up, and hide the store's error); the HTTP layer answers the error and closes the connection instead.
  async function* body(): AsyncGenerator<Uint8Array> {
    written += first.byteLength;
    yield first;
    for (;;) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await source.next();
      } catch (error) {
        sourceFailure = { error };
        throw error;
      }
      if (r.done) break;
      written += r.value.byteLength;
      yield r.value;
    }
  }
  if (length !== undefined && length > ctx.partSize && length <= MAX_PUT) {
    // The length is known: one streamed PUT, nothing buffered (a multipart append holds queueSize + 1 parts in memory).
    // The body stream never errors: a failing source, or one that ends short or runs long, aborts the PUT instead
    // (an error thrown into the SDK's request stream would surface as an uncaught exception), and is thrown here.
    const abort = new AbortController();
    let failure: unknown = null;
    async function* exactly(): AsyncGenerator<Uint8Array> {
      try {
        for await (const chunk of body()) {
          if (written > (length as number)) throw new RegistryError('SIZE_INVALID', `the upload sent more than the ${length} bytes it declared`);
          yield chunk;
        }
        if (written !== length) throw new RegistryError('SIZE_INVALID', `the upload ended after ${written} of the ${length} bytes it declared`);
      } catch (e) {
        failure = e;
        abort.abort();
      }
    }
    const stream = Readable.from(exactly());
    stream.on('error', () => undefined);
    try {
      await ctx.bucket.transfers.send(
        new PutObjectCommand({ Bucket: ctx.bucket.name, Key: key, Body: stream, ContentLength: length, ContentType: 'application/octet-stream' }),
        { abortSignal: abort.signal },
      );
    } catch (e) {
      if (failure !== null) throw failure;
      throw toRegistryError('PUT upload part', e);
    }
    if (failure !== null) throw failure;
    return written;
  }
  const upload = new Upload({
    client: ctx.bucket.transfers,
    partSize: ctx.partSize,
    queueSize: ctx.queueSize,
    leavePartsOnError: false,
    params: { Bucket: ctx.bucket.name, Key: key, Body: Readable.from(body()), ContentType: 'application/octet-stream' },
  });
  try {
    await upload.done();
  } catch (e) {
    // The client's body failing is the client's error (a cut connection), never an object-store outage.
    if (sourceFailure) throw (sourceFailure as { error: unknown }).error;
    throw toRegistryError('PUT upload part', e);
  }
  return written;
}

/**
 * appendUpload: see the port. Writes the bytes as a new part named by a fresh ref; nothing else in the area changes.
 * The marker is checked once, after the write: that one check both refuses an area that was never there or is gone
 * (its part is taken back) and catches a removal that ran while the bytes streamed (a cancel or expiry on another
 * replica, which deletes the marker before it lists the parts, so a part it missed is one whose check fails).
 */
export async function appendPart(
  ctx: AreaContext,
  id: string,
  offset: number,
  chunks: AsyncIterable<Uint8Array>,
  length?: number,
): Promise<{ size: number; ref: string }> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RegistryError('RANGE_INVALID', `invalid upload offset ${offset}`);
  ctx.keys.area(id); // an id that cannot name an area is an unknown upload, before a byte is read
  const source = chunks[Symbol.asyncIterator]();
  const first = await firstBytes(source);
  if (first === null) {
    if (!(await areaExists(ctx, id))) throw unknown(id);
    return { size: offset, ref: '' };
  }
  const ref = randomBytes(6).toString('hex');
  const key = ctx.keys.part(id, offset, ref);
  const size = await writePart(ctx, key, first, source, length);
  if (!(await areaExists(ctx, id))) {
    await deleteKeys(ctx.bucket, [key]);
    throw unknown(id);
  }
  return { size: offset + size, ref };
}

export async function areaExists(ctx: AreaContext, id: string): Promise<boolean> {
  return (await headSize(ctx.bucket, ctx.keys.marker(id))) !== null;
}

const REF_RE = /^[0-9a-f]{12}$/;

/** The objects of the accepted parts, as the metadata store recorded them. */
export function listedParts(ctx: AreaContext, id: string, parts: readonly UploadPart[]): Part[] {
  return parts.map((p) => {
    if (!REF_RE.test(p.ref)) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} names a part this store did not write`);
    return { key: ctx.keys.part(id, p.offset, p.ref), start: p.offset, size: p.size };
  });
}

/** Streams the segments' bytes in order; a part that vanished or came back short is an error, never a short stream. */
export async function* streamSegments(ctx: AreaContext, segments: readonly Segment[], id: string): AsyncIterable<Uint8Array> {
  for (const s of segments) {
    const stream = await getStream(ctx.bucket, s.key, { start: 0, end: s.take - 1 });
    if (!stream) throw new RegistryError('BLOB_UPLOAD_INVALID', `upload ${id} changed while it was read; retry`);
    let got = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Uint8Array>) {
        got += chunk.byteLength;
        yield chunk;
      }
    } catch (e) {
      throw toRegistryError('GET upload part', e);
    }
    if (got !== s.take) throw new RegistryError('UNAVAILABLE', `object store returned ${got} bytes of a ${s.take}-byte upload part`);
  }
}

/** readUpload: see the port. */
export async function* readUploadBytes(ctx: AreaContext, id: string, length: number, parts: readonly UploadPart[]): AsyncIterable<Uint8Array> {
  if (!(await areaExists(ctx, id))) throw unknown(id);
  yield* streamSegments(ctx, chainOf(listedParts(ctx, id, parts), length, id), id);
}
