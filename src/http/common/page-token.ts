// Paging tokens of the cloud APIs (ECR nextToken, ACR NextToken): opaque to clients, base64url JSON naming the
// operation that issued them and the position to continue after. The dialects add their own rules and errors.

export type TokenPosition = Record<string, unknown>;

export function encodePageToken(operation: string, position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify({ op: operation, ...position }), 'utf8').toString('base64url');
}

/** The position a token holds when `operation` issued it; null for anything else (wrong alphabet, JSON, shape, operation). */
export function readPageToken(operation: string, token: string): TokenPosition | null {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return null;
  const { op, ...position } = doc as Record<string, unknown>;
  return op === operation ? position : null;
}
