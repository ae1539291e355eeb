// Blob HEAD/GET: a repository only serves blobs linked to it, and bytes are streamed, never buffered.
import type { Readable } from 'node:stream';
import { RegistryError } from '../errors.ts';
import { type Digest, parseDigest } from '../model/digest.ts';
import type { BlobFile, ByteRange } from '../ports/blob-store.ts';
import type { UsesBlobs, UsesMeta } from './deps.ts';

export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** Reading a blob's bytes: its link in the repository, then the store. */
export type OpenBlobDeps = UsesMeta<'findBlob'> & UsesBlobs<'open'>;

export async function statBlob(deps: UsesMeta<'findBlob'>, repository: string, digestParam: string): Promise<BlobInfo> {
  const digest = parseDigest(digestParam);
  const link = await deps.meta.findBlob(repository, digest);
  if (!link) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is unknown to repository ${repository}`, { digest });
  return { digest, size: link.size };
}

/** A blob's bytes for serving: positional reads where the store has them (see BlobReader.openFile), else a stream. */
export type BlobBytes = { kind: 'stream'; stream: Readable } | { kind: 'file'; file: BlobFile; start: number; end: number };

/**
 * Opens the blob, or the inclusive byte range of it (the range must lie inside the blob), preferring the store's
 * positional reads, which a server streams through reused buffers.
 */
export async function openBlobBytes(
  deps: OpenBlobDeps & UsesBlobs<'openFile'>,
  repository: string,
  digestParam: string,
  range?: ByteRange,
): Promise<BlobInfo & { bytes: BlobBytes }> {
  const info = await checkedInfo(deps, repository, digestParam, range);
  if (!deps.blobs.openFile) return { ...info, bytes: { kind: 'stream', stream: present(await deps.blobs.open(info.digest, range), info.digest) } };
  const file = present(await deps.blobs.openFile(info.digest), info.digest);
  return { ...info, bytes: { kind: 'file', file, start: range?.start ?? 0, end: range?.end ?? info.size - 1 } };
}

async function checkedInfo(deps: OpenBlobDeps, repository: string, digestParam: string, range?: ByteRange): Promise<BlobInfo> {
  const info = await statBlob(deps, repository, digestParam);
  if (range && (range.start > range.end || range.end >= info.size)) {
    throw new RegistryError('RANGE_INVALID', `range ${range.start}-${range.end} is outside the blob (${info.size} bytes)`, { size: info.size });
  }
  return info;
}

/** Metadata says it exists but the bytes are gone: report it as unknown rather than failing the pull with a 500. */
function present<T>(opened: T | null, digest: Digest): T {
  if (opened === null) throw new RegistryError('BLOB_UNKNOWN', `blob ${digest} is missing from storage`, { digest });
  return opened;
}

/** How long a redirect to the object store stays valid: long enough for a slow pull to start, short enough to leak little. */
export const DOWNLOAD_URL_TTL_S = 900;

/**
 * Where the client may fetch the blob from the object store directly (a presigned URL), after the same checks as a
 * GET through berth; null when the store does not redirect, so the caller streams the bytes itself.
 */
export async function blobDownloadUrl(
  deps: UsesMeta<'findBlob'> & UsesBlobs<'downloadUrl'>,
  repository: string,
  digestParam: string,
): Promise<{ info: BlobInfo; url: string } | null> {
  if (!deps.blobs.downloadUrl) return null;
  // Asking the store first costs no I/O (a presigned URL is computed locally), so a store with redirects off does not
  // make every GET look the blob up twice; the repository check comes before any URL is handed out.
  const url = await deps.blobs.downloadUrl(parseDigest(digestParam), DOWNLOAD_URL_TTL_S);
  if (url === null) return null;
  return { info: await statBlob(deps, repository, digestParam), url };
}
