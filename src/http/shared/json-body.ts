// JSON request bodies of the RPC and REST dialects (ECR, SWR, NCR, the berth API): read bounded by the route, parsed
// here once, with each dialect wording the refusal in its own error (a 400 of its shape, never a 5xx).
export type JsonBodyProblem = 'not-json' | 'not-object';

/**
 * The JSON object a body holds; an empty (or all-blank) body is {} (SDKs drop empty bodies, and every field is then
 * absent). Anything else calls `refuse` with what is wrong (and the parser's message), whose error is thrown.
 */
export function jsonObject(body: Buffer, refuse: (problem: JsonBodyProblem, parserMessage: string) => Error): Record<string, unknown> {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw refuse('not-json', (e as Error).message);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refuse('not-object', '');
  return doc as Record<string, unknown>;
}
