// One visibility rule for every listing, so no dialect shows a repository that every per-repository call refuses:
// the caller sees a repository when its grants allow pull on it (or on the whole catalog) and no repository policy
// denies it pull. Listings filter with it and keep their pages full (see docs/DESIGN.md, "Visibility").
import { can, type Principal } from '../../auth/index.ts';
import { ECR_ACTIONS_OF, type SignatureAuth } from './access.ts';

/**
 * What a listing asks of each repository name: may this caller see it? `prefetch`, when offered, reads the policies
 * of a batch about to be asked one by one in one statement (on PostgreSQL one round trip a page, not one a name).
 */
export interface Visible {
  (repository: string): Promise<boolean>;
  prefetch?: ((repositories: readonly string[]) => Promise<void>) | undefined;
}

/** The rule itself; `denies` is the policy check (absent: no policies). */
export function visibleTo(principal: Principal, denies: SignatureAuth['policyDenies']): Visible {
  return async (repository) => {
    const granted = can(principal, repository, 'pull') || can(principal, { type: 'registry', name: 'catalog' }, 'pull');
    return granted && !(await denies?.(principal, repository, ECR_ACTIONS_OF.pull));
  };
}

/** A signature dialect's rule for its caller: auth's prefetching one when offered, else the rule over policyDenies. */
export function visibleToCaller(signatures: SignatureAuth, principal: Principal): Visible {
  return signatures.visibility?.(principal) ?? visibleTo(principal, signatures.policyDenies);
}

/** Those of `names` the caller may see, in order: the batch's policies prefetched (when offered), then each asked. */
export async function visibleAmong(visible: Visible, names: readonly string[]): Promise<string[]> {
  await visible.prefetch?.(names);
  const shown: string[] = [];
  for (const name of names) if (await visible(name)) shown.push(name);
  return shown;
}

/** Scan batches per page at most; past this the page ends short with a cursor to go on from, never silently. */
const MAX_ROUNDS = 100;

/**
 * A page of at most `limit` visible items after `after`, read from a keyed listing in batches. `next` is the cursor to
 * continue from (the last item returned, or the last one scanned when the scan bound stopped it), undefined at the end.
 */
export async function visiblePage<T, C>(
  fetch: (after: C | undefined, limit: number) => Promise<T[]>,
  cursorOf: (item: T) => C,
  visible: (item: T) => Promise<boolean>,
  limit: number,
  after: C | undefined,
  prefetch?: (items: T[]) => Promise<void>,
): Promise<{ items: T[]; next: C | undefined }> {
  const items: T[] = [];
  if (limit <= 0) return { items, next: undefined };
  const batch = Math.max(limit + 1, 100);
  let cursor = after;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const page = await fetch(cursor, batch);
    await prefetch?.(page);
    for (const item of page) {
      if (!(await visible(item))) {
        cursor = cursorOf(item);
        continue;
      }
      if (items.length === limit) return { items, next: cursorOf(items.at(-1)!) };
      items.push(item);
      cursor = cursorOf(item);
    }
    if (page.length < batch) return { items, next: undefined };
  }
  return { items, next: cursor };
}
