// The OCI Distribution dialect as one encapsulated Fastify plugin: match the raw URL, check access, dispatch.
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Action, RegistryError } from '../../core/index.ts';
import { type AccessNeed, gateRequest } from '../common/access.ts';
import { setDialectErrorHandler } from '../common/error-handler.ts';
import type { Lane, LaneAnswer } from '../common/lane.ts';
import { getBlob, headBlob, removeBlob } from './blobs.ts';
import { API_VERSION, type OciContext, type OciHandler } from './context.ts';
import { OCI_ERRORS, ociEnvelope } from './errors.ts';
import { getCatalog, getReferrers, getTags, tagsAnswer } from './listings.ts';
import { deleteManifestHandler, getManifestHandler, manifestAnswer, putManifestHandler } from './manifests.ts';
import { matchOciRoute, type OciRoute, pathOf, splitUrl } from './paths.ts';
import { deleteUpload, getUploadStatus, patchUpload, postUpload, putUpload } from './uploads.ts';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
interface Entry {
  handler: OciHandler<never>;
  actions: Action[];
}

const base: OciHandler = async ({ reply }) => {
  reply.code(200).header('content-type', 'application/json').send('{}');
};

const TABLE: Record<OciRoute['kind'], Partial<Record<Method, Entry>>> = {
  base: { GET: { handler: base, actions: [] }, HEAD: { handler: base, actions: [] } },
  catalog: { GET: { handler: getCatalog, actions: ['pull'] } },
  tags: { GET: { handler: getTags, actions: ['pull'] } },
  manifest: {
    GET: { handler: getManifestHandler, actions: ['pull'] },
    HEAD: { handler: getManifestHandler, actions: ['pull'] },
    PUT: { handler: putManifestHandler, actions: ['pull', 'push'] },
    DELETE: { handler: deleteManifestHandler, actions: ['delete'] },
  },
  uploads: { POST: { handler: postUpload, actions: ['pull', 'push'] } },
  upload: {
    GET: { handler: getUploadStatus, actions: ['push'] },
    PATCH: { handler: patchUpload, actions: ['push'] },
    PUT: { handler: putUpload, actions: ['push'] },
    DELETE: { handler: deleteUpload, actions: ['push'] },
  },
  blob: {
    GET: { handler: getBlob, actions: ['pull'] },
    HEAD: { handler: headBlob, actions: ['pull'] },
    DELETE: { handler: removeBlob, actions: ['delete'] },
  },
  referrers: { GET: { handler: getReferrers, actions: ['pull'] } },
};

function needsFor(route: OciRoute, actions: Action[]): AccessNeed[] {
  if (actions.length === 0) return [];
  if (route.kind === 'catalog') return [{ type: 'registry', name: 'catalog', actions: ['pull'] }];
  return 'name' in route ? [{ type: 'repository', name: route.name, actions }] : [];
}

export function sendOciError(reply: FastifyReply, error: RegistryError): void {
  const wire = OCI_ERRORS[error.code];
  reply.code(wire.status).header('content-type', 'application/json');
  if (reply.request.method === 'HEAD') {
    reply.send();
    return;
  }
  reply.send(JSON.stringify(ociEnvelope(wire.code, error.message, error.detail)));
}

async function dispatch(ctx: OciContext, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('docker-distribution-api-version', API_VERSION);
  const { path, query } = splitUrl(req.raw.url ?? '/');
  const route = matchOciRoute(path);
  if (!route) throw new RegistryError('NAME_UNKNOWN', `no such endpoint: ${req.method} ${path.slice(0, 200)}`);
  const entry = TABLE[route.kind][req.method as Method];
  if (!entry) {
    reply.header('allow', Object.keys(TABLE[route.kind]).join(', '));
    throw new RegistryError('UNSUPPORTED', `${req.method} is not supported on this endpoint`);
  }
  const access = await ctx.gate.check(gateRequest(req.headers, 'oci'), needsFor(route, entry.actions));
  if (!access.allowed) {
    if (access.challenge) reply.header('www-authenticate', access.challenge);
    throw new RegistryError(access.status === 401 ? 'UNAUTHORIZED' : 'DENIED', access.message);
  }
  await (entry.handler as OciHandler)({ ctx, route, query, req, reply, actor: access.actor });
}

/** Registers /v2 with its own error handler, so OCI clients always get the spec's error envelope. */
export function ociPlugin(ctx: OciContext) {
  return async (app: FastifyInstance): Promise<void> => {
    setDialectErrorHandler(app, {
      fromRegistry: (e) => e,
      badRequest: (message) => new RegistryError('INVALID_REQUEST', message),
      internal: () => new RegistryError('INTERNAL', 'internal error'),
      send(_req, reply, e) {
        reply.header('docker-distribution-api-version', API_VERSION);
        sendOciError(reply, e);
      },
    });
    const methods: Method[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const handler = function ociRoute(req: FastifyRequest, reply: FastifyReply): Promise<void> {
      return dispatch(ctx, req, reply);
    };
    app.route({ method: methods, url: '/v2', handler });
    app.route({ method: methods, url: '/v2/*', handler });
  };
}

/**
 * Manifest GET/HEAD and tags/list before Fastify (common/lane.ts): the same route match, access check and answer as
 * dispatch above. Anything but a plain success (a refusal, an unknown name, If-None-Match, an error) is left to
 * Fastify, which then does the whole request again and answers it in the OCI shape.
 */
export function ociLane(ctx: OciContext): Lane {
  return (req) => {
    const url = req.url ?? '/';
    let route: OciRoute | null;
    try {
      route = matchOciRoute(pathOf(url));
    } catch {
      return null;
    }
    if (!route) return null;
    const method = req.method as Method;
    // A method the route table lacks (HEAD of tags/list) is Fastify's to refuse, at once.
    const entry = TABLE[route.kind][method];
    if (!entry) return null;
    if (route.kind === 'manifest' && req.headers['if-none-match'] === undefined) {
      const manifest = route;
      return allowedThen(ctx, req.headers, manifest, entry, () => manifestAnswer(ctx, manifest, method === 'HEAD'));
    }
    if (route.kind === 'tags') {
      const tags = route;
      return allowedThen(ctx, req.headers, tags, entry, () => tagsAnswer(ctx, tags.name, splitUrl(url).query));
    }
    return null;
  };
}

async function allowedThen(
  ctx: OciContext,
  headers: IncomingHttpHeaders,
  route: OciRoute,
  entry: Entry,
  answer: () => Promise<LaneAnswer>,
): Promise<LaneAnswer | null> {
  try {
    const access = await ctx.gate.check(gateRequest(headers, 'oci'), needsFor(route, entry.actions));
    return access.allowed ? await answer() : null;
  } catch {
    return null;
  }
}
