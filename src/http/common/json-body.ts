// JSON request bodies of the RPC and REST dialects (ECR, SWR, NCR, the berth API): read bounded by the route, parsed
// here once, with each dialect wording the refusal in its own error (a 400 of its shape, never a 5xx).
export type JsonBodyProblem = 'not-json' | 'not-object' | 'too-deep';

/**
 * No dialect's input nests beyond a handful of levels; the bound keeps every recursive walk of a parsed body (ECR's
 * null stripping, zod) far from the stack limit, where a deep body would otherwise surface as a RangeError (a 5xx).
 */
export const MAX_JSON_DEPTH = 64;

/** The deepest nesting of arrays and objects in `text`, counted without recursion (strings skipped, escapes honoured). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** The refusal in plain words, for dialects that word it the same way (each wraps it in its own error). */
export function jsonProblemText(problem: JsonBodyProblem): string {
  switch (problem) {
    case 'not-json':
      return 'the request body is not valid JSON';
    case 'not-object':
      return 'the request body must be a JSON object';
    case 'too-deep':
      return `the request body is nested deeper than ${MAX_JSON_DEPTH} levels`;
  }
}

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
  // Checked after parsing, so only well-formed JSON is counted and broken JSON keeps its parser message.
  if (jsonDepth(text) > MAX_JSON_DEPTH) throw refuse('too-deep', `nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw refuse('not-object', '');
  return doc as Record<string, unknown>;
}
