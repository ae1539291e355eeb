// Manifest PUT/GET/HEAD/DELETE on the wire: stored bytes go out untouched with their own media type and digest.
import { deleteManifest, getManifest, putManifest, RegistryError } from '../../core/index.ts';
import { gateRequest } from '../common/access.ts';
import { readBodyWithin } from '../common/body.ts';
import type { LaneAnswer } from '../common/lane.ts';
import { API_VERSION, type OciContext, type OciHandler } from './context.ts';

type ManifestRoute = { kind: 'manifest'; name: string; reference: string };

export const putManifestHandler: OciHandler<ManifestRoute> = async ({ ctx, route, req, reply, actor }) => {
  // The route's access check (token or basic, from the headers) has passed: the caller is known before its body is read.
  const body = await readBodyWithin(
    req.raw,
    ctx.deps.limits.maxManifestBytes,
    (n) => new RegistryError('MANIFEST_TOO_LARGE', `manifest exceeds the ${n}-byte limit`),
    { trust: 'verified' },
  );
  const result = await putManifest(ctx.deps, {
    repository: route.name,
    reference: route.reference,
    body,
    contentType: req.headers['content-type'],
    contentTypeRequired: true,
    actor,
  });
  reply
    .code(201)
    .headers({
      location: `/v2/${route.name}/manifests/${result.digest}`,
      'docker-content-digest': result.digest,
      'content-length': 0,
      ...(result.subject ? { 'oci-subject': result.subject } : {}),
    })
    .send();
};

/** A manifest GET's or HEAD's 200, for the route below and the dialect's lane (routes.ts) alike. */
export async function manifestAnswer(ctx: OciContext, route: ManifestRoute, isHead: boolean): Promise<LaneAnswer> {
  const found = await getManifest(ctx.deps, route.name, route.reference, isHead ? undefined : ctx.pulls);
  return {
    status: 200,
    headers: {
      'docker-distribution-api-version': API_VERSION,
      'content-type': found.mediaType,
      'content-length': found.size,
      'docker-content-digest': found.digest,
      etag: `"${found.digest}"`,
    },
    body: isHead ? null : Buffer.from(found.body.buffer, found.body.byteOffset, found.body.byteLength),
  };
}

export const getManifestHandler: OciHandler<ManifestRoute> = async ({ ctx, route, req, reply }) => {
  const answer = await manifestAnswer(ctx, route, req.method === 'HEAD');
  reply.code(200).headers(answer.headers);
  if (answer.body === null) return reply.send();
  if (req.headers['if-none-match'] === answer.headers.etag) return reply.code(304).send();
  return reply.send(answer.body);
};

/** `?break-pins=true` deletes even what deployment pins protect; that override needs admin on the repository. */
export const deleteManifestHandler: OciHandler<ManifestRoute> = async ({ ctx, route, query, req, reply, actor }) => {
  const breakPins = booleanFlag(query, 'break-pins');
  if (breakPins) {
    const request = gateRequest(req.headers, 'oci');
    if (!(await ctx.gate.alsoAllowed(request, { type: 'repository', name: route.name, actions: ['admin'] }))) {
      throw new RegistryError('DENIED', `break-pins needs the admin right on ${route.name}; delete without it or remove the pins`);
    }
  }
  await deleteManifest(ctx.deps, route.name, route.reference, actor, { breakPins });
  reply.code(202).header('content-length', 0).send();
};

function booleanFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1' || value === '') return true;
  throw new RegistryError('INVALID_REQUEST', `${name} must be true or false, got "${value.slice(0, 40)}"`);
}
