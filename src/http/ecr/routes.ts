// The AWS ECR dialect as one encapsulated Fastify plugin: POST / with X-Amz-Target, JSON 1.1 in and out, SigV4
// checked, input validated against the ECR model, every failure in AWS's {"__type","message"} envelope.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { readBodyWithin, senderVerified } from '../common/body.ts';
import { setDialectErrorHandler } from '../common/error-handler.ts';
import { jsonObject, jsonProblemText } from '../common/json-body.ts';
import { addRootApiConstraint } from '../common/root-api.ts';
import { accessDenied, authorize } from './authorize.ts';
import { authenticate, preauthenticate } from './caller.ts';
import type { Caller, EcrCall, EcrContext } from './context.ts';
import { EcrError, errorBody, fromRegistryError } from './errors.ts';
import { operationOf } from './operations.ts';
import { validate } from './validate.ts';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

function send(reply: FastifyReply, status: number, body: string): void {
  // A Buffer, so Fastify leaves the content type exactly as AWS sends it (no charset suffix).
  reply.code(status).header('content-type', CONTENT_TYPE).send(Buffer.from(body, 'utf8'));
}

function sendError(reply: FastifyReply, e: EcrError): void {
  reply.header('x-amzn-errortype', e.type);
  send(reply, e.status, errorBody(e));
}

function parseJson(body: Buffer): unknown {
  // AWS answers a body it cannot deserialise with SerializationException; too deep a nesting is one of those.
  return jsonObject(body, (problem) => {
    const text = jsonProblemText(problem);
    return new EcrError('SerializationException', `${text[0]!.toUpperCase()}${text.slice(1)}`);
  });
}

/** berth is one registry: naming another account's registry is refused, as AWS refuses what it cannot grant. */
function checkRegistry(ctx: EcrContext, caller: Caller, operation: string, input: unknown): void {
  const { registryId, registryIds } = input as { registryId?: string; registryIds?: string[] };
  const foreign = [registryId, ...(registryIds ?? [])].find((id) => id !== undefined && id !== ctx.ecr.registryId);
  if (foreign !== undefined) throw accessDenied(ctx, caller, operation, `registry ${foreign}`, `because berth serves only registry ${ctx.ecr.registryId}`);
}

async function dispatch(ctx: EcrContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Room for a 4 MiB manifest escaped inside a JSON string.
  const limit = ctx.deps.limits.maxManifestBytes * 2 + 1024 * 1024;
  const signed = { method: req.method, url: req.raw.url ?? '/', rawHeaders: req.raw.rawHeaders };
  // The signature covers the body's hash, so only its key and date can be checked first: strangers are refused unread.
  await preauthenticate(ctx, signed, ctx.deps.clock.now());
  const tooLarge = (n: number) => new EcrError('InvalidParameterException', `The request body exceeds ${n} bytes`);
  const body = await readBodyWithin(req.raw, limit, tooLarge, { trust: 'unverified' });
  const caller = await authenticate(ctx, { ...signed, body }, ctx.deps.clock.now());
  senderVerified(req.raw);
  const target = req.headers['x-amz-target'];
  const found = operationOf(typeof target === 'string' ? target : undefined);
  if (!found) {
    throw new EcrError(
      'UnknownOperationException',
      typeof target === 'string'
        ? `berth does not implement the operation ${target.slice(0, 200)}`
        : 'Missing X-Amz-Target header: expected AmazonEC2ContainerRegistry_V20150921.<Operation>',
    );
  }
  const input = validate(found.op.input, parseJson(body));
  checkRegistry(ctx, caller, found.name, input);
  const call: EcrCall = {
    ctx,
    operation: found.name,
    caller,
    actor: { principal: caller.keyId ?? 'anonymous', dialect: 'ecr' },
    origin: `${req.protocol}://${req.headers.host ?? 'localhost'}`,
    authorize: (repository, action) => authorize(ctx, caller, found.name, repository, action),
  };
  const result = await found.op.run(call, input);
  send(reply, 200, JSON.stringify(result));
}

/** Registers POST / with its own error handler, so ECR clients always get AWS's error envelope. */
export function ecrPlugin(ctx: EcrContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (_req, reply) => {
      reply.header('x-amzn-RequestId', randomUUID());
    });
    setDialectErrorHandler(app, {
      isOwn: (e) => e instanceof EcrError,
      fromRegistry: (e) => fromRegistryError(e, ctx.ecr.registryId),
      badRequest: (message) => new EcrError('InvalidParameterException', message),
      internal: () => new EcrError('ServerException', 'Internal server error', 500),
      send: (_req, reply, e) => sendError(reply, e),
    });
    addRootApiConstraint(app);
    app.route({
      method: 'POST',
      url: '/',
      constraints: { rootApi: 'ecr' },
      handler: function ecrRoute(req, reply) {
        return dispatch(ctx, req, reply);
      },
    });
  };
}
