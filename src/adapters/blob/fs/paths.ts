// The whole on-disk layout in one place, so every path is built (and checked) the same way:
//
//   <root>/blobs/<alg>/<hex[0:2]>/<hex>   committed blob, immutable, written via tmp + fsync + rename
//   <root>/uploads/<uuid>                  bytes of an upload session, append-only, truncated to the recorded offset
//   <root>/tmp/                            staging for commits; emptied on start (leftovers of crashes)
//
// Only validated digests and UUIDs ever become path components, so no request can name a file outside root.
import { join } from 'node:path';
import { algorithmOf, hexOf, isDigest, RegistryError, type Digest } from '../../../core/index.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class FsPaths {
  readonly root: string;
  readonly blobs: string;
  readonly uploads: string;
  readonly tmp: string;

  constructor(root: string) {
    this.root = root;
    this.blobs = join(root, 'blobs');
    this.uploads = join(root, 'uploads');
    this.tmp = join(root, 'tmp');
  }

  blob(digest: Digest): string {
    if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', 'invalid digest');
    const hex = hexOf(digest);
    return join(this.blobs, algorithmOf(digest), hex.slice(0, 2), hex);
  }

  upload(id: string): string {
    if (!UUID_RE.test(id)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', 'invalid upload id');
    return join(this.uploads, id);
  }

  isUploadId(name: string): boolean {
    return UUID_RE.test(name);
  }
}
