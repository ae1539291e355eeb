// The whole on-disk layout in one place (like Distribution's paths.go), so every path is built and checked the same way.
//
// Layout under <root>:
//
//   blobs/<alg>/<hex[0:2]>/<hex>   a committed blob, e.g. blobs/sha256/9f/9f86d0...0a08. Immutable. Only ever
//                                  created by rename(2) of a fully written, fsynced upload file, so a crash can
//                                  never leave a partial file here. <alg> is sha256 or sha512; the two-hex shard
//                                  keeps directories small (256 per algorithm). sha256's shards are made when the
//                                  store opens, sha512's on first use; none is ever removed.
//   uploads/<uuid>                 the bytes of one upload session (UUID v4, lowercase), written at the offset
//                                  the session records and truncated to it first, so bytes a failed request left
//                                  behind are never trusted. Commit renames this file into blobs/.
//   tmp/                           scratch space for the adapter; anything in it is a crash leftover and is
//                                  deleted when the store opens.
//
// Only a validated digest (isDigest: sha256/sha512, lowercase hex of exact length) or a validated UUID v4 ever becomes
// a path component, and every built path is checked to lie under root, so no caller input can name a file elsewhere.
import { join, resolve, sep } from 'node:path';
import { type Algorithm, algorithmOf, type Digest, hexOf, isDigest, RegistryError } from '../../../core/index.ts';

const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SHARD_RE = /^[0-9a-f]{2}$/;
export const ALGORITHMS: readonly Algorithm[] = ['sha256', 'sha512'];

export function isUploadId(value: string): boolean {
  return UUID_V4_RE.test(value);
}

export class FsPaths {
  readonly root: string;
  readonly blobs: string;
  readonly uploads: string;
  readonly tmp: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.blobs = join(this.root, 'blobs');
    this.uploads = join(this.root, 'uploads');
    this.tmp = join(this.root, 'tmp');
  }

  /** blobs/<alg>/<shard>/<hex>; throws DIGEST_INVALID for anything that is not a well-formed digest. */
  blob(digest: Digest): string {
    if (typeof digest !== 'string' || !isDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'invalid digest');
    const hex = hexOf(digest);
    return this.#inside(join(this.blobs, algorithmOf(digest), hex.slice(0, 2), hex));
  }

  /** uploads/<uuid>; an id of another shape cannot name an upload, so it is an unknown upload. */
  upload(id: string): string {
    if (typeof id !== 'string' || !isUploadId(id)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'invalid upload id');
    return this.#inside(join(this.uploads, id));
  }

  algorithmDir(alg: Algorithm): string {
    return join(this.blobs, alg);
  }

  /** The digest stored at blobs/<alg>/<shard>/<name>, or null for a stray name that no commit could have made. */
  digestAt(alg: string, shard: string, name: string): Digest | null {
    const digest = `${alg}:${name}`;
    return SHARD_RE.test(shard) && name.startsWith(shard) && isDigest(digest) ? digest : null;
  }

  // Defence in depth: validation above already rules this out.
  #inside(path: string): string {
    if (!path.startsWith(this.root + sep)) throw new RegistryError('INTERNAL', 'storage path escapes the root');
    return path;
  }
}
