// The berth management API's wire form of every catalogue code; a Record so the compiler catches a missing mapping.
// The API speaks the catalogue's own codes, so scripts match on the same names the core throws.
import type { ErrorCode, RegistryError } from '../../core/index.ts';

export interface BerthWireError {
  status: number;
  code: string;
}

export const BERTH_ERRORS: Record<ErrorCode, BerthWireError> = {
  NAME_INVALID: { status: 400, code: 'NAME_INVALID' },
  NAME_UNKNOWN: { status: 404, code: 'NAME_UNKNOWN' },
  MANIFEST_UNKNOWN: { status: 404, code: 'MANIFEST_UNKNOWN' },
  MANIFEST_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  // Restore of an index whose children were purged meanwhile: the request is fine, the registry's state refuses it.
  MANIFEST_BLOB_UNKNOWN: { status: 409, code: 'MANIFEST_BLOB_UNKNOWN' },
  MANIFEST_TOO_LARGE: { status: 413, code: 'MANIFEST_TOO_LARGE' },
  BLOB_UNKNOWN: { status: 404, code: 'BLOB_UNKNOWN' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  BLOB_IN_USE: { status: 409, code: 'BLOB_IN_USE' },
  DIGEST_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  TAG_INVALID: { status: 400, code: 'TAG_INVALID' },
  TAG_IMMUTABLE: { status: 409, code: 'TAG_IMMUTABLE' },
  SIZE_INVALID: { status: 400, code: 'SIZE_INVALID' },
  RANGE_INVALID: { status: 416, code: 'RANGE_INVALID' },
  UNSUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  UNAUTHORIZED: { status: 401, code: 'UNAUTHORIZED' },
  DENIED: { status: 403, code: 'DENIED' },
  TOO_MANY_REQUESTS: { status: 429, code: 'TOO_MANY_REQUESTS' },
  PAGINATION_INVALID: { status: 400, code: 'PAGINATION_INVALID' },
  REPOSITORY_NOT_EMPTY: { status: 409, code: 'REPOSITORY_NOT_EMPTY' },
  // A pin protects the image: a conflict with the registry's state; the detail lists the pins.
  IMAGE_IN_USE: { status: 409, code: 'IMAGE_IN_USE' },
  PIN_UNKNOWN: { status: 404, code: 'PIN_UNKNOWN' },
  INVALID_REQUEST: { status: 400, code: 'INVALID_REQUEST' },
  INTERNAL: { status: 500, code: 'INTERNAL' },
  UNAVAILABLE: { status: 503, code: 'UNAVAILABLE' },
};

export interface BerthErrorBody {
  error: { code: string; message: string; detail: unknown };
}

export function berthErrorBody(code: string, message: string, detail?: unknown): BerthErrorBody {
  return { error: { code, message, detail: detail ?? null } };
}

/** The status and body of a domain error on this API. */
export function wireError(error: RegistryError): { status: number; body: BerthErrorBody } {
  const wire = BERTH_ERRORS[error.code];
  return { status: wire.status, body: berthErrorBody(wire.code, error.message, error.detail) };
}
