// The ten NCR operations by path shape and method; anything else under an NCR prefix is the gateway's 404. The
// shape is decided on the raw segments (so an encoded "tags" inside imageName never looks like the tags path),
// then each parameter is decoded once and validated.
import type { Handler, NcrParams } from './context.ts';
import { notFound } from './errors.ts';
import { deleteImage, getImage, listImages, patchImage } from './ops/images.ts';
import { createRegistry, deleteRegistry, listRegistries } from './ops/registries.ts';
import { deleteTag, getTag, listTags } from './ops/tags.ts';
import { noParams, rawSegments, referenceParam, registryParam, repositoryParam } from './paths.ts';

type Shape = 'registries' | 'registry' | 'image' | 'tags' | 'tag';

const TABLE: Record<Shape, Readonly<Record<string, Handler>>> = {
  registries: { GET: listRegistries },
  registry: { GET: listImages, POST: createRegistry, DELETE: deleteRegistry },
  image: { GET: getImage, PATCH: patchImage, DELETE: deleteImage },
  tags: { GET: listTags },
  tag: { GET: getTag, DELETE: deleteTag },
};

function shapeOf(raw: string[]): Shape | null {
  if (raw[0] !== 'repositories' || raw.some((s) => s === '')) return null;
  switch (raw.length) {
    case 1:
      return 'registries';
    case 2:
      return 'registry';
    case 3:
      return 'image';
    case 4:
      return raw[3] === 'tags' ? 'tags' : null;
    case 5:
      return raw[3] === 'tags' ? 'tag' : null;
    default:
      return null;
  }
}

/** The handler and decoded parameters for a request; 404 for a path or method NCR does not have, 400 for bad names. */
export function resolveOperation(method: string, rawPath: string): { handler: Handler; params: NcrParams } {
  const raw = rawSegments(rawPath);
  const shape = shapeOf(raw);
  const handler = shape === null ? undefined : Object.hasOwn(TABLE[shape], method) ? TABLE[shape][method] : undefined;
  if (shape === null || handler === undefined) throw notFound(`no such operation: ${method} ${rawPath.slice(0, 200) || '/'}`);
  const params = noParams();
  if (raw.length >= 2) params.registry = registryParam(raw[1]!);
  if (raw.length >= 3) Object.assign(params, repositoryParam(params.registry, raw[2]!));
  if (raw.length === 5) params.reference = referenceParam(raw[4]!);
  return { handler, params };
}
