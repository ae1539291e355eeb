// Request bodies of the NCR API (create registry, edit image): read raw and bounded by the route, parsed here, so
// broken JSON is a 400 in the gateway's envelope and never reaches a use case.
import { jsonObject as parseJsonObject } from '../shared/json-body.ts';
import { badRequest } from './errors.ts';

/** The body as a JSON object; an empty body is {} (nothing to change). */
export function jsonObject(body: Buffer): Record<string, unknown> {
  return parseJsonObject(body, (problem) => badRequest(problem === 'not-json' ? 'the request body is not valid JSON' : 'the request body must be a JSON object'));
}

/** An optional text member: absent leaves it, null clears it, a string up to `max` characters sets it. */
export function optionalText(doc: Record<string, unknown>, name: string, max: number): string | null | undefined {
  const v = doc[name];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string') throw badRequest(`${name} must be a string`);
  if (v.length > max) throw badRequest(`${name} must be at most ${max} characters, got ${v.length}`);
  return v;
}
