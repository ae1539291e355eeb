// Manifest PUT/GET/HEAD/DELETE on the wire: stored bytes go out untouched with their own media type and digest.
import { deleteManifest, getManifest, putManifest, RegistryError } from '../../core/index.ts';
import { readBody } from '../shared/body.ts';
import type { OciHandler } from './context.ts';

type ManifestRoute = { kind: 'manifest'; name: string; reference: string };

export const putManifestHandler: OciHandler<ManifestRoute> = async ({ ctx, route, req, reply, actor }) => {
  const body = await readBody(req.raw, ctx.deps.limits.maxManifestBytes);
  if (body === 'too-large') {
    throw new RegistryError('MANIFEST_TOO_LARGE', `manifest exceeds the ${ctx.deps.limits.maxManifestBytes}-byte limit`);
  }
  const result = await putManifest(ctx.deps, {
    repository: route.name, reference: route.reference, body, contentType: req.headers['content-type'], actor,
  });
  reply.code(201).headers({
    location: `/v2/${route.name}/manifests/${result.digest}`,
    'docker-content-digest': result.digest,
    'content-length': 0,
    ...(result.subject ? { 'oci-subject': result.subject } : {}),
  }).send();
};

export const getManifestHandler: OciHandler<ManifestRoute> = async ({ ctx, route, req, reply }) => {
  const isHead = req.method === 'HEAD';
  const found = await getManifest(ctx.deps, route.name, route.reference, isHead ? undefined : ctx.pulls);
  reply.code(200).headers({
    'content-type': found.mediaType,
    'content-length': found.size,
    'docker-content-digest': found.digest,
    etag: `"${found.digest}"`,
  });
  if (isHead) return reply.send();
  if (req.headers['if-none-match'] === `"${found.digest}"`) return reply.code(304).send();
  return reply.send(Buffer.from(found.body.buffer, found.body.byteOffset, found.body.byteLength));
};

export const deleteManifestHandler: OciHandler<ManifestRoute> = async ({ ctx, route, reply, actor }) => {
  await deleteManifest(ctx.deps, route.name, route.reference, actor);
  reply.code(202).header('content-length', 0).send();
};
