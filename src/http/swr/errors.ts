// The SWR dialect's wire form of every catalogue code (a Record so the compiler catches a missing mapping) and the
// errors only SWR has. Bodies use the "both formats" object: top-level error_code/error_msg, which the Huawei SDKs
// read, plus the errors[] array older clients read; SWR's documented codes where one fits, berth's own otherwise.
import type { ErrorCode, RegistryError } from '../../core/index.ts';

export interface SwrWireError {
  status: number;
  code: string;
}

export const SWR_ERRORS: Record<ErrorCode, SwrWireError> = {
  NAME_INVALID: { status: 400, code: 'SVCSTG.SWR.4000015' },
  NAME_UNKNOWN: { status: 404, code: 'SVCSTG.SWR.4040004' },
  MANIFEST_UNKNOWN: { status: 404, code: 'SVCSTG.SWR.4040010' },
  MANIFEST_INVALID: { status: 400, code: 'SVCSTG.SWR.4000014' },
  // A retag whose source lost a blob to GC a moment earlier: the request was fine, the image is incomplete.
  MANIFEST_BLOB_UNKNOWN: { status: 404, code: 'SVCSTG.SWR.4040010' },
  MANIFEST_TOO_LARGE: { status: 400, code: 'SVCSTG.SWR.4000014' },
  BLOB_UNKNOWN: { status: 404, code: 'SVCSTG.SWR.4040010' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'SVCSTG.SWR.4040010' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'SVCSTG.SWR.4000014' },
  BLOB_IN_USE: { status: 409, code: 'SVCSTG.SWR.4090023' },
  DIGEST_INVALID: { status: 400, code: 'SVCSTG.SWR.4000013' },
  TAG_INVALID: { status: 400, code: 'SVCSTG.SWR.4000016' },
  TAG_IMMUTABLE: { status: 409, code: 'SVCSTG.SWR.4090006' },
  SIZE_INVALID: { status: 400, code: 'SVCSTG.SWR.4000014' },
  RANGE_INVALID: { status: 400, code: 'SVCSTG.SWR.4000014' },
  UNSUPPORTED: { status: 400, code: 'SVCSTG.SWR.4000014' },
  UNAUTHORIZED: { status: 401, code: 'SVCSTG.SWR.4010000' },
  DENIED: { status: 403, code: 'SVCSTG.SWR.4030170' },
  TOO_MANY_REQUESTS: { status: 429, code: 'SVCSTG.SWR.4290000' },
  PAGINATION_INVALID: { status: 400, code: 'SVCSTG.SWR.4000014' },
  REPOSITORY_NOT_EMPTY: { status: 406, code: 'SVCSTG.SWR.4060012' },
  // Deployment pins (berth's, not SWR's): "resource busy", naming the pins.
  IMAGE_IN_USE: { status: 409, code: 'SVCSTG.SWR.4090023' },
  PIN_UNKNOWN: { status: 400, code: 'SVCSTG.SWR.4000014' },
  INVALID_REQUEST: { status: 400, code: 'SVCSTG.SWR.4000014' },
  INTERNAL: { status: 500, code: 'SVCSTG.SWR.5000007' },
  UNAVAILABLE: { status: 503, code: 'SVCSTG.SWR.5030000' },
};

/** Codes only the SWR API has (berth's own where SWR documents none). */
export const SWR_ONLY = {
  invalidParameter: { status: 400, code: 'SVCSTG.SWR.4000014' },
  namespaceUnknown: { status: 404, code: 'SVCSTG.SWR.4040001' },
  namespaceExists: { status: 409, code: 'SVCSTG.SWR.4090001' },
  repositoryExists: { status: 409, code: 'SVCSTG.SWR.4090002' },
  namespaceNotEmpty: { status: 406, code: 'SVCSTG.SWR.4060013' },
  /** berth's: CreateRetention on a repository that already has its policy (SWR keeps one per repository). */
  retentionExists: { status: 409, code: 'SVCSTG.SWR.4090025' },
  /** berth's: no retention policy of this id on the repository. */
  retentionUnknown: { status: 404, code: 'SVCSTG.SWR.4040017' },
  /** API Gateway: bad AK/SK signature, stale X-Sdk-Date, unknown key, bad or missing token. */
  authentication: { status: 401, code: 'APIGW.0301' },
  /** API Gateway: no such API (path or method). */
  noSuchApi: { status: 404, code: 'APIGW.0101' },
} as const satisfies Record<string, SwrWireError>;

/** An error in SWR's terms; `detail` goes to errors[0].detail (e.g. the pins that refused a delete). */
export class SwrError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;

  constructor(wire: SwrWireError, message: string, detail = '') {
    super(message);
    this.name = 'SwrError';
    this.status = wire.status;
    this.code = wire.code;
    this.detail = detail;
  }
}

export function invalidParameter(message: string): SwrError {
  return new SwrError(SWR_ONLY.invalidParameter, message);
}

export function repositoryNotFound(namespace: string, repository: string): SwrError {
  return new SwrError(SWR_ERRORS.NAME_UNKNOWN, `repository ${repository} does not exist in namespace ${namespace}`);
}

export function namespaceNotFound(namespace: string): SwrError {
  return new SwrError(SWR_ONLY.namespaceUnknown, `namespace ${namespace} does not exist`);
}

/** A core error in SWR's words: its code and status from the map, berth's message, the structured detail as JSON. */
export function fromRegistryError(e: RegistryError): SwrError {
  return new SwrError(SWR_ERRORS[e.code], e.message, e.detail === undefined ? '' : JSON.stringify(e.detail));
}

export function errorBody(e: SwrError, requestId: string): string {
  return JSON.stringify({
    error_code: e.code,
    error_msg: e.message,
    request_id: requestId,
    errors: [{ errorCode: e.code, errorMessage: e.message, detail: e.detail }],
  });
}
