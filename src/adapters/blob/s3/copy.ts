// Server-side copies: a commit or a cut part never pulls the bytes through berth when S3 can move them itself. A
// completed copy, like a completed multipart upload, appears at its key whole or not at all.
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { s3 } from './errors.ts';
import type { Bucket } from './objects.ts';

const MiB = 1024 * 1024;
/** S3's limits: every part but the last at least 5 MiB, none over 5 GiB, at most 10,000 parts; one CopyObject up to 5 GiB. */
export const MIN_PART = 5 * MiB;
export const MAX_PART = 5 * 1024 * MiB;
export const MAX_PARTS = 10_000;
/** Part copies in flight per copy. */
const PARALLEL = 4;

/** Bytes [start, end] (inclusive) of an object. */
export interface Piece {
  key: string;
  start: number;
  end: number;
}

function copySource(b: Bucket, key: string): string {
  return `${b.name}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Pieces over 5 GiB become even slices under it (so no slice but the last falls under 5 MiB). */
function sliced(pieces: readonly Piece[]): Piece[] {
  return pieces.flatMap((p) => {
    const size = p.end - p.start + 1;
    const n = Math.ceil(size / MAX_PART);
    const each = Math.ceil(size / n);
    return Array.from({ length: n }, (_, i) => ({ key: p.key, start: p.start + i * each, end: Math.min(p.end, p.start + (i + 1) * each - 1) }));
  });
}

/** Whether S3 can assemble these pieces by UploadPartCopy (part-size limits). */
export function copyable(pieces: readonly Piece[]): boolean {
  if (pieces.length === 0) return false;
  const ok = pieces.every((p, i) => p.end >= p.start && (i === pieces.length - 1 || p.end - p.start + 1 >= MIN_PART));
  return ok && sliced(pieces).length <= MAX_PARTS;
}

/** Copies a whole object (up to 5 GiB) in one request. */
export async function copyObject(b: Bucket, source: string, target: string): Promise<void> {
  await s3('COPY object', () => b.client.send(new CopyObjectCommand({ Bucket: b.name, Key: target, CopySource: copySource(b, source) })));
}

/**
 * Writes the concatenation of `pieces` to `target` with a multipart upload of part copies. The target may be one of
 * the sources (cutting a part short in place): S3 reads each source range when its part is copied.
 */
export async function copyPieces(b: Bucket, target: string, pieces: readonly Piece[]): Promise<void> {
  if (!copyable(pieces)) throw new Error('copyPieces: pieces violate S3 part limits');
  const parts = sliced(pieces);
  const created = await s3('CREATE multipart upload', () =>
    b.client.send(
      new CreateMultipartUploadCommand({
        Bucket: b.name,
        Key: target,
        ContentType: 'application/octet-stream',
      }),
    ),
  );
  const UploadId = created.UploadId;
  if (!UploadId) throw new Error('S3 returned no UploadId');
  try {
    const etags: string[] = new Array<string>(parts.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < parts.length; i = next++) {
        const p = parts[i]!;
        const out = await s3('COPY part', () =>
          b.client.send(
            new UploadPartCopyCommand({
              Bucket: b.name,
              Key: target,
              UploadId,
              PartNumber: i + 1,
              CopySource: copySource(b, p.key),
              CopySourceRange: `bytes=${p.start}-${p.end}`,
            }),
          ),
        );
        const etag = out.CopyPartResult?.ETag;
        if (!etag) throw new Error(`S3 returned no ETag for part ${i + 1}`);
        etags[i] = etag;
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, parts.length) }, worker));
    await s3('COMPLETE multipart upload', () =>
      b.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: b.name,
          Key: target,
          UploadId,
          MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
        }),
      ),
    );
  } catch (e) {
    // Best effort: parts left behind cost space until a lifecycle rule or removeUpload's sweep aborts them.
    await b.client.send(new AbortMultipartUploadCommand({ Bucket: b.name, Key: target, UploadId })).catch(() => undefined);
    throw e;
  }
}
