// The one rule for which type a pushed manifest is stored as: what the pusher declared (OCI's Content-Type, ECR's
// imageManifestMediaType) must be a type berth stores and agree with the body, so nothing is tagged under a type
// its client did not mean (a text/plain push used to be accepted; Distribution refuses it with MANIFEST_INVALID).
import { RegistryError } from '../errors.ts';
import { isIndexMediaType, isManifestMediaType, type ManifestMediaType } from './media-types.ts';

/** How a push declares its type: `required` for OCI's Content-Type; ECR's imageManifestMediaType is optional. */
export interface DeclaredMediaTypeRule {
  required: boolean;
}

/** `declared` marks a refusal of the declared type itself, so a dialect can name its own field (ECR's imageManifestMediaType). */
function invalid(message: string, declared = false): never {
  throw new RegistryError('MANIFEST_INVALID', message, declared ? { declaredMediaType: true } : undefined);
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/;

/**
 * The type/subtype of a Content-Type, lower-cased, without parameters: the distribution-spec says registries SHOULD
 * ignore parameters, and RFC 9110 makes type and subtype case-insensitive. Null when it is not a media type at all.
 */
export function mediaTypeEssence(value: string): string | null {
  const essence = value.split(';', 1)[0]!.trim().toLowerCase();
  return TOKEN.test(essence) ? essence : null;
}

function shown(value: string): string {
  return JSON.stringify(value.slice(0, 200));
}

/** The body's apparent kind from its members; null when it has neither `manifests` nor `config`. */
function shapeOf(doc: Record<string, unknown>): 'index' | 'manifest' | null {
  if (Array.isArray(doc.manifests)) return 'index';
  if (doc.config !== undefined) return 'manifest';
  return null;
}

/**
 * The media type a manifest is stored as. The declared type must be one berth stores (OCI image manifest and index,
 * Docker schema 2 manifest and list; schema 1 stays refused) and equal the body's `mediaType` field when there is
 * one (the spec: "If a manifest includes a mediaType field, clients MUST set the Content-Type header to [its] value").
 * Without that field the declared type decides, and must fit the body's shape. When nothing is declared, a required
 * declaration is refused (as Distribution does: a missing Content-Type selects no manifest type there) and an optional
 * one falls back to the body's field; with neither, the type is unknown and refused (as AWS refuses such a PutImage).
 */
export function storedMediaType(doc: Record<string, unknown>, declared: string | undefined, rule: DeclaredMediaTypeRule): ManifestMediaType {
  const field = doc.mediaType;
  if (field !== undefined && (typeof field !== 'string' || !isManifestMediaType(field))) {
    invalid(
      `unsupported manifest mediaType ${JSON.stringify(field).slice(0, 200)}: berth stores OCI image manifests and indexes and Docker schema 2 manifests and lists`,
    );
  }
  if (declared === undefined) {
    if (rule.required) invalid('the manifest has no Content-Type; send the manifest media type (the body mediaType, when it has one)');
    if (field === undefined) invalid('the manifest has no mediaType field and no media type was given for it');
    return field;
  }
  const essence = mediaTypeEssence(declared);
  if (essence === null || !isManifestMediaType(essence)) {
    invalid(`media type ${shown(declared)} is not a manifest media type berth stores (OCI image manifest or index, Docker schema 2 manifest or list)`, true);
  }
  if (field !== undefined && field !== essence) invalid(`declared media type ${essence} does not match the manifest's mediaType ${field}`, true);
  const shape = shapeOf(doc);
  if (shape !== null && (shape === 'index') !== isIndexMediaType(essence)) {
    invalid(
      `declared media type ${essence} does not fit the body, which is ${shape === 'index' ? 'an index (manifests)' : 'an image manifest (config)'}`,
      true,
    );
  }
  return essence;
}
