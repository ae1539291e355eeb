// Which tags of a repository may move: ECR's four tag-mutability modes and their wildcard exclusion filters, decided
// by one pure function that every path moving a tag (OCI PUT, ECR PutImage, SWR retag, restore) goes through.
import { RegistryError } from '../errors.ts';

export const TAG_MUTABILITIES = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION'] as const;
export type TagMutability = (typeof TAG_MUTABILITIES)[number];

/** ECR's limits on exclusion filters: 1-5 of them, each 1-128 of [0-9a-zA-Z._*-] (`*` the only wildcard). */
export const MAX_EXCLUSION_FILTERS = 5;
export const EXCLUSION_FILTER_PATTERN = /^[0-9a-zA-Z._*-]{1,128}$/;

export function hasExclusions(mode: TagMutability): boolean {
  return mode === 'IMMUTABLE_WITH_EXCLUSION' || mode === 'MUTABLE_WITH_EXCLUSION';
}

/**
 * Whether `filter` matches the whole tag: `*` stands for any run of characters (none included), every other character
 * for itself, compared case-sensitively (tags are case-sensitive; `Latest` is not `latest`).
 */
export function wildcardMatches(filter: string, tag: string): boolean {
  const parts = filter.split('*');
  if (parts.length === 1) return filter === tag;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (tag.length < first.length + last.length || !tag.startsWith(first) || !tag.endsWith(last)) return false;
  // Greedy left-to-right over the middle pieces: the earliest place of each leaves the most room for the rest.
  let at = first.length;
  const end = tag.length - last.length;
  for (const piece of parts.slice(1, -1)) {
    const found = tag.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** Whether a tag that already points at another manifest must stay where it is. */
export function isTagImmutable(mode: TagMutability, filters: readonly string[] | undefined, tag: string): boolean {
  switch (mode) {
    case 'MUTABLE':
      return false;
    case 'IMMUTABLE':
      return true;
    case 'IMMUTABLE_WITH_EXCLUSION':
      return !(filters ?? []).some((f) => wildcardMatches(f, tag));
    case 'MUTABLE_WITH_EXCLUSION':
      return (filters ?? []).some((f) => wildcardMatches(f, tag));
  }
}

/**
 * The filters a mode keeps: a *_WITH_EXCLUSION mode needs 1-5 valid ones, MUTABLE and IMMUTABLE take none (the empty
 * list is returned so callers store "no filters"). INVALID_REQUEST otherwise; dialects word their own refusal first.
 */
export function checkTagMutability(mode: TagMutability, filters: readonly string[] | undefined): string[] {
  const list = [...(filters ?? [])];
  if (!hasExclusions(mode)) {
    if (list.length > 0) throw new RegistryError('INVALID_REQUEST', `exclusion filters are only allowed with a *_WITH_EXCLUSION tag mutability, not ${mode}`);
    return [];
  }
  if (list.length === 0 || list.length > MAX_EXCLUSION_FILTERS) {
    throw new RegistryError('INVALID_REQUEST', `${mode} needs 1 to ${MAX_EXCLUSION_FILTERS} exclusion filters, got ${list.length}`);
  }
  const bad = list.find((f) => !EXCLUSION_FILTER_PATTERN.test(f));
  if (bad !== undefined)
    throw new RegistryError('INVALID_REQUEST', `exclusion filter ${JSON.stringify(bad.slice(0, 200))} must match ${EXCLUSION_FILTER_PATTERN.source}`);
  return list;
}
