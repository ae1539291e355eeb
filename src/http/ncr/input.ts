// Request bodies of the NCR API (create registry, edit image): read raw and bounded by the route, parsed and checked
// against a zod schema here, so broken JSON or a wrong member is a 400 in the gateway's envelope, never a use case's.
import { z } from 'zod';
import { jsonProblemText, jsonObject as parseJsonObject } from '../common/json-body.ts';
import { badRequest } from './errors.ts';

/** The body as a JSON object; an empty body is {} (nothing to change). */
export function jsonObject(body: Buffer): Record<string, unknown> {
  return parseJsonObject(body, (problem) => badRequest(jsonProblemText(problem)));
}

/** The body checked against `schema`; the first problem (each schema words its own) is the gateway's 400 details. */
export function validateBody<T>(schema: z.ZodType<T>, body: Buffer): T {
  const result = schema.safeParse(jsonObject(body));
  if (result.success) return result.data;
  throw badRequest(result.error.issues[0]?.message ?? 'the request body is not valid');
}

/** An optional text member: absent leaves it, null clears it, a string up to `max` characters sets it. */
export function optionalText(name: string, max: number) {
  return z
    .string({ error: `${name} must be a string` })
    .max(max, { error: (issue) => `${name} must be at most ${max} characters, got ${String((issue.input as string).length)}` })
    .nullable()
    .optional();
}
