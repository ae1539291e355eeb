// Blob HEAD/GET/DELETE on the wire: immutable content, so strong ETags and long cache lifetimes are safe.
import type { FastifyReply } from 'fastify';
import { type BlobBytes, blobDownloadUrl, deleteBlob, openBlobBytes, RegistryError, statBlob } from '../../core/index.ts';
import { noteStreamed } from '../common/memory-relief.ts';
import { parseRange } from '../common/ranges.ts';
import { sendFile } from '../common/send-file.ts';
import type { OciHandler } from './context.ts';

type BlobRoute = { kind: 'blob'; name: string; digest: string };

function commonHeaders(digest: string, size: number): Record<string, string | number> {
  return {
    'docker-content-digest': digest,
    etag: `"${digest}"`,
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=31536000',
    'content-type': 'application/octet-stream',
    'content-length': size,
  };
}

export const headBlob: OciHandler<BlobRoute> = async ({ ctx, route, reply }) => {
  const info = await statBlob(ctx.deps, route.name, route.digest);
  reply.code(200).headers(commonHeaders(info.digest, info.size)).send();
};

export const getBlob: OciHandler<BlobRoute> = async ({ ctx, route, req, reply }) => {
  if (req.headers['if-none-match'] === `"${route.digest}"`) {
    await statBlob(ctx.deps, route.name, route.digest);
    reply.code(304).header('etag', `"${route.digest}"`).send();
    return;
  }
  // With blobs.s3.redirect the client fetches the bytes from the object store (a presigned URL; Range works there too).
  const redirect = await blobDownloadUrl(ctx.deps, route.name, route.digest);
  if (redirect) {
    reply.code(307).headers({ location: redirect.url, 'docker-content-digest': redirect.info.digest, 'content-length': 0 }).send();
    return;
  }
  const rangeHeader = req.headers.range;
  if (rangeHeader) {
    const info = await statBlob(ctx.deps, route.name, route.digest);
    const range = parseRange(rangeHeader, info.size);
    if (range === 'unsatisfiable') {
      reply.header('content-range', `bytes */${info.size}`);
      throw new RegistryError('RANGE_INVALID', `range ${rangeHeader} cannot be satisfied by ${info.size} bytes`, { size: info.size });
    }
    if (range) {
      const opened = await openBlobBytes(ctx.deps, route.name, route.digest, range);
      reply.code(206).headers({
        ...commonHeaders(opened.digest, range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${opened.size}`,
      });
      return sendBytes(reply, opened.bytes);
    }
  }
  const opened = await openBlobBytes(ctx.deps, route.name, route.digest);
  reply.code(200).headers(commonHeaders(opened.digest, opened.size));
  return sendBytes(reply, opened.bytes);
};

/** The body: a file through reused buffers (the reply is taken over from Fastify for it), or the store's stream. */
async function sendBytes(reply: FastifyReply, bytes: BlobBytes): Promise<void> {
  if (bytes.kind === 'stream') {
    bytes.stream.on('data', (chunk: Buffer) => noteStreamed(chunk.length));
    return reply.send(bytes.stream);
  }
  reply.hijack();
  for (const [name, value] of Object.entries(reply.getHeaders()))
    if (value !== undefined) reply.raw.setHeader(name, typeof value === 'number' ? String(value) : value);
  reply.raw.writeHead(reply.statusCode);
  await sendFile(reply.raw, bytes.file, bytes.start, bytes.end);
}

export const removeBlob: OciHandler<BlobRoute> = async ({ ctx, route, reply, actor }) => {
  await deleteBlob(ctx.deps, route.name, route.digest, actor);
  reply.code(202).header('content-length', 0).send();
};
