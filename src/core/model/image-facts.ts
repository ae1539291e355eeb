// What the cloud APIs report about an image that only the manifest body knows: the size a pull downloads and the
// config's media type. One reading, so ECR, ACR, NCR and SWR report the same size for the same image.
import { isIndexMediaType } from './media-types.ts';

export interface ImageFacts {
  /** Config plus layers for an image manifest; the manifest's own bytes for an index or an unreadable body. */
  size: number;
  /** The config's media type (Helm charts, artifacts), else the manifest's artifactType. */
  artifactMediaType: string | null;
}

function sizeOf(v: unknown): number {
  const size = (v as { size?: unknown } | null)?.size;
  return typeof size === 'number' && Number.isSafeInteger(size) && size >= 0 ? size : 0;
}

export function imageFacts(m: { mediaType: string; artifactType: string | null; size: number }, body: Uint8Array | null): ImageFacts {
  if (body === null || isIndexMediaType(m.mediaType)) return { size: m.size, artifactMediaType: m.artifactType };
  try {
    const doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as { config?: unknown; layers?: unknown };
    const layers = Array.isArray(doc.layers) ? doc.layers : [];
    const configType = (doc.config as { mediaType?: unknown } | undefined)?.mediaType;
    return {
      size: sizeOf(doc.config) + layers.reduce((n: number, l: unknown) => n + sizeOf(l), 0),
      artifactMediaType: typeof configType === 'string' ? configType : m.artifactType,
    };
  } catch {
    return { size: m.size, artifactMediaType: m.artifactType };
  }
}
