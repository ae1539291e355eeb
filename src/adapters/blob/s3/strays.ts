// Finding what the S3 store holds under its prefix that is neither a blob nor part of a live upload area (objects with
// foreign keys, multipart uploads a killed commit left under blobs/, and whatever an area folder still holds once its
// marker is gone: a lost append's part a commit left, a removal cut short), so fsck can report and remove them. A blob
// key, a marker, or anything in a folder whose marker is there is never one, whatever a caller hands to removeStray.
import { AbortMultipartUploadCommand, DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import type { Stray } from '../../../core/index.ts';
import { s3, s3OrAbsent } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import { type Bucket, headSize, type ListedObject, listMultipart, listObjects } from './objects.ts';

/**
 * Where strays are looked for: the whole prefix, which belongs to the store. With no prefix the store shares the
 * bucket's root with whatever else is there, so only its own two folders are searched.
 */
function searched(keys: KeyLayout): string[] {
  return keys.prefix === '' ? [keys.blobs, keys.uploads] : [keys.prefix];
}

function isSearched(keys: KeyLayout, key: string): boolean {
  return searched(keys).some((p) => key.startsWith(p));
}

/** The objects of one listing, with those of each area folder held back until the folder ends (keys come in order). */
async function* objectStrays(b: Bucket, keys: KeyLayout, prefix: string, live: Set<string>): AsyncIterable<Stray> {
  let folder: string | null = null;
  let held: ListedObject[] = [];
  const settle = function* (): Iterable<Stray> {
    if (folder !== null && !live.has(folder)) for (const o of held) yield { kind: 'object', key: o.key, modifiedAt: o.modifiedAt, size: o.size };
    held = [];
  };
  for await (const o of listObjects(b, prefix)) {
    const area = keys.areaOf(o.key);
    if (area !== folder) {
      yield* settle();
      folder = area;
    }
    if (area !== null) {
      if (keys.markerOf(o.key) === area) live.add(area);
      held.push(o);
    } else if (keys.digestAt(o.key) === null) {
      yield { kind: 'object', key: o.key, modifiedAt: o.modifiedAt, size: o.size };
    }
  }
  yield* settle();
}

export async function* listS3Strays(b: Bucket, keys: KeyLayout): AsyncIterable<Stray> {
  for (const prefix of searched(keys)) {
    const live = new Set<string>();
    yield* objectStrays(b, keys, prefix, live);
    // A multipart upload in a live area is an append of that area (removeUpload aborts it); any other, even one whose
    // key is a blob key, is an unfinished copy or append: one in flight or a killed one, which only its age tells.
    for await (const u of listMultipart(b, prefix)) {
      const area = keys.areaOf(u.key);
      if (area === null || !live.has(area)) yield { kind: 'multipart', key: u.key, modifiedAt: u.initiated, uploadId: u.uploadId };
    }
  }
}

/**
 * Whether `key` may go as a stray now: not a blob (a multipart upload at a blob key is an unfinished copy, never the
 * blob), not a marker, and in no area folder whose marker is there.
 */
async function removable(b: Bucket, keys: KeyLayout, stray: Stray): Promise<boolean> {
  const { key } = stray;
  if (!isSearched(keys, key) || keys.markerOf(key) !== null || (stray.kind === 'object' && keys.digestAt(key) !== null)) return false;
  const area = keys.areaOf(key);
  return area === null || (await headSize(b, keys.marker(area))) === null;
}

export async function removeS3Stray(b: Bucket, keys: KeyLayout, stray: Stray): Promise<boolean> {
  if ((stray.kind !== 'multipart' && stray.kind !== 'object') || !(await removable(b, keys, stray))) return false;
  if (stray.kind === 'multipart') {
    if (!stray.uploadId) return false;
    const UploadId = stray.uploadId;
    const out = await s3OrAbsent('ABORT multipart upload', () => b.client.send(new AbortMultipartUploadCommand({ Bucket: b.name, Key: stray.key, UploadId })));
    return out !== null;
  }
  // Strays are never written again (part names are fresh, a marker never comes back), so present means remove.
  const head = await s3OrAbsent('HEAD object', () => b.client.send(new HeadObjectCommand({ Bucket: b.name, Key: stray.key })));
  if (head === null) return false;
  await s3('DELETE object', () => b.client.send(new DeleteObjectCommand({ Bucket: b.name, Key: stray.key })));
  return true;
}
