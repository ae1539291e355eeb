// The whole object-key layout in one place, so every key is built and parsed the same way and no caller input can
// name an object outside its place.
//
// Layout under <prefix> (the URL's path, "" or ending in "/"):
//
//   blobs/<alg>/<hex>                 a committed blob, content-addressed, written once (CopyObject, a completed
//                                     multipart upload or a single PUT: S3 makes each visible whole or not at all).
//   uploads/<uuid>/created            the marker createUpload writes: the area exists while it does. What a folder
//                                     without it still holds (a lost append's part left by a commit, a removal cut
//                                     short by a crash) belongs to no area: a stray, for fsck.
//   uploads/<uuid>/<start>.<ref>      one object per append, holding the bytes from offset <start> (16 zero-padded
//                                     digits, so keys sort in offset order); <ref> is a fresh random name, so two
//                                     writers of the same offset (a retried PATCH on another replica) never replace
//                                     each other. The metadata store records which ref was accepted; others are garbage
//                                     that removing the area takes along.
import { algorithmOf, type Digest, hexOf, isDigest, RegistryError } from '../../../core/index.ts';

const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const BLOB_RE = /^(sha256|sha512)\/([0-9a-f]+)$/;
const MARKER = 'created';
const OFFSET_DIGITS = 16;

export function isUploadId(value: string): boolean {
  return UUID_V4_RE.test(value);
}

export class KeyLayout {
  readonly prefix: string;
  readonly blobs: string;
  readonly uploads: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.blobs = `${prefix}blobs/`;
    this.uploads = `${prefix}uploads/`;
  }

  /** blobs/<alg>/<hex>; anything but a well-formed digest is refused before it can become a key. */
  blob(digest: Digest): string {
    if (typeof digest !== 'string' || !isDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'invalid digest');
    return `${this.blobs}${algorithmOf(digest)}/${hexOf(digest)}`;
  }

  /** The digest a key under blobs/ names, or null for anything else found there. */
  digestAt(key: string): Digest | null {
    if (!key.startsWith(this.blobs)) return null;
    const m = BLOB_RE.exec(key.slice(this.blobs.length));
    const digest = m ? `${m[1]}:${m[2]}` : '';
    return isDigest(digest) ? digest : null;
  }

  /** uploads/<uuid>/; an id of another shape cannot name an upload, so it is an unknown upload. */
  area(id: string): string {
    if (typeof id !== 'string' || !isUploadId(id)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'invalid upload id');
    return `${this.uploads}${id}/`;
  }

  marker(id: string): string {
    return `${this.area(id)}${MARKER}`;
  }

  part(id: string, start: number, nonce: string): string {
    return `${this.area(id)}${String(start).padStart(OFFSET_DIGITS, '0')}.${nonce}`;
  }

  /** The upload id whose marker `key` is, or null for any other key. */
  markerOf(key: string): string | null {
    if (!key.startsWith(this.uploads) || !key.endsWith(`/${MARKER}`)) return null;
    const id = key.slice(this.uploads.length, -MARKER.length - 1);
    return isUploadId(id) ? id : null;
  }

  /** The upload id of the area folder a key lies in (uploads/<uuid>/...), or null outside every area folder. */
  areaOf(key: string): string | null {
    if (!key.startsWith(this.uploads)) return null;
    const rest = key.slice(this.uploads.length);
    const slash = rest.indexOf('/');
    return slash > 0 && isUploadId(rest.slice(0, slash)) ? rest.slice(0, slash) : null;
  }
}
