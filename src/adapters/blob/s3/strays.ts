// Finding what the S3 store holds under its prefix that is neither a blob nor inside an upload area (objects with
// foreign keys, multipart uploads a killed commit left under blobs/), so fsck can report and remove them; a blob key
// or anything inside an upload area is never one, whatever a caller hands to removeStray.
import { AbortMultipartUploadCommand, DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Stray } from '../../../core/index.ts';
import { s3, s3OrAbsent } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import { type Bucket, listMultipart, listObjects } from './objects.ts';

/**
 * Where strays are looked for: the whole prefix, which belongs to the store. With no prefix the store shares the
 * bucket's root with whatever else is there, so only its own two folders are searched.
 */
function searched(keys: KeyLayout): string[] {
  return keys.prefix === '' ? [keys.blobs, keys.uploads] : [keys.prefix];
}

/** A committed blob's object, or anything inside an upload area: never a stray object. */
function isOwnObject(keys: KeyLayout, key: string): boolean {
  return keys.digestAt(key) !== null || keys.inArea(key);
}

function isSearched(keys: KeyLayout, key: string): boolean {
  return searched(keys).some((p) => key.startsWith(p));
}

export async function* listS3Strays(b: Bucket, keys: KeyLayout): AsyncIterable<Stray> {
  for (const prefix of searched(keys)) {
    for await (const o of listObjects(b, prefix)) {
      if (!isOwnObject(keys, o.key)) yield { kind: 'object', key: o.key, modifiedAt: o.modifiedAt, size: o.size };
    }
    // A multipart upload inside an area is an append of that area (removeUpload aborts it); any other, even one
    // whose key is a blob key, is an unfinished copy: a commit in flight or a killed one, which only its age tells.
    for await (const u of listMultipart(b, prefix)) {
      if (!keys.inArea(u.key)) yield { kind: 'multipart', key: u.key, modifiedAt: u.initiated, uploadId: u.uploadId };
    }
  }
}

export async function removeS3Stray(b: Bucket, keys: KeyLayout, stray: Stray): Promise<boolean> {
  if (!isSearched(keys, stray.key) || keys.inArea(stray.key)) return false;
  if (stray.kind === 'multipart') {
    if (!stray.uploadId) return false;
    const UploadId = stray.uploadId;
    const out = await s3OrAbsent('ABORT multipart upload', () => b.client.send(new AbortMultipartUploadCommand({ Bucket: b.name, Key: stray.key, UploadId })));
    return out !== null;
  }
  // Objects with foreign keys are never written by berth, so there is no newer version to spare: present means remove.
  if (stray.kind !== 'object' || isOwnObject(keys, stray.key)) return false;
  const head = await s3OrAbsent('HEAD object', () => b.client.send(new HeadObjectCommand({ Bucket: b.name, Key: stray.key })));
  if (head === null) return false;
  await s3('DELETE object', () => b.client.send(new DeleteObjectCommand({ Bucket: b.name, Key: stray.key })));
  return true;
}
