// nextToken for the paged ECR operations: opaque to clients (base64url JSON), bound to the operation that issued
// it, and holding only the position (the last repository name or image digest, and tag) to continue after.
import { encodePageToken, readPageToken } from '../common/page-token.ts';
import { EcrError } from './errors.ts';

export type Position = Record<string, string>;

export function encodeToken(operation: string, position: Position): string {
  return encodePageToken(operation, position);
}

function invalidToken(): EcrError {
  return new EcrError(
    'InvalidParameterException',
    "Invalid parameter at 'nextToken' failed to satisfy constraint: 'must be a nextToken returned by a previous call of the same operation'",
  );
}

/** The position a token stands for; InvalidParameterException when it was not issued by `operation`. */
export function decodeToken(operation: string, token: string): Position {
  const position = readPageToken(operation, token);
  if (position === null || !Object.values(position).every((v) => typeof v === 'string' && v.length > 0 && v.length <= 1024)) throw invalidToken();
  return position as Position;
}

/** maxResults/nextToken and an explicit list (repositoryNames, imageIds) exclude each other, as on AWS. */
export function rejectPagingWith(listName: string, given: { maxResults?: number | undefined; nextToken?: string | undefined }): void {
  if (given.maxResults !== undefined || given.nextToken !== undefined) {
    throw new EcrError('InvalidParameterException', `Invalid parameter: maxResults and nextToken cannot be used with ${listName}`);
  }
}

/** ECR's default page size. */
export const DEFAULT_PAGE = 100;
