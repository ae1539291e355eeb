// The NCR dialect's wire form of every catalogue code (a Record so the compiler catches a missing mapping). NCR
// clients go through NAVER's API Gateway, so every failure uses the gateway's envelope
// {"error":{"errorCode","message","details"}} with its codes where it has one (100 bad request, 200 authentication,
// 210 permission, 300 not found, 420 rate, 430 too large) and the HTTP status as the code where it has none (409, 500).
import type { ErrorCode, RegistryError } from '../../core/index.ts';

export interface NcrWireError {
  status: number;
  errorCode: string;
  message: string;
}

const BAD_REQUEST: NcrWireError = { status: 400, errorCode: '100', message: 'Bad Request Exception' };
const NOT_FOUND: NcrWireError = { status: 404, errorCode: '300', message: 'Not Found Exception' };
const CONFLICT: NcrWireError = { status: 409, errorCode: '409', message: 'Conflict' };
export const AUTH_FAILED: NcrWireError = { status: 401, errorCode: '200', message: 'Authentication Failed' };
export const PERMISSION_DENIED: NcrWireError = { status: 403, errorCode: '210', message: 'Permission Denied' };
export const TOO_LARGE: NcrWireError = { status: 413, errorCode: '430', message: 'Request Entity Too Large' };

export const NCR_ERRORS: Record<ErrorCode, NcrWireError> = {
  NAME_INVALID: BAD_REQUEST,
  NAME_UNKNOWN: NOT_FOUND,
  MANIFEST_UNKNOWN: NOT_FOUND,
  MANIFEST_INVALID: BAD_REQUEST,
  // The remaining upload and blob codes are never raised through NCR (it has no push or blob operations).
  MANIFEST_BLOB_UNKNOWN: CONFLICT,
  MANIFEST_TOO_LARGE: TOO_LARGE,
  BLOB_UNKNOWN: NOT_FOUND,
  BLOB_UPLOAD_UNKNOWN: NOT_FOUND,
  BLOB_UPLOAD_INVALID: BAD_REQUEST,
  BLOB_IN_USE: CONFLICT,
  DIGEST_INVALID: BAD_REQUEST,
  TAG_INVALID: BAD_REQUEST,
  TAG_IMMUTABLE: CONFLICT,
  SIZE_INVALID: BAD_REQUEST,
  RANGE_INVALID: BAD_REQUEST,
  UNSUPPORTED: BAD_REQUEST,
  UNAUTHORIZED: AUTH_FAILED,
  DENIED: PERMISSION_DENIED,
  TOO_MANY_REQUESTS: { status: 429, errorCode: '420', message: 'Rate Limited' },
  PAGINATION_INVALID: BAD_REQUEST,
  // A registry that still holds images, as a conflict with the registry's state (the request itself is fine).
  REPOSITORY_NOT_EMPTY: CONFLICT,
  // A deployment pin protects the image: 409, and the body lists the pins (error.pins).
  IMAGE_IN_USE: CONFLICT,
  PIN_UNKNOWN: NOT_FOUND,
  INVALID_REQUEST: BAD_REQUEST,
  INTERNAL: { status: 500, errorCode: '500', message: 'Internal Server Error' },
  UNAVAILABLE: { status: 503, errorCode: '500', message: 'Endpoint Error' },
};

/** An error in NCR's terms: the gateway code and message, what went wrong in `details`, optional extra members. */
export class NcrError extends Error {
  readonly wire: NcrWireError;
  readonly details: string;
  readonly extra: Readonly<Record<string, unknown>>;

  constructor(wire: NcrWireError, details: string, extra: Record<string, unknown> = {}) {
    super(details);
    this.name = 'NcrError';
    this.wire = wire;
    this.details = details;
    this.extra = extra;
  }
}

export const badRequest = (details: string): NcrError => new NcrError(BAD_REQUEST, details);
export const notFound = (details: string): NcrError => new NcrError(NOT_FOUND, details);
export const conflict = (details: string): NcrError => new NcrError(CONFLICT, details);

/** A core error in NCR's envelope; a pin refusal carries the pins so a script can tell which deployment blocks it. */
export function fromRegistryError(e: RegistryError): NcrError {
  const pins = e.code === 'IMAGE_IN_USE' && Array.isArray(e.detail?.pins) ? { pins: e.detail.pins } : {};
  return new NcrError(NCR_ERRORS[e.code], e.message, pins);
}

export function errorBody(e: NcrError): string {
  return JSON.stringify({ error: { errorCode: e.wire.errorCode, message: e.wire.message, details: e.details, ...e.extra } });
}
