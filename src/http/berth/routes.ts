// The berth management API (/berth/v1: browsing, pins, trash, GC, audit, retention) as one encapsulated Fastify plugin: match the raw
// URL, authenticate, dispatch; every failure becomes {"error":{code,message,detail}} with a 4xx unless it is ours.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RegistryError } from '../../core/index.ts';
import { type AccessNeed, gateRequest } from '../common/access.ts';
import { setDialectErrorHandler } from '../common/error-handler.ts';
import { getAudit } from './audit.ts';
import { getNamespaces, getRepositories } from './browse.ts';
import { getManifest, getManifests, getTags } from './browse-repository.ts';
import { getSession, postRefresh, postSession } from './console.ts';
import { type BerthCall, type BerthContext, type BerthHandler, sendJson } from './context.ts';
import { deleteManifestByDigest, deleteTag, deleteWholeRepository, getDeletedManifests, postDeletePreview } from './deletes.ts';
import { berthErrorBody, wireError } from './errors.ts';
import { getGc, postGc } from './gc.ts';
import { getGcPassEvents } from './gc-events.ts';
import { getGcPass, getGcPasses, getGcReclaimed } from './gc-passes.ts';
import { deleteKey, getKeys, postKey } from './keys.ts';
import { deleteLifecycle, getLifecycle, postPreview, postRun, putLifecycle } from './lifecycle.ts';
import { type BerthRoute, matchBerthRoute, splitUrl } from './paths.ts';
import { putPinSet } from './pin-sets.ts';
import { getPin, getPins, postPin, removePin } from './pins.ts';
import { getRepositoryAccess } from './repository-access.ts';
import { getDeletedTags, postRestore } from './trash.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const TABLE: Record<BerthRoute['kind'], Partial<Record<Method, BerthHandler<never>>>> = {
  pins: { GET: getPins, POST: postPin },
  pin: { GET: getPin, DELETE: removePin },
  'pin-set': { PUT: putPinSet },
  'deleted-tags': { GET: getDeletedTags },
  restore: { POST: postRestore },
  gc: { GET: getGc, POST: postGc },
  'gc-passes': { GET: getGcPasses },
  'gc-pass': { GET: getGcPass },
  'gc-pass-events': { GET: getGcPassEvents },
  'gc-reclaimed': { GET: getGcReclaimed },
  audit: { GET: getAudit },
  lifecycle: { GET: getLifecycle, PUT: putLifecycle, DELETE: deleteLifecycle },
  'namespace-lifecycle': { GET: getLifecycle, PUT: putLifecycle, DELETE: deleteLifecycle },
  'lifecycle-preview': { POST: postPreview },
  'lifecycle-run': { POST: postRun },
  namespaces: { GET: getNamespaces },
  repositories: { GET: getRepositories },
  tags: { GET: getTags },
  manifests: { GET: getManifests },
  manifest: { GET: getManifest, DELETE: deleteManifestByDigest },
  'delete-preview': { POST: postDeletePreview },
  'deleted-manifests': { GET: getDeletedManifests },
  tag: { DELETE: deleteTag },
  repository: { DELETE: deleteWholeRepository },
  'repository-access': { GET: getRepositoryAccess },
  'console-sessions': { POST: postSession },
  'console-refresh': { POST: postRefresh },
  'console-session': { GET: getSession },
  keys: { GET: getKeys, POST: postKey },
  key: { DELETE: deleteKey },
};

function sendError(reply: FastifyReply, error: RegistryError): void {
  const { status, body } = wireError(error);
  sendJson(reply, status, body);
}

async function dispatch(ctx: BerthContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const { path, query } = splitUrl(req.raw.url ?? '/');
  const route = matchBerthRoute(path);
  // /repositories/{name} is only a DELETE; any other method there is an unknown endpoint, as before it existed.
  if (!route || (route.kind === 'repository' && req.method !== 'DELETE')) {
    sendJson(reply, 404, berthErrorBody('NOT_FOUND', `no such endpoint: ${req.method} ${path.slice(0, 200)}`));
    return;
  }
  const handler = TABLE[route.kind][req.method as Method];
  if (!handler) {
    reply.header('allow', Object.keys(TABLE[route.kind]).join(', '));
    throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on ${path.slice(0, 200)}`);
  }
  const request = gateRequest(req.headers, 'api');
  const authorize = async (needs: AccessNeed[]) => {
    const access = await ctx.gate.check(request, needs);
    if (access.allowed) return access.actor;
    if (access.challenge) reply.header('www-authenticate', access.challenge);
    throw new RegistryError(access.status === 401 ? 'UNAUTHORIZED' : 'DENIED', access.message);
  };
  // Every endpoint needs a known caller first, so nothing (not even "no such pin") is told to an anonymous one.
  await authorize([]);
  const call: BerthCall = { ctx, route, query, req, reply, authorize };
  await (handler as BerthHandler)(call);
}

/** Registers /berth/v1 with its own error handler, so callers always get this API's error body. */
export function berthPlugin(ctx: BerthContext) {
  return async (app: FastifyInstance): Promise<void> => {
    setDialectErrorHandler(app, {
      fromRegistry: (e) => e,
      badRequest: (message) => new RegistryError('INVALID_REQUEST', message),
      internal: () => new RegistryError('INTERNAL', 'internal error'),
      send: (_req, reply, e) => sendError(reply, e),
    });
    const handler = function berthApiRoute(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      return dispatch(ctx, req, reply);
    };
    app.route({ method: [...METHODS], url: '/berth/v1', handler });
    app.route({ method: [...METHODS], url: '/berth/v1/*', handler });
  };
}
