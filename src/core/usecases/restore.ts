// The time machine: a deleted tag or manifest comes back as it was while the restore window lasts, because the
// delete only moved it to the trash; GC purges the trash once the window is over.
import { RegistryError } from '../errors.ts';
import { type Digest, isDigest } from '../model/digest.ts';
import { parseTag } from '../model/names.ts';
import type { Actor, DeletedTag } from '../model/records.ts';
import type { DeletedManifest } from '../ports/delete-preview.ts';
import type { RegistryDeps, UsesMeta } from './deps.ts';

/** "20 s", "1 min 30 s", "24 h": the window as an operator configured it, exact enough for a window under a minute. */
function windowText(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, s] of [
    ['h', 3600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= s) parts.push(`${Math.floor(rest / s)} ${unit}`);
    rest %= s;
  }
  return parts.join(' ');
}

function windowStart(deps: Pick<RegistryDeps, 'clock' | 'deletion'>): Date {
  return new Date(deps.clock.now().getTime() - deps.deletion.restoreWindowMs);
}

async function requireRepository(deps: UsesMeta<'findRepository'>, repository: string): Promise<void> {
  if (!(await deps.meta.findRepository(repository))) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
}

export async function listDeletedTags(
  deps: UsesMeta<'findRepository' | 'listDeletedTags'> & Pick<RegistryDeps, 'clock' | 'deletion' | 'limits'>,
  repository: string,
  limit?: number,
): Promise<DeletedTag[]> {
  await requireRepository(deps, repository);
  if (deps.deletion.restoreWindowMs === 0) return [];
  return deps.meta.listDeletedTags(repository, windowStart(deps), Math.min(limit ?? deps.limits.maxPageSize, deps.limits.maxPageSize));
}

export interface DeletedManifestPage {
  manifests: Array<DeletedManifest & { restorableUntil: Date }>;
  /** The cursor of the next page (`after`), null at the end. */
  next: string | null;
}

/** The manifest trash of a repository, newest first; `after` is the `next` of the page before ("<ms>~<digest>"). */
export async function listDeletedManifests(
  deps: UsesMeta<'listDeletedManifests'> & Pick<RegistryDeps, 'clock' | 'deletion' | 'limits'>,
  repository: string,
  page: { after?: string | undefined; limit?: number | undefined },
): Promise<DeletedManifestPage> {
  const cursor = page.after === undefined ? undefined : /^(\d{1,15})~(.+)$/.exec(page.after);
  if (cursor === null) throw new RegistryError('PAGINATION_INVALID', `after must be the "next" of a previous page, got "${page.after!.slice(0, 80)}"`);
  const limit = Math.min(page.limit ?? deps.limits.maxPageSize, deps.limits.maxPageSize);
  const window = deps.deletion.restoreWindowMs;
  const after = cursor ? { deletedAt: new Date(Number(cursor[1])), digest: cursor[2]! } : undefined;
  // Window 0: nothing is restorable, so nothing is listed (the rows wait only for the next pass).
  const rows = await deps.meta.listDeletedManifests(repository, windowStart(deps), { after, limit: window === 0 ? 0 : limit });
  if (rows === null) throw new RegistryError('NAME_UNKNOWN', `repository ${repository} is not known`, { name: repository });
  const last = rows.at(-1);
  return {
    manifests: rows.map((m) => ({ ...m, restorableUntil: new Date(m.deletedAt.getTime() + window) })),
    next: rows.length === limit && last ? `${last.deletedAt.getTime()}~${last.digest}` : null,
  };
}

export async function restore(
  deps: UsesMeta<'findRepository' | 'restore'> & Pick<RegistryDeps, 'clock' | 'deletion'>,
  repository: string,
  reference: string,
  actor: Actor,
): Promise<{ digest: Digest; tags: string[]; manifests: Digest[] }> {
  await requireRepository(deps, repository);
  const ref = reference.includes(':') ? (isDigest(reference) ? { digest: reference } : null) : { tag: parseTag(reference) };
  if (!ref) throw new RegistryError('DIGEST_INVALID', `invalid digest ${reference.slice(0, 200)}`);
  if (deps.deletion.restoreWindowMs === 0) {
    throw new RegistryError('MANIFEST_UNKNOWN', 'restoring is off (deletion.restoreWindow is 0): deletes are final', { reference });
  }
  const outcome = await deps.meta.restore(repository, ref, windowStart(deps), actor, deps.clock.now());
  switch (outcome.kind) {
    case 'restored':
      return { digest: outcome.digest, tags: outcome.tags, manifests: outcome.manifests };
    case 'unknown':
      throw new RegistryError(
        'MANIFEST_UNKNOWN',
        `nothing deleted as ${repository}${'tag' in ref ? ':' : '@'}${reference} can be restored (the restore window is ${windowText(deps.deletion.restoreWindowMs)})`,
        { reference },
      );
    case 'tag-immutable':
      throw new RegistryError('TAG_IMMUTABLE', `tag ${outcome.tag} is immutable and points at ${outcome.current}`, { tag: outcome.tag });
    case 'incomplete':
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `cannot restore ${reference}: ${outcome.missing.length} manifest(s) it holds were purged`, {
        missing: outcome.missing.slice(0, 20),
      });
  }
}
