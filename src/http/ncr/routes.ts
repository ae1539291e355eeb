// The NAVER Cloud NCR dialect as encapsulated Fastify plugins, one per documented prefix (/ncr/api/v2 and the
// regional and government ones): the raw request target is signature-checked and parsed by the dialect itself,
// bodies are read bounded, and every failure, 404s included, answers in the API Gateway's error envelope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readBodyWithin } from '../common/body.ts';
import { setDialectErrorHandler } from '../common/error-handler.ts';
import { authenticate } from './caller.ts';
import type { NcrCall, NcrContext } from './context.ts';
import { badRequest, errorBody, fromRegistryError, NCR_ERRORS, NcrError, notFound, TOO_LARGE } from './errors.ts';
import { resolveOperation } from './operations.ts';
import { NCR_PREFIXES, splitTarget } from './paths.ts';

const CONTENT_TYPE = 'application/json;charset=UTF-8';
/** Bodies are small JSON documents (a bucket name, two descriptions). */
const MAX_BODY_BYTES = 1 << 20;
const METHODS = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS'];

function sendError(reply: FastifyReply, e: NcrError): void {
  reply.code(e.wire.status).header('content-type', CONTENT_TYPE).send(errorBody(e));
}

/** The Host the client used, for page links; anything that is not a plain host[:port] is replaced. */
function originOf(req: FastifyRequest): string {
  const host = req.headers.host;
  return `${req.protocol}://${typeof host === 'string' && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? host : 'localhost'}`;
}

async function dispatch(ctx: NcrContext, prefix: string, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const url = req.raw.url ?? '/';
  // NAVER's signature covers no body, so the caller is known before a byte of it is read: strangers cannot make berth buffer.
  const caller = await authenticate(ctx, { method: req.method, url, headers: req.headers }, ctx.deps.clock.now());
  const body = await readBodyWithin(req.raw, MAX_BODY_BYTES, (n) => new NcrError(TOO_LARGE, `the request body exceeds ${n} bytes`), {
    trust: 'verified',
  });
  const target = splitTarget(prefix, url);
  if (target === null) throw notFound(`no such operation: ${req.method} ${url.slice(0, 200)}`);
  const { handler, params } = resolveOperation(req.method, target.rawPath);
  let query: URLSearchParams;
  try {
    query = new URLSearchParams(target.rawQuery);
  } catch {
    throw badRequest('malformed query string');
  }
  const call: NcrCall = {
    ctx,
    caller,
    body,
    query,
    prefix,
    rawPath: target.rawPath,
    origin: originOf(req),
    actor: { principal: caller.keyId ?? 'anonymous', dialect: 'ncr' },
  };
  const answer = await handler(call, params);
  reply.code(answer.status);
  if (answer.body === undefined) return void reply.send();
  reply.header('content-type', CONTENT_TYPE).send(JSON.stringify(answer.body));
}

function prefixPlugin(ctx: NcrContext, prefix: string) {
  return async (app: FastifyInstance): Promise<void> => {
    setDialectErrorHandler(app, {
      isOwn: (e) => e instanceof NcrError,
      fromRegistry: fromRegistryError,
      badRequest,
      internal: () => new NcrError(NCR_ERRORS.INTERNAL, 'internal server error'),
      send: (_req, reply, e) => sendError(reply, e),
    });
    app.setNotFoundHandler(function ncrNoSuchRoute(req, reply) {
      sendError(reply, notFound(`no such operation: ${req.method} ${req.url.slice(0, 200)}`));
    });
    const handler = function ncrRoute(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      return dispatch(ctx, prefix, req, reply);
    };
    app.route({ method: METHODS, url: '/', handler });
    app.route({ method: METHODS, url: '/*', handler });
  };
}

/** Registers the NCR API under every documented prefix, with the same routes and the same error envelope. */
export function ncrPlugin(ctx: NcrContext) {
  return async (app: FastifyInstance): Promise<void> => {
    for (const prefix of NCR_PREFIXES) await app.register(prefixPlugin(ctx, prefix), { prefix });
  };
}
