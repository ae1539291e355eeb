// The one error catalogue: every dialect maps each code to its own wire shape, so the codes carry no HTTP status.

export const ERROR_CODES = [
  'NAME_INVALID',
  'NAME_UNKNOWN',
  'MANIFEST_UNKNOWN',
  'MANIFEST_INVALID',
  'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_TOO_LARGE',
  'BLOB_UNKNOWN',
  'BLOB_UPLOAD_UNKNOWN',
  'BLOB_UPLOAD_INVALID',
  'BLOB_IN_USE',
  'DIGEST_INVALID',
  'TAG_INVALID',
  'TAG_IMMUTABLE',
  'SIZE_INVALID',
  'RANGE_INVALID',
  'UNSUPPORTED',
  'UNAUTHORIZED',
  'DENIED',
  'TOO_MANY_REQUESTS',
  'PAGINATION_INVALID',
  'REPOSITORY_NOT_EMPTY',
  'IMAGE_IN_USE',
  'PIN_UNKNOWN',
  'INVALID_REQUEST',
  'INTERNAL',
  'UNAVAILABLE',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Human descriptions, kept beside the codes so docs and tests can check the catalogue is complete. */
export const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  NAME_INVALID: 'invalid repository name',
  NAME_UNKNOWN: 'repository name not known to registry',
  MANIFEST_UNKNOWN: 'manifest unknown',
  MANIFEST_INVALID: 'manifest invalid',
  MANIFEST_BLOB_UNKNOWN: 'manifest references a blob or manifest that is unknown to this repository',
  MANIFEST_TOO_LARGE: 'manifest exceeds the size limit',
  BLOB_UNKNOWN: 'blob unknown to registry',
  BLOB_UPLOAD_UNKNOWN: 'blob upload unknown to registry',
  BLOB_UPLOAD_INVALID: 'blob upload invalid',
  BLOB_IN_USE: 'blob is referenced by manifests of this repository',
  DIGEST_INVALID: 'provided digest did not match uploaded content',
  TAG_INVALID: 'invalid tag',
  TAG_IMMUTABLE: 'tag is immutable and already exists',
  SIZE_INVALID: 'provided length did not match content length',
  RANGE_INVALID: 'invalid content range',
  UNSUPPORTED: 'the operation is unsupported',
  UNAUTHORIZED: 'authentication required',
  DENIED: 'requested access to the resource is denied',
  TOO_MANY_REQUESTS: 'too many requests',
  PAGINATION_INVALID: 'invalid pagination parameter',
  REPOSITORY_NOT_EMPTY: 'repository is not empty',
  IMAGE_IN_USE: 'the image is pinned by a deployment; remove the pin or override',
  PIN_UNKNOWN: 'deployment pin unknown',
  INVALID_REQUEST: 'invalid request',
  INTERNAL: 'internal error',
  UNAVAILABLE: 'a storage backend (database or object store) is unreachable; retry later',
};

/** A domain error: a catalogue code, a message for people and optional structured detail. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, detail?: Record<string, unknown>) {
    super(message ?? ERROR_DESCRIPTIONS[code]);
    this.name = 'RegistryError';
    this.code = code;
    this.detail = detail;
  }
}

export function isRegistryError(e: unknown): e is RegistryError {
  return e instanceof RegistryError;
}
