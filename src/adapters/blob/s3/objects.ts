// The handful of plain S3 operations the store is built from, each with its failures already sorted (absent, UNAVAILABLE,
// error) and every listing paged, so the store's logic reads as what it does rather than how S3 spells it.
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3, s3OrAbsent, toRegistryError } from './errors.ts';

/** A client and the bucket it works in. */
export interface Bucket {
  /** Short calls: HEAD, LIST, DELETE, COPY, small PUTs. */
  client: S3Client;
  /** Long transfers: streamed GETs and multipart appends (see client.ts). */
  transfers: S3Client;
  name: string;
}

export interface ListedObject {
  key: string;
  size: number;
  /** When it was written, by the store's clock (the epoch if the listing omits it). */
  modifiedAt: Date;
}

/** Inclusive byte range, as in HTTP. */
export interface Span {
  start: number;
  end: number;
}

// A listing page can never be empty and still truncated forever, but a broken gateway could echo a token: stop then.
const MAX_PAGES = 1_000_000;

export async function headSize(b: Bucket, key: string): Promise<number | null> {
  const out = await s3OrAbsent('HEAD object', () => b.client.send(new HeadObjectCommand({ Bucket: b.name, Key: key })));
  return out === null ? null : (out.ContentLength ?? 0);
}

/** A streaming GET (never buffered): the returned stream owns the socket and frees it on end, error or destroy. */
export async function getStream(b: Bucket, key: string, span?: Span): Promise<Readable | null> {
  const Range = span ? `bytes=${span.start}-${span.end}` : undefined;
  const out = await s3OrAbsent('GET object', () => b.transfers.send(new GetObjectCommand({ Bucket: b.name, Key: key, Range })));
  if (out === null) return null;
  if (!(out.Body instanceof Readable)) throw new Error('the S3 client returned a body that is not a Node stream');
  return out.Body;
}

export async function putBytes(b: Bucket, key: string, body: Uint8Array): Promise<void> {
  await s3('PUT object', () =>
    b.client.send(
      new PutObjectCommand({
        Bucket: b.name,
        Key: key,
        Body: body,
        ContentType: 'application/octet-stream',
      }),
    ),
  );
}

/** Every object under `prefix`, in key order. */
export async function* listObjects(b: Bucket, prefix: string): AsyncIterable<ListedObject> {
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await s3('LIST objects', () => b.client.send(new ListObjectsV2Command({ Bucket: b.name, Prefix: prefix, ContinuationToken: token })));
    for (const o of out.Contents ?? []) if (o.Key !== undefined) yield { key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) };
    if (!out.IsTruncated || !out.NextContinuationToken || out.NextContinuationToken === token) return;
    token = out.NextContinuationToken;
  }
}

export interface PendingUpload {
  key: string;
  uploadId: string;
  /** When it was started, by the store's clock (the epoch if the listing omits it). */
  initiated: Date;
}

/** Every unfinished multipart upload under `prefix`. */
export async function* listMultipart(b: Bucket, prefix: string): AsyncIterable<PendingUpload> {
  let keyMarker: string | undefined;
  let idMarker: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await s3('LIST multipart uploads', () =>
      b.client.send(
        new ListMultipartUploadsCommand({
          Bucket: b.name,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: idMarker,
        }),
      ),
    );
    for (const u of out.Uploads ?? [])
      if (u.Key !== undefined && u.UploadId !== undefined) yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) };
    if (!out.IsTruncated || (out.NextKeyMarker === keyMarker && out.NextUploadIdMarker === idMarker)) return;
    keyMarker = out.NextKeyMarker;
    idMarker = out.NextUploadIdMarker;
  }
}

/** Aborts every unfinished multipart upload under `prefix` (parts of appends or commits cut off by a crash). */
export async function abortMultipartUnder(b: Bucket, prefix: string): Promise<void> {
  for await (const u of listMultipart(b, prefix)) {
    await s3OrAbsent('ABORT multipart upload', () => b.client.send(new AbortMultipartUploadCommand({ Bucket: b.name, Key: u.key, UploadId: u.uploadId })));
  }
}

/** Deletes the keys (deleting what is already gone is no error); batches of 1000, S3's limit per request. */
export async function deleteKeys(b: Bucket, keys: readonly string[]): Promise<void> {
  if (keys.length === 1) {
    await s3('DELETE object', () => b.client.send(new DeleteObjectCommand({ Bucket: b.name, Key: keys[0] })));
    return;
  }
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
    const out = await s3('DELETE objects', () => b.client.send(new DeleteObjectsCommand({ Bucket: b.name, Delete: { Objects: batch, Quiet: true } })));
    const failed = (out.Errors ?? []).filter((e) => e.Code !== 'NoSuchKey');
    if (failed.length > 0) {
      const first = failed[0]!;
      const e = Object.assign(new Error(`S3 refused to delete ${failed.length} objects, e.g. ${first.Key}: ${first.Message ?? ''}`), { name: first.Code });
      throw toRegistryError('DELETE objects', e);
    }
  }
}
