// The Alibaba Compute Nest supplier RPC API as one encapsulated Fastify plugin on `/` (POST, or GET), told apart from
// ECR by the rootApi constraint: parameters from the query and a form body, ACS3 or RPC v1 signatures checked, every
// failure in Alibaba's {RequestId, HostId, Code, Message, Recommend} envelope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../auth/index.ts';
import { ECR_ACTIONS_OF } from '../common/access.ts';
import { readBodyWithin, senderVerified } from '../common/body.ts';
import { setDialectErrorHandler } from '../common/error-handler.ts';
import { addRootApiConstraint } from '../common/root-api.ts';
import { authenticate, preauthenticate } from './caller.ts';
import type { AcrCall, AcrContext, Caller } from './context.ts';
import { AcrError, errorBody, fromRegistryError } from './errors.ts';
import { runOnce } from './idempotency.ts';
import { API_VERSION, operationOf } from './operations.ts';
import { type CallParams, readParams } from './params.ts';
import { clientToken } from './validate.ts';
import { newRequestId, successBody } from './wire.ts';

const CONTENT_TYPE = 'application/json;charset=utf-8';
/** RPC parameters are short; a form body beyond this is not an API call. */
const BODY_LIMIT = 64 * 1024;
const REQUEST_ID = 'x-acs-request-id';

function hostOf(req: FastifyRequest): string {
  const host = req.headers.host ?? '';
  return /^[A-Za-z0-9.:[\]_-]{1,255}$/.test(host) ? host : 'berth';
}

function send(reply: FastifyReply, status: number, body: string): void {
  reply.code(status).header('content-type', CONTENT_TYPE).send(Buffer.from(body, 'utf8'));
}

function sendError(req: FastifyRequest, reply: FastifyReply, e: AcrError): void {
  const requestId = String(reply.getHeader(REQUEST_ID) ?? newRequestId());
  send(reply, e.status, errorBody(e, requestId, hostOf(req)));
}

/** One name from the header or the parameters; both given and different is refused rather than guessed. */
function pick(req: FastifyRequest, params: CallParams, header: string, param: string): string | undefined {
  const fromHeader = req.headers[header];
  const h = typeof fromHeader === 'string' && fromHeader !== '' ? fromHeader : undefined;
  const p = params.all.get(param) || undefined;
  if (h !== undefined && p !== undefined && h !== p) throw new AcrError('InvalidParameter', `The ${param} parameter and the ${header} header differ.`);
  return h ?? p;
}

function callFor(ctx: AcrContext, req: FastifyRequest, caller: Caller, action: string): AcrCall {
  const may = (repository: string, right: Parameters<typeof can>[2]): boolean => can(caller.principal, repository, right);
  return {
    ctx,
    action,
    caller,
    host: hostOf(req),
    actor: { principal: caller.keyId ?? 'anonymous', dialect: 'acr' },
    may,
    async authorize(repository, right, ecrActions = ECR_ACTIONS_OF[right]) {
      // The repository's name stays out of the message: a RepoId alone must not reveal what the caller cannot see.
      if (!may(repository, right)) {
        throw new AcrError(
          'Forbidden.RAM',
          `User not authorized to operate on the specified resource: ${caller.keyId ?? 'anonymous'} needs the ${right} grant on this repository for computenestsupplier:${action}.`,
          403,
        );
      }
      if (await ctx.signatures.policyDenies?.(caller.principal, repository, ecrActions)) {
        throw new AcrError(
          'Forbidden.RAM',
          `User not authorized to operate on the specified resource: the repository policy explicitly denies computenestsupplier:${action} to ${caller.keyId ?? 'anonymous'}.`,
          403,
        );
      }
    },
  };
}

async function dispatch(ctx: AcrContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const requestId = String(reply.getHeader(REQUEST_ID));
  const url = req.raw.url ?? '/';
  const authorization = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
  const signed = { method: req.method, url, rawHeaders: req.raw.rawHeaders, authorization };
  // Strangers are refused from the headers, unread; the body's hash (ACS3) or its form parameters (RPC v1) come after.
  await preauthenticate(ctx, { ...signed, contentType: req.headers['content-type'] }, ctx.deps.clock.now());
  const tooLarge = (n: number) => new AcrError('InvalidParameter', `The request body exceeds ${n} bytes.`);
  const body = await readBodyWithin(req.raw, BODY_LIMIT, tooLarge, { trust: 'unverified' });
  const params = readParams(url, body, req.headers['content-type']);
  const caller = await authenticate(ctx, { ...signed, body, params }, ctx.deps.clock.now());
  senderVerified(req.raw);
  const action = pick(req, params, 'x-acs-action', 'Action');
  if (action === undefined) throw new AcrError('MissingAction', 'Action is mandatory for this request.');
  const version = pick(req, params, 'x-acs-version', 'Version');
  if (version === undefined) throw new AcrError('MissingVersion', 'Version is mandatory for this request.');
  const op = operationOf(action);
  if (op === null) throw new AcrError('InvalidApi.NotFound', 'Specified api is not found, please check your url and method.', 404);
  if (version !== API_VERSION) throw new AcrError('InvalidVersion', `Specified parameter Version is not valid: berth implements ${API_VERSION}.`);
  const input = op.parse(params.all, ctx.acr);
  const token = op.idempotent ? clientToken(params.all) : undefined;
  const call = callFor(ctx, req, caller, action);
  if (token === undefined) return send(reply, 200, successBody(requestId, await op.run(call, input)));
  const answer = await runOnce(call, token, input, { requestId, hostId: hostOf(req) }, () => op.run(call, input));
  // A replay carries the first call's RequestId; the header says the same as the body.
  const replayedId = /^\{"RequestId":"([0-9A-F-]{36})"/.exec(answer.body)?.[1];
  if (replayedId !== undefined) reply.header(REQUEST_ID, replayedId);
  send(reply, answer.status, answer.body);
}

/** Registers POST and GET / for Alibaba RPC calls, with their own error handler. */
export function acrPlugin(ctx: AcrContext) {
  return async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRequest', async (_req, reply) => {
      reply.header(REQUEST_ID, newRequestId());
    });
    setDialectErrorHandler(app, {
      isOwn: (e) => e instanceof AcrError,
      fromRegistry: fromRegistryError,
      badRequest: (message) => new AcrError('InvalidParameter', message),
      internal: () => new AcrError('InternalError', 'The request processing has failed due to some unknown error.', 500),
      send: sendError,
    });
    addRootApiConstraint(app);
    for (const method of ['POST', 'GET'] as const) {
      app.route({
        method,
        url: '/',
        constraints: { rootApi: 'acr' },
        handler: function acrRoute(req, reply) {
          return dispatch(ctx, req, reply);
        },
      });
    }
  };
}
