// createRepoTag (retag): the source tag's manifest, its exact bytes, put again under the destination tag through
// core's put-manifest, so the new tag is the same image by digest. An existing destination that points elsewhere
// moves only with override: true; an immutable repository refuses the move whatever override says.
import { z } from 'zod';
import { getManifest, isRegistryError, putManifest } from '../../../core/index.ts';
import { authorizeRepository } from '../authorize.ts';
import type { SwrOperation } from '../context.ts';
import { repositoryNotFound, SWR_ERRORS, SwrError } from '../errors.ts';
import { validateBody } from '../input.ts';
import { parseSwrTag } from '../names.ts';
import { pathRepository } from './resolve.ts';

const body = z.object({ source_tag: z.string(), destination_tag: z.string(), override: z.boolean().optional() });

export const createRepoTag: SwrOperation = async (call) => {
  const r = await pathRepository(call);
  const input = validateBody(body, call.body);
  const source = parseSwrTag(input.source_tag);
  const destination = parseSwrTag(input.destination_tag);
  await authorizeRepository(call, r.name, 'pull');
  await authorizeRepository(call, r.name, 'push');
  const deps = call.ctx.deps;
  let manifest;
  try {
    manifest = await getManifest(deps, r.name, source);
  } catch (e) {
    if (isRegistryError(e) && e.code === 'NAME_UNKNOWN') throw repositoryNotFound(r.namespace, r.repository);
    if (isRegistryError(e) && e.code === 'MANIFEST_UNKNOWN') {
      throw new SwrError(SWR_ERRORS.MANIFEST_UNKNOWN, `image ${r.repository}:${source} does not exist in namespace ${r.namespace}`);
    }
    throw e;
  }
  const current = await deps.meta.getManifest(r.name, { tag: destination });
  if (current && current.digest !== manifest.digest && input.override !== true) {
    throw new SwrError(
      SWR_ERRORS.TAG_IMMUTABLE,
      `image ${r.repository}:${destination} already exists (it is ${current.digest}); send override: true to move it`,
    );
  }
  await putManifest(deps, { repository: r.name, reference: destination, body: manifest.body, contentType: manifest.mediaType, actor: call.actor });
  return { status: 201, body: {} };
};
