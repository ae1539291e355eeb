// The Huawei SWR dialect as one encapsulated Fastify plugin: /v2/manage/... and /v3/manage/... REST, SDK-HMAC-SHA256
// or X-Auth-Token checked, names validated, every failure in SWR's error object, an X-Request-Id on every answer.
// It shares the /v2 prefix with the OCI dialect: a route constraint (paths.ts isSwrUrl) hands it exactly its own paths.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readBodyWithin, senderVerified } from '../common/body.ts';
import { setDialectErrorHandler } from '../common/error-handler.ts';
import { authenticate, preauthenticate } from './caller.ts';
import type { SwrAnswer, SwrCall, SwrContext } from './context.ts';
import { errorBody, fromRegistryError, invalidParameter, SWR_ERRORS, SWR_ONLY, SwrError } from './errors.ts';
import { OPERATIONS } from './operations.ts';
import { decodeRoute, isSwrUrl, matchSwrRoute, splitUrl } from './paths.ts';

/** Management bodies are small JSON documents; anything bigger is refused, never buffered. */
const BODY_LIMIT = 256 * 1024;
const CONSTRAINT = 'swrApi';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

function requestId(reply: FastifyReply): string {
  return String(reply.getHeader('x-request-id') ?? '');
}

function sendError(reply: FastifyReply, e: SwrError): void {
  reply
    .code(e.status)
    .header('content-type', 'application/json;charset=utf-8')
    .send(errorBody(e, requestId(reply)));
}

function send(reply: FastifyReply, answer: SwrAnswer): void {
  for (const [name, value] of Object.entries(answer.headers ?? {})) reply.header(name, value);
  reply.code(answer.status);
  if (answer.status === 204 || answer.body === undefined) {
    reply.send();
    return;
  }
  reply.header('content-type', 'application/json;charset=utf-8').send(JSON.stringify(answer.body));
}

async function dispatch(ctx: SwrContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const url = req.raw.url ?? '/';
  const { path, query } = splitUrl(url);
  const route = matchSwrRoute(path);
  const ops = route ? OPERATIONS[route.kind] : undefined;
  const op = ops && Object.hasOwn(ops, req.method) ? ops[req.method] : undefined;
  if (!route || !op)
    throw new SwrError(SWR_ONLY.noSuchApi, `The API does not exist or has not been published in the environment: ${req.method} ${path.slice(0, 200)}`);
  const signed = { method: req.method, url, rawHeaders: req.raw.rawHeaders };
  // Strangers are refused from the headers, unread; a token caller is known before the body, a signer only after it.
  const known = await preauthenticate(ctx, signed, ctx.deps.clock.now());
  const tooLarge = (n: number) => invalidParameter(`the request body exceeds ${n} bytes`);
  const body = await readBodyWithin(req.raw, BODY_LIMIT, tooLarge, { trust: known ? 'verified' : 'unverified' });
  const caller = known ?? (await authenticate(ctx, { ...signed, body }, ctx.deps.clock.now()));
  senderVerified(req.raw);
  const call: SwrCall = {
    ctx,
    caller,
    route: decodeRoute(route),
    query,
    body,
    host: req.headers.host ?? 'localhost',
    actor: { principal: caller.keyId ?? 'anonymous', dialect: 'swr' },
  };
  send(reply, await op(call));
}

function addSwrConstraint(app: FastifyInstance): void {
  if (app.hasConstraintStrategy(CONSTRAINT)) return;
  app.addConstraintStrategy({
    name: CONSTRAINT,
    storage() {
      const handlers = new Map<string, unknown>();
      return {
        get: (value: string) => (handlers.get(value) ?? null) as never,
        set: (value: string, handler: unknown) => void handlers.set(value, handler),
      };
    },
    deriveConstraint: (req: IncomingMessage) => (isSwrUrl(req.url ?? '/') ? 'swr' : 'other'),
    // Routes without the constraint (the OCI catch-all and the rest) still match whatever was derived.
    mustMatchWhenDerived: false,
  });
}

/** Registers /v2/manage/* (constrained to SWR's own paths) and /v3/manage/*, with SWR's error handler. */
export function swrPlugin(ctx: SwrContext) {
  return async (app: FastifyInstance): Promise<void> => {
    addSwrConstraint(app);
    app.addHook('onRequest', async (_req, reply) => {
      reply.header('x-request-id', randomUUID().replaceAll('-', ''));
    });
    setDialectErrorHandler(app, {
      isOwn: (e) => e instanceof SwrError,
      fromRegistry: fromRegistryError,
      badRequest: invalidParameter,
      internal: () => new SwrError(SWR_ERRORS.INTERNAL, 'Internal server error: operation failed'),
      send: (_req, reply, e) => sendError(reply, e),
    });
    const handler = function swrRoute(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      return dispatch(ctx, req, reply);
    };
    app.route({ method: [...METHODS], url: '/v2/manage/*', constraints: { [CONSTRAINT]: 'swr' }, handler });
    app.route({ method: [...METHODS], url: '/v3/manage/*', handler });
  };
}
