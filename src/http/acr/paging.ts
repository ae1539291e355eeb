// NextToken for the List APIs: opaque to clients (base64url JSON), bound to the operation and the filter that issued
// it, holding the position to continue after and, for repositories, the TotalCount counted when the listing began.
import { encodePageToken, readPageToken } from '../common/page-token.ts';
import { AcrError } from './errors.ts';

export type Position = Record<string, string | number>;

export function encodeToken(operation: string, position: Position): string {
  return encodePageToken(operation, position);
}

function invalidToken(): AcrError {
  return new AcrError('InvalidNextToken', 'The specified NextToken is not valid: use the NextToken of the previous page of the same listing.');
}

/** The position a token stands for; InvalidNextToken when another operation or listing issued it. */
export function decodeToken(operation: string, token: string, bound: Position): Position {
  const position = token.length > 2048 ? null : readPageToken(operation, token);
  if (position === null) throw invalidToken();
  if (!Object.values(position).every((v) => (typeof v === 'string' && v.length <= 1024) || (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)))
    throw invalidToken();
  for (const [k, v] of Object.entries(bound)) if (position[k] !== v) throw invalidToken();
  return position as Position;
}
