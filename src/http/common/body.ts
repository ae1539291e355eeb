// Reads small bodies (manifests, JSON APIs) with a hard size limit, so a huge upload cannot exhaust memory.
import type { IncomingMessage } from 'node:http';

/**
 * Resolves the body, or 'too-large' when more than `limit` bytes are declared or arrive. Excess bytes are
 * drained and dropped (not kept), so the connection stays usable for the error response.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let tooLarge = Number.isFinite(declared) && declared > limit;
    req.on('data', (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks, total)));
    req.on('error', reject);
    req.on('aborted', () => reject(new Error('request aborted')));
  });
}

/** Consumes and drops a body the route does not use, so keep-alive connections stay in sync. */
export async function discardBody(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return;
  await new Promise<void>((resolve) => {
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}

/** readBody for a dialect's small JSON or form bodies: the bytes, or the dialect's own "too large" error thrown. */
export async function readBodyWithin(req: IncomingMessage, limit: number, tooLarge: (limit: number) => Error): Promise<Buffer> {
  const body = await readBody(req, limit);
  if (body === 'too-large') throw tooLarge(limit);
  return body;
}
