// The ECR dialect's wire form of every catalogue code (a Record so the compiler catches a missing mapping), plus the
// errors only ECR has, all as {"__type","message"} with HTTP 400 (500 for ServerException) and AWS's message texts.
import type { ErrorCode, RegistryError } from '../../core/index.ts';

export interface EcrWireError {
  status: number;
  type: string;
}

export const ECR_ERRORS: Record<ErrorCode, EcrWireError> = {
  NAME_INVALID: { status: 400, type: 'InvalidParameterException' },
  NAME_UNKNOWN: { status: 400, type: 'RepositoryNotFoundException' },
  MANIFEST_UNKNOWN: { status: 400, type: 'ImageNotFoundException' },
  MANIFEST_INVALID: { status: 400, type: 'InvalidParameterException' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, type: 'LayersNotFoundException' },
  MANIFEST_TOO_LARGE: { status: 400, type: 'InvalidParameterException' },
  BLOB_UNKNOWN: { status: 400, type: 'LayersNotFoundException' },
  BLOB_UPLOAD_UNKNOWN: { status: 400, type: 'UploadNotFoundException' },
  BLOB_UPLOAD_INVALID: { status: 400, type: 'InvalidLayerException' },
  // Never raised through ECR (it has no blob delete); a layer a manifest uses is "in use" like an image.
  BLOB_IN_USE: { status: 400, type: 'InvalidParameterException' },
  DIGEST_INVALID: { status: 400, type: 'InvalidParameterException' },
  TAG_INVALID: { status: 400, type: 'InvalidParameterException' },
  TAG_IMMUTABLE: { status: 400, type: 'ImageTagAlreadyExistsException' },
  SIZE_INVALID: { status: 400, type: 'InvalidParameterException' },
  RANGE_INVALID: { status: 400, type: 'InvalidLayerPartException' },
  UNSUPPORTED: { status: 400, type: 'ValidationException' },
  UNAUTHORIZED: { status: 400, type: 'MissingAuthenticationTokenException' },
  DENIED: { status: 400, type: 'AccessDeniedException' },
  TOO_MANY_REQUESTS: { status: 400, type: 'ThrottlingException' },
  PAGINATION_INVALID: { status: 400, type: 'InvalidParameterException' },
  REPOSITORY_NOT_EMPTY: { status: 400, type: 'RepositoryNotEmptyException' },
  // berth's deployment pins (ECR has no such thing): a delete they refuse names them. DeleteRepository says
  // RepositoryInUseException instead, and BatchDeleteImage reports a failures[] entry with failureCode "ImageInUse".
  IMAGE_IN_USE: { status: 400, type: 'ImageInUseException' },
  PIN_UNKNOWN: { status: 400, type: 'InvalidParameterException' },
  INVALID_REQUEST: { status: 400, type: 'InvalidParameterException' },
  INTERNAL: { status: 500, type: 'ServerException' },
  UNAVAILABLE: { status: 503, type: 'ServiceUnavailableException' },
};

/** An error in ECR's own terms; `type` is the modelled exception name the SDKs turn into a class. */
export class EcrError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'EcrError';
    this.type = type;
    this.status = status;
  }
}

export function repositoryNotFound(name: string, registryId: string): EcrError {
  return new EcrError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${registryId}'`);
}

export function imageNotFound(id: { imageDigest?: string | undefined; imageTag?: string | undefined }, name: string, registryId: string): EcrError {
  const digest = id.imageDigest === undefined ? 'null' : `'${id.imageDigest}'`;
  const tag = id.imageTag === undefined ? 'null' : `'${id.imageTag}'`;
  return new EcrError(
    'ImageNotFoundException',
    `The image with imageId {imageDigest:${digest}, imageTag:${tag}} does not exist within the repository with name '${name}' in the registry with id '${registryId}'`,
  );
}

/** A core error in ECR's words: repository-level codes get AWS's own sentences, the rest keep berth's message. */
export function fromRegistryError(e: RegistryError, registryId: string): EcrError {
  const wire = ECR_ERRORS[e.code];
  const name = typeof e.detail?.name === 'string' ? e.detail.name : null;
  if (e.code === 'NAME_UNKNOWN' && name !== null) return repositoryNotFound(name, registryId);
  if (e.code === 'REPOSITORY_NOT_EMPTY' && name !== null) {
    return new EcrError(wire.type, `The repository with name '${name}' in registry with id '${registryId}' cannot be deleted because it still contains images`);
  }
  return new EcrError(wire.type, e.message, wire.status);
}

export function errorBody(e: EcrError): string {
  return JSON.stringify({ __type: e.type, message: e.message });
}
