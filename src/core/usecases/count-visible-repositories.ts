// How many repositories of a namespace a caller may see: listings show counts over visible entries only, so a key
// with pull on one repository of a namespace is told about one, never about the others (docs/DESIGN.md, Visibility).
import type { UsesMeta } from './deps.ts';

/** Names read per statement, and statements per count at most (a namespace of 100,000 repositories is counted whole). */
const BATCH = 1000;
const MAX_ROUNDS = 100;

/** `visible` is the listing rule for the caller; `complete` is false when the walk stopped at its bound. */
export async function countVisibleRepositories(
  deps: UsesMeta<'searchRepositoryNames'>,
  namespace: string,
  visible: (repository: string) => Promise<boolean>,
  prefetch?: (repositories: readonly string[]) => Promise<void>,
): Promise<{ count: number; complete: boolean }> {
  let count = 0;
  let after: string | undefined;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const names = await deps.meta.searchRepositoryNames({ namespace, after, limit: BATCH });
    await prefetch?.(names);
    for (const name of names) if (await visible(name)) count++;
    if (names.length < BATCH) return { count, complete: true };
    after = names.at(-1);
  }
  return { count, complete: false };
}
