// What the OCI end-to-end tests check answers with: error envelopes and statuses, ranges, media types, Link-header
// paging and the spec's tag order (re-exported by oci-helpers.ts, so tests import one module).
import assert from 'node:assert/strict';
import type { Client, Res } from './oci-helpers.ts';

/** Adds `key=value` to a URL or path that may already carry a query (the spec says Locations may). */
export function withQuery(location: string, key: string, value: string): string {
  return `${location}${location.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}

/** The Range header of an upload response as its last byte offset ("0-9" or "bytes=0-9" → 9). */
export function rangeEnd(res: Res): number {
  const range = res.header('range');
  assert.ok(range !== undefined, `${res.describe()}: no Range header`);
  const m = /^(?:bytes=)?0-(\d+)$/.exec(range);
  assert.ok(m, `${res.describe()}: Range "${range}" is not of the form 0-<end>`);
  return Number(m[1]);
}

/** Content-Type without parameters. */
export function mediaTypeOf(res: Res): string | undefined {
  return res.header('content-type')?.split(';')[0]?.trim();
}

export interface ErrorEnvelope {
  errors: Array<{ code: string; message?: string; detail?: unknown }>;
}

/** Asserts the body is the spec's error envelope and returns it. */
export function envelopeOf(res: Res): ErrorEnvelope {
  assert.ok(res.body.length > 0, `${res.describe()}: expected an error envelope, got an empty body`);
  const env = res.json<ErrorEnvelope>();
  assert.ok(
    env !== null && typeof env === 'object' && Array.isArray(env.errors) && env.errors.length > 0,
    `${res.describe()}: not an {"errors":[...]} envelope`,
  );
  for (const e of env.errors) {
    assert.equal(typeof e.code, 'string', `${res.describe()}: error without a string code`);
    assert.match(e.code, /^[A-Z_]+$/, `${res.describe()}: error code must be uppercase letters and underscores`);
    if (e.message !== undefined) assert.equal(typeof e.message, 'string', `${res.describe()}: message must be a string`);
  }
  return env;
}

/**
 * Asserts an error answer: the status (one of), and for non-HEAD requests the envelope carrying the code (one of).
 * HEAD answers must have no body.
 */
export function assertError(res: Res, status: number | readonly number[], code?: string | readonly string[]): void {
  const statuses = typeof status === 'number' ? [status] : status;
  assert.ok(statuses.includes(res.status), `${res.describe()}: expected status ${statuses.join(' or ')}`);
  if (res.method === 'HEAD') {
    assert.equal(res.body.length, 0, `${res.describe()}: HEAD answers carry no body`);
    return;
  }
  const env = envelopeOf(res);
  if (code !== undefined) {
    const codes = typeof code === 'string' ? [code] : code;
    assert.ok(
      env.errors.some((e) => codes.includes(e.code)),
      `${res.describe()}: expected error code ${codes.join(' or ')}, got ${env.errors.map((e) => e.code).join(', ')}`,
    );
  }
}

/** A clean refusal: a 4xx (never a 3xx redirect or a 5xx) and, when there is a body, the error envelope. */
export function assertCleanRejection(res: Res): void {
  assert.ok(res.status >= 400 && res.status < 500, `${res.describe()}: expected a 4xx`);
  if (res.method !== 'HEAD' && res.body.length > 0) envelopeOf(res);
}

export function assertStatus(res: Res, status: number): void {
  assert.equal(res.status, status, res.describe());
}

/**
 * Follows `Link: <...>; rel="next"` from `first`, returning every page. Bounded so a registry that loops fails
 * instead of hanging.
 */
export async function followPages(c: Client, first: string, maxPages = 200): Promise<Array<{ res: Res; next: string | undefined }>> {
  const pages: Array<{ res: Res; next: string | undefined }> = [];
  let target: string | undefined = first;
  while (target !== undefined) {
    assert.ok(pages.length < maxPages, `pagination from ${first} did not end within ${maxPages} pages`);
    const res = await c.get(target);
    assertStatus(res, 200);
    const next = nextLink(res);
    pages.push({ res, next });
    target = next;
  }
  return pages;
}

/** The target of a `rel="next"` Link header, or undefined. */
export function nextLink(res: Res): string | undefined {
  const link = res.header('link');
  if (link === undefined) return undefined;
  const m = /^\s*<([^>]+)>\s*;\s*rel="?next"?\s*$/.exec(link);
  assert.ok(m, `${res.describe()}: Link header "${link}" is not <url>; rel="next"`);
  return m[1]!;
}

/** Go's sort.Strings order (byte-wise). */
export function asciiSorted(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The spec's other allowed order: case-insensitive ("lexical"). */
export function lexicalSorted(values: readonly string[]): string[] {
  return [...values].sort((a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Asserts `list` is in one of the two orders the spec allows and returns the comparator that matched. */
export function assertSpecOrder(list: readonly string[], what: string): (a: string, b: string) => number {
  if (JSON.stringify(list) === JSON.stringify(asciiSorted(list))) return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  if (JSON.stringify(list) === JSON.stringify(lexicalSorted(list))) {
    return (a, b) => {
      const x = a.toLowerCase();
      const y = b.toLowerCase();
      return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
    };
  }
  assert.fail(`${what} is neither ASCII- nor case-insensitively sorted: ${JSON.stringify(list)}`);
}
