// The ACR dialect's wire form of every catalogue code (a Record so the compiler catches a missing mapping), plus the
// errors only the Alibaba RPC API has, all as {RequestId, HostId, Code, Message, Recommend} with Alibaba's statuses.
import type { ErrorCode, RegistryError } from '../../core/index.ts';

export interface AcrWireError {
  status: number;
  code: string;
}

export const ACR_ERRORS: Record<ErrorCode, AcrWireError> = {
  NAME_INVALID: { status: 400, code: 'InvalidParameter' },
  NAME_UNKNOWN: { status: 404, code: 'EntityNotExist.Repo' },
  MANIFEST_UNKNOWN: { status: 404, code: 'EntityNotExist.Tag' },
  MANIFEST_INVALID: { status: 400, code: 'InvalidParameter' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, code: 'InvalidParameter' },
  MANIFEST_TOO_LARGE: { status: 400, code: 'InvalidParameter' },
  BLOB_UNKNOWN: { status: 404, code: 'EntityNotExist.Blob' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, code: 'EntityNotExist.Upload' },
  BLOB_UPLOAD_INVALID: { status: 400, code: 'InvalidParameter' },
  BLOB_IN_USE: { status: 409, code: 'OperationDenied.BlobInUse' },
  DIGEST_INVALID: { status: 400, code: 'InvalidParameter' },
  TAG_INVALID: { status: 400, code: 'InvalidTag' },
  TAG_IMMUTABLE: { status: 409, code: 'OperationDenied.TagImmutable' },
  SIZE_INVALID: { status: 400, code: 'InvalidParameter' },
  RANGE_INVALID: { status: 400, code: 'InvalidParameter' },
  UNSUPPORTED: { status: 400, code: 'UnsupportedOperation' },
  UNAUTHORIZED: { status: 400, code: 'MissingAccessKeyId' },
  DENIED: { status: 403, code: 'Forbidden.RAM' },
  TOO_MANY_REQUESTS: { status: 400, code: 'Throttling.User' },
  PAGINATION_INVALID: { status: 400, code: 'InvalidNextToken' },
  // Never raised here (repository deletes are forced, as the API promises); kept for completeness.
  REPOSITORY_NOT_EMPTY: { status: 409, code: 'OperationDenied.RepoNotEmpty' },
  // berth's deployment pins: a delete they refuse names them (the seed's "ensure no deployments reference its images").
  IMAGE_IN_USE: { status: 409, code: 'OperationDenied.ImageInUse' },
  PIN_UNKNOWN: { status: 404, code: 'EntityNotExist.Pin' },
  INVALID_REQUEST: { status: 400, code: 'InvalidParameter' },
  INTERNAL: { status: 500, code: 'InternalError' },
  UNAVAILABLE: { status: 503, code: 'ServiceUnavailable' },
};

/** An error in the Alibaba API's own terms: `code` is what the SDK puts in its error's `code`. */
export class AcrError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'AcrError';
    this.code = code;
    this.status = status;
  }
}

/** Parameter names are plain identifiers; anything else is reported under the generic code. */
const codeName = (name: string): string | null => (/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name) ? name : null);

export function missingParameter(name: string): AcrError {
  const n = codeName(name);
  return new AcrError(n === null ? 'MissingParameter' : `Missing${n}`, `${name} is mandatory for this action.`);
}

export function invalidParameter(name: string, why: string): AcrError {
  const n = codeName(name);
  return new AcrError(n === null ? 'InvalidParameter' : `Invalid${n}`, `The specified parameter ${name} is not valid: ${why}`);
}

export function repositoryNotFound(repoId: string): AcrError {
  return new AcrError('EntityNotExist.Repo', `The repository ${repoId.slice(0, 64)} does not exist (or holds another ArtifactType).`, 404);
}

/** A core error in ACR's words; a ClientToken still being processed is a conflict, as on ECS. */
export function fromRegistryError(e: RegistryError): AcrError {
  if (e.code === 'INVALID_REQUEST' && e.detail?.reason === 'in-progress') return new AcrError('IdempotenceProcessing', e.message, 409);
  const wire = ACR_ERRORS[e.code];
  return new AcrError(wire.code, e.message, wire.status);
}

export function errorBody(e: AcrError, requestId: string, hostId: string): string {
  return JSON.stringify({ RequestId: requestId, HostId: hostId, Code: e.code, Message: e.message, Recommend: `berth: see docs/ACR.md, error code ${e.code}` });
}
