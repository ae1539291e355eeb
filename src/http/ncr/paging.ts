// NCR's Docker Hub style paging: `page` (1-based) and `pagesize` in, `count`, `next` and `previous` out, the links
// absolute URLs on the host and prefix the client used. berth's store pages by key, so a page N is reached by walking
// the keys before it in bounded batches (memory stays O(batch) however big the registry).
import type { NcrCall } from './context.ts';
import { badRequest } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 10;
/** A larger pagesize is served as this many (each tag costs a manifest and a config read). */
export const MAX_PAGE_SIZE = 100;
/** Keys read per store query while walking to a page or counting. */
export const WALK_BATCH = 1000;

export interface Paging {
  page: number;
  size: number;
  /** Entries before the page. */
  offset: number;
}

function positive(query: URLSearchParams, name: string, fallback: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  if (!/^\d{1,9}$/.test(text) || Number(text) === 0) throw badRequest(`${name} must be a number greater than 0, got "${text.slice(0, 50)}"`);
  return Number(text);
}

export function parsePaging(query: URLSearchParams): Paging {
  const page = positive(query, 'page', 1);
  const size = Math.min(positive(query, 'pagesize', DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  return { page, size, offset: (page - 1) * size };
}

function pageUrl(call: NcrCall, page: number, size: number): string {
  return `${call.origin}${call.prefix}${call.rawPath}?page=${page}&pagesize=${size}`;
}

/** The list envelope: `previous` is the page before (the last one when `page` is past the end), null on page 1. */
export function pageOf<T>(
  call: NcrCall,
  paging: Paging,
  count: number,
  results: T[],
): { count: number; next: string | null; previous: string | null; results: T[] } {
  const last = Math.max(1, Math.ceil(count / paging.size));
  return {
    count,
    next: paging.offset + paging.size < count ? pageUrl(call, paging.page + 1, paging.size) : null,
    previous: paging.page > 1 ? pageUrl(call, Math.min(paging.page - 1, last), paging.size) : null,
    results,
  };
}

/**
 * Walks `offset` keys in batches: `after` is the last one walked (the page starts after it; undefined for offset 0),
 * `past` says the list ended before the offset (the page is empty). `fetch(after, limit)` returns keys in order;
 * fewer than `limit` means the list ended.
 */
export async function skipKeys(
  offset: number,
  fetch: (after: string | undefined, limit: number) => Promise<string[]>,
): Promise<{ after: string | undefined; past: boolean }> {
  let after: string | undefined;
  let left = offset;
  while (left > 0) {
    const limit = Math.min(WALK_BATCH, left);
    const keys = await fetch(after, limit);
    if (keys.length > 0) after = keys.at(-1);
    left -= keys.length;
    if (keys.length < limit) return { after, past: true };
  }
  return { after, past: false };
}
