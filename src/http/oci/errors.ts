// The OCI dialect's wire form of every catalogue code; a Record so the compiler catches a missing mapping.
import type { ErrorCode } from '../../core/index.ts';

export interface OciWireError {
  status: number;
  code: string;
}

export const OCI_ERRORS: Record<ErrorCode, OciWireError> = {
  NAME_INVALID: { status: 400, code: 'NAME_INVALID' },
  NAME_UNKNOWN: { status: 404, code: 'NAME_UNKNOWN' },
  MANIFEST_UNKNOWN: { status: 404, code: 'MANIFEST_UNKNOWN' },
  MANIFEST_INVALID: { status: 400, code: 'MANIFEST_INVALID' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, code: 'MANIFEST_BLOB_UNKNOWN' },
  MANIFEST_TOO_LARGE: { status: 413, code: 'MANIFEST_INVALID' },
  BLOB_UNKNOWN: { status: 404, code: 'BLOB_UNKNOWN' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'BLOB_UPLOAD_UNKNOWN' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'BLOB_UPLOAD_INVALID' },
  // Deleting a blob a manifest still uses would break the image: refused as "not allowed for this blob".
  BLOB_IN_USE: { status: 405, code: 'UNSUPPORTED' },
  DIGEST_INVALID: { status: 400, code: 'DIGEST_INVALID' },
  TAG_INVALID: { status: 400, code: 'TAG_INVALID' },
  TAG_IMMUTABLE: { status: 409, code: 'DENIED' },
  SIZE_INVALID: { status: 400, code: 'SIZE_INVALID' },
  RANGE_INVALID: { status: 416, code: 'RANGE_INVALID' },
  UNSUPPORTED: { status: 405, code: 'UNSUPPORTED' },
  UNAUTHORIZED: { status: 401, code: 'UNAUTHORIZED' },
  DENIED: { status: 403, code: 'DENIED' },
  TOO_MANY_REQUESTS: { status: 429, code: 'TOOMANYREQUESTS' },
  PAGINATION_INVALID: { status: 400, code: 'PAGINATION_NUMBER_INVALID' },
  REPOSITORY_NOT_EMPTY: { status: 409, code: 'DENIED' },
  // A deployment pin protects the image: a conflict with the registry's state, in the spec's DENIED shape; the
  // detail names the pins (id, owner, reason) so the operator knows whom to ask.
  IMAGE_IN_USE: { status: 409, code: 'DENIED' },
  // Pins are managed through the berth API; OCI routes never raise this, but the map stays complete.
  PIN_UNKNOWN: { status: 404, code: 'UNKNOWN' },
  INVALID_REQUEST: { status: 400, code: 'UNSUPPORTED' },
  INTERNAL: { status: 500, code: 'UNKNOWN' },
  UNAVAILABLE: { status: 503, code: 'UNAVAILABLE' },
};

export function ociEnvelope(code: string, message: string, detail?: unknown): { errors: Array<{ code: string; message: string; detail: unknown }> } {
  return { errors: [{ code, message, detail: detail ?? null }] };
}
