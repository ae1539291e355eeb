// Tag and catalog listings: lexical order with `n`/`last` paging, and the page size bounded by the registry.
import { RegistryError } from '../errors.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

export interface PageRequest {
  n?: string | undefined;
  last?: string | undefined;
}

export interface Listing {
  items: string[];
  /** The `last` to ask for the next page, when there may be one. */
  next: string | null;
}

/** The page size `n` asks for, capped at the configured maximum (listings that filter their pages page with it too). */
export function pageSize(deps: Pick<RegistryDeps, 'limits'>, n: string | undefined): number {
  if (n === undefined || n === '') return deps.limits.maxPageSize;
  if (!/^\d{1,12}$/.test(n)) throw new RegistryError('PAGINATION_INVALID', `n must be a non-negative integer, got "${n.slice(0, 50)}"`);
  return Math.min(Number(n), deps.limits.maxPageSize);
}

function toListing(items: string[], limit: number): Listing {
  const more = items.length > limit;
  const page = more ? items.slice(0, limit) : items;
  return { items: page, next: more && page.length > 0 ? page[page.length - 1]! : null };
}

export async function listTags(deps: UsesMeta<'listTags'> & Pick<RegistryDeps, 'limits'>, repository: string, request: PageRequest): Promise<Listing> {
  const limit = pageSize(deps, request.n);
  // One extra row tells whether another page exists without a second query.
  const tags = await deps.meta.listTags(repository, { after: request.last, limit: limit === 0 ? 0 : limit + 1 });
  if (tags === null) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  return toListing(tags, limit);
}

export async function listRepositories(deps: UsesMeta<'listRepositories'> & Pick<RegistryDeps, 'limits'>, request: PageRequest): Promise<Listing> {
  const limit = pageSize(deps, request.n);
  const names = limit === 0 ? [] : await deps.meta.listRepositories({ after: request.last, limit: limit + 1 });
  return toListing(names, limit);
}
