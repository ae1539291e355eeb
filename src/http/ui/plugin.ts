// Serves the web console under /ui/ from the whitelist files.ts loads: the security headers a browser app needs (a
// strict CSP with no inline script, nosniff, no referrer, no framing), ETags so a reload costs 304s, and deep links.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UiFile } from './files.ts';
import { isClientRoute } from './routes.ts';

/** Everything the page may load comes from this origin; it talks only to /berth/v1 on the same origin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

function accepts(req: FastifyRequest, encoding: string): boolean {
  const header = req.headers['accept-encoding'];
  return typeof header === 'string' && header.split(',').some((e) => e.trim().split(';')[0] === encoding);
}

function sendFile(req: FastifyRequest, reply: FastifyReply, file: UiFile): FastifyReply {
  // No hashed file names (no build step), so the browser revalidates each file: a 304 costs a round trip, not bytes.
  reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache', etag: file.etag, vary: 'accept-encoding' });
  if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
  reply.header('content-type', file.type);
  if (file.gzip && accepts(req, 'gzip')) return reply.header('content-encoding', 'gzip').send(file.gzip);
  return reply.send(file.body);
}

/** /ui and /ui/*: a file of the whitelist, index.html for a client route, else 404. GET and HEAD only. */
export function uiPlugin(files: ReadonlyMap<string, UiFile>) {
  const index = files.get('index.html');
  if (!index) throw new Error('the console has no index.html');
  return async (app: FastifyInstance): Promise<void> => {
    const redirect = async function uiRoot(req: FastifyRequest, reply: FastifyReply) {
      const query = req.url.indexOf('?');
      return reply.headers(SECURITY_HEADERS).redirect(`/ui/${query < 0 ? '' : req.url.slice(query)}`, 301);
    };
    const serve = async function uiFile(req: FastifyRequest, reply: FastifyReply) {
      const raw = req.url.slice('/ui/'.length);
      const path = raw.split(/[?#]/, 1)[0]!;
      const file = files.get(path);
      if (file && path !== 'index.html') return sendFile(req, reply, file);
      if (path === 'index.html' || isClientRoute(decodePath(path))) return sendFile(req, reply, index);
      return reply.code(404).headers(SECURITY_HEADERS).header('content-type', 'text/plain; charset=utf-8').send('not found\n');
    };
    app.route({ method: ['GET', 'HEAD'], url: '/ui', handler: redirect });
    app.route({ method: ['GET', 'HEAD'], url: '/ui/*', handler: serve });
  };
}

/** The client router decodes too; a malformed escape is no page of ours. */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return '//';
  }
}
