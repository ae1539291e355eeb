// Reading what callers send: bounded JSON bodies checked against a strict schema, and query parameters, so every
// malformed request gets a 400 that names the field instead of reaching a use case (or a 500).
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { parseDuration } from '../../config/index.ts';
import { parseRepositoryName, RegistryError } from '../../core/index.ts';
import { readBodyWithin } from '../common/body.ts';
import { jsonObject, jsonProblemText } from '../common/json-body.ts';

/** Management requests are a few fields; anything bigger is a mistake or an attack. */
const BODY_LIMIT = 64 * 1024;
const MAX_PARAM = 256;

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => {
      const field = i.path.map(String).join('.');
      const why = i.code === 'invalid_type' && i.message.endsWith('received undefined') ? 'is required' : i.message;
      return field ? `field "${field}": ${why}` : why;
    })
    .join('; ');
}

/** Parses the body as JSON and checks it; an absent body counts as `{}` (every field optional then is fine). */
export async function readJson<T>(req: FastifyRequest, schema: z.ZodType<T>): Promise<T> {
  // Every berth API route authenticates the caller (authorize([])) before its handler reads the body.
  const body = await readBodyWithin(req.raw, BODY_LIMIT, (n) => new RegistryError('INVALID_REQUEST', `request body exceeds ${n} bytes`), {
    trust: 'verified',
  });
  const value = jsonObject(
    body,
    (problem, parserMessage) =>
      new RegistryError(
        'INVALID_REQUEST',
        problem === 'not-json' ? `request body is not valid JSON: ${parserMessage}` : jsonProblemText(problem).replace(/^the /, ''),
      ),
  );
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new RegistryError('INVALID_REQUEST', `invalid request body: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** A duration field ("7d", "90m", "0"), in milliseconds; undefined when absent. */
export function durationField(field: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseDuration(text);
  } catch (e) {
    throw new RegistryError('INVALID_REQUEST', `field "${field}": ${(e as Error).message}`);
  }
}

/** A positive whole number (limit, before); undefined when absent. */
export function positiveIntParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^[1-9]\d{0,14}$/.test(raw)) throw new RegistryError('PAGINATION_INVALID', `${name} must be a positive whole number, got "${raw.slice(0, 40)}"`);
  return Number(raw);
}

/** Page sizes of the browsing routes: 50 unless asked, at most 1,000 (a page must stay one quick answer). */
export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

/** `limit` of a browsing route: 1 to MAX_PAGE, DEFAULT_PAGE when absent. */
export function pageLimit(query: URLSearchParams): number {
  const limit = positiveIntParam(query, 'limit') ?? DEFAULT_PAGE;
  if (limit > MAX_PAGE) throw new RegistryError('PAGINATION_INVALID', `limit must be at most ${MAX_PAGE}, got ${limit}`);
  return limit;
}

/** A search text (`q`): absent or empty means no filter; bounded like every free-text parameter. */
export function searchParam(query: URLSearchParams, name = 'q'): string | undefined {
  return query.get(name) === '' ? undefined : textParam(query, name);
}

/** `true` or `false`; undefined when absent. */
export function booleanParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw !== 'true' && raw !== 'false') throw new RegistryError('INVALID_REQUEST', `${name} must be true or false, got "${raw.slice(0, 40)}"`);
  return raw === 'true';
}

/** A repository name parameter, validated against the name grammar; undefined when absent. */
export function repositoryParam(query: URLSearchParams, name = 'repository'): string | undefined {
  const raw = query.get(name);
  return raw === null ? undefined : parseRepositoryName(raw);
}

/** A free-text parameter of bounded length; undefined when absent. */
export function textParam(query: URLSearchParams, name: string): string | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (raw.length === 0 || raw.length > MAX_PARAM) throw new RegistryError('INVALID_REQUEST', `${name} must be 1 to ${MAX_PARAM} characters`);
  return raw;
}
