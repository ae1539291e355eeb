// Request bodies and query parameters checked before an operation runs: bad JSON, a wrong type, an unknown category
// or an out-of-range limit is a 400 with SWR's "invalid parameter" code and a message naming the field, never a 5xx.
import { z } from 'zod';
import { jsonObject, jsonProblemText } from '../common/json-body.ts';
import { invalidParameter } from './errors.ts';

export const CATEGORIES = ['app_server', 'linux', 'framework_app', 'database', 'lang', 'windows', 'arm', 'arms', 'other'] as const;

export const category = z.enum(CATEGORIES);
export const description = z.string().max(30_000);

/** The JSON object a body holds; an empty body is {} (the SDK drops empty bodies on DELETE). */
export function parseJsonBody(body: Buffer): unknown {
  return jsonObject(body, (problem) => invalidParameter(jsonProblemText(problem)));
}

export function validateBody<T>(schema: z.ZodType<T>, body: Buffer): T {
  const result = schema.safeParse(parseJsonBody(body));
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || 'body'}: ${i.message}`);
  throw invalidParameter(`invalid request body: ${issues.join('; ')}`);
}

/** A whole number from the query within [min, max], or the default when absent. */
export function intParam(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === '') return dflt;
  if (!/^\d{1,9}$/.test(text) || Number(text) < min || Number(text) > max) {
    throw invalidParameter(`${name} must be a whole number from ${min} to ${max}, got "${text.slice(0, 50)}"`);
  }
  return Number(text);
}

/**
 * SWR's `filter` parameter, "key1::value1|key2::value2" (e.g. "namespace::ns|mode::visible"), merged over the plain
 * parameters of the same names (the filter wins, as the docs describe it as the combined form).
 */
export function withFilter(query: URLSearchParams): URLSearchParams {
  const filter = query.get('filter');
  if (filter === null || filter === '') return query;
  const merged = new URLSearchParams(query);
  for (const part of filter.split('|')) {
    const sep = part.indexOf('::');
    if (sep <= 0) throw invalidParameter(`filter must be "key::value" pairs joined with "|", got "${filter.slice(0, 200)}"`);
    merged.set(part.slice(0, sep), part.slice(sep + 2));
  }
  return merged;
}

/** order_type: asc (default) or desc. */
export function orderType(query: URLSearchParams): 'asc' | 'desc' {
  const v = (query.get('order_type') ?? '').toLowerCase();
  if (v === '' || v === 'asc') return 'asc';
  if (v === 'desc') return 'desc';
  throw invalidParameter(`order_type must be asc or desc, got "${v.slice(0, 50)}"`);
}

/** Markers of the v3 lists: opaque to clients, holding the last name of the page before. */
export function encodeMarker(last: string): string {
  return Buffer.from(last, 'utf8').toString('base64url');
}

export function decodeMarker(marker: string | null): string | undefined {
  if (marker === null || marker === '') return undefined;
  const text = /^[A-Za-z0-9_-]{1,1400}$/.test(marker) ? Buffer.from(marker, 'base64url').toString('utf8') : '';
  if (text === '' || !/^[a-z0-9._\-/]{1,255}$/i.test(text)) throw invalidParameter('marker must be a nextMarker returned by a previous call');
  return text;
}

export function invalidParameterFor(name: string, expected: string, got: string): ReturnType<typeof invalidParameter> {
  return invalidParameter(`${name} must be ${expected}, got "${got.slice(0, 100)}"`);
}
