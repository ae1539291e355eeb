// Upload areas live in the bucket, never on a replica's disk or in its memory: consecutive PATCHes of one upload may
// reach different replicas, and any replica may die mid-request. Each append is one object (S3 PUTs and completed
// multipart uploads are atomic, so a part exists whole or not at all); a marker object says the area exists.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { RegistryError } from '../../../core/index.ts';
import { chainOf, pastOffset, type Part, type Segment } from './chain.ts';
import { copyPieces } from './copy.ts';
import { toRegistryError } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import { abortMultipartUnder, deleteKeys, getStream, listObjects, putBytes, type Bucket } from './objects.ts';

/** What the area code needs: where to write and how big the multipart pieces of one append are. */
export interface AreaContext {
  bucket: Bucket;
  keys: KeyLayout;
  /** Multipart part size of one append (lib-storage buffers queueSize + 1 of these per request). */
  partSize: number;
  /** Parts of one append in flight at once. */
  queueSize: number;
}

export interface Area {
  exists: boolean;
  parts: Part[];
  /** Every key under the area, the marker and stray names included. */
  all: string[];
}

export async function createArea(ctx: AreaContext, id: string): Promise<void> {
  await putBytes(ctx.bucket, ctx.keys.marker(id), new Uint8Array());
}

export async function readArea(ctx: AreaContext, id: string): Promise<Area> {
  const area: Area = { exists: false, parts: [], all: [] };
  for await (const o of listObjects(ctx.bucket, ctx.keys.area(id))) {
    area.all.push(o.key);
    const entry = ctx.keys.entry(id, o.key);
    if (entry.kind === 'marker') area.exists = true;
    else if (entry.kind === 'part') area.parts.push({ key: o.key, start: entry.start, size: o.size });
  }
  return area;
}

function unknown(id: string): RegistryError {
  return new RegistryError('BLOB_UPLOAD_UNKNOWN', `the bytes of upload ${id} are gone; start a new upload`);
}

/**
 * Marker first, so appends that start from now on fail and one already writing removes its own part when it checks;
 * then the parts, then unfinished multipart uploads a crashed append left. A crash in between leaves an area that
 * listUploads still lists, so expiry or fsck finishes the removal.
 */
export async function removeArea(ctx: AreaContext, id: string): Promise<void> {
  await deleteKeys(ctx.bucket, [ctx.keys.marker(id)]);
  const keys: string[] = [];
  for await (const o of listObjects(ctx.bucket, ctx.keys.area(id))) keys.push(o.key);
  if (keys.length > 0) await deleteKeys(ctx.bucket, keys);
  await abortMultipartUnder(ctx.bucket, ctx.keys.area(id));
}

/** Discards bytes at or past `offset` (parts past it go, a part across it is cut short in place, server-side). */
async function discardPast(ctx: AreaContext, parts: readonly Part[], offset: number): Promise<Part[]> {
  const { remove, cut } = pastOffset(parts, offset);
  if (remove.length > 0) await deleteKeys(ctx.bucket, remove.map((p) => p.key));
  for (const p of cut) await copyPieces(ctx.bucket, p.key, [{ key: p.key, start: 0, end: offset - p.start - 1 }]);
  return parts.filter((p) => p.start < offset).map((p) => (cut.includes(p) ? { ...p, size: offset - p.start } : p));
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
async function writePart(ctx: AreaContext, key: string, first: Uint8Array, source: AsyncIterator<Uint8Array>): Promise<number> {
  let written = 0;
  let sourceFailure: { error: unknown } | null = null;
  async function* body(): AsyncGenerator<Uint8Array> {
    let done = false;
    try {
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
      done = true;
    } finally {
      // Stopped early (S3 failed): let the request body go, so the client connection is not left hanging.
      if (!done && !sourceFailure) await source.return?.();
    }
  }
  const upload = new Upload({
    client: ctx.bucket.client, partSize: ctx.partSize, queueSize: ctx.queueSize, leavePartsOnError: false,
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
 * appendUpload: see the port. The area must exist and hold exactly [0, offset) once bytes past it are discarded.
 * The check after the write catches a concurrent append that left its part beside this one, but S3 (without
 * conditional writes) cannot stop one append's discard from deleting a part another append just had acknowledged:
 * callers must not run two appends of one upload at once, on any replica (core must serialize them per upload).
 */
export async function appendPart(ctx: AreaContext, id: string, offset: number, chunks: AsyncIterable<Uint8Array>): Promise<number> {
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RegistryError('RANGE_INVALID', `invalid upload offset ${offset}`);
  const before = await readArea(ctx, id);
  if (!before.exists) throw unknown(id);
  chainOf(await discardPast(ctx, before.parts, offset), offset, id);
  const source = chunks[Symbol.asyncIterator]();
  const first = await firstBytes(source);
  if (first === null) return offset;
  const key = ctx.keys.part(id, offset, randomBytes(6).toString('hex'));
  const size = await writePart(ctx, key, first, source);
  // Another request may have touched this upload meanwhile (a retry on another replica, a cancel): then this part
  // cannot be trusted, and it goes rather than leave two versions of the same bytes.
  const after = await readArea(ctx, id);
  const mine = after.parts.find((p) => p.key === key);
  const clash = after.parts.some((p) => p.key !== key && p.size > 0 && p.start < offset + size && p.start + p.size > offset);
  if (!after.exists || !mine || clash || mine.size !== size) {
    await deleteKeys(ctx.bucket, [key]);
    if (!after.exists) throw unknown(id);
    if (mine && mine.size !== size) throw new Error(`S3 stored ${mine.size} bytes for an append of ${size}`);
    throw new RegistryError('RANGE_INVALID', `another request wrote to upload ${id} at the same time; check its status and resume`, { offset });
  }
  return offset + size;
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
export async function* readUploadBytes(ctx: AreaContext, id: string, length: number): AsyncIterable<Uint8Array> {
  const area = await readArea(ctx, id);
  if (!area.exists) throw unknown(id);
  yield* streamSegments(ctx, chainOf(area.parts, length, id), id);
}
