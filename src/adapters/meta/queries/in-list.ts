// Placeholder lists for `IN (...)` and seed tables over a page of keys. Lists are padded to a few fixed lengths with a
// value no key has, so each statement shape is prepared once instead of once per page length.
/** Lengths a list is padded to; a page is at most 1,000 keys, longer lists go in chunks of the largest. */
const SIZES = [8, 32, 128, 512, 1024] as const;
export const MAX_IN_LIST = SIZES.at(-1)!;

/** The keys padded with '' (never a name or digest) to the next fixed length; at most MAX_IN_LIST keys. */
export function padded(keys: readonly string[]): string[] {
  if (keys.length > MAX_IN_LIST) throw new Error(`at most ${MAX_IN_LIST} keys per list, got ${keys.length}`);
  const size = SIZES.find((s) => s >= keys.length)!;
  return [...keys, ...Array<string>(size - keys.length).fill('')];
}

/** `$first, $first+1, ...` for `count` parameters, each wrapped by `wrap` (a cast on PostgreSQL, for seeds). */
export function placeholders(first: number, count: number, wrap: (p: string) => string = (p) => p): string {
  return Array.from({ length: count }, (_, i) => wrap(`$${first + i}`)).join(', ');
}

/** Splits keys into lists of at most MAX_IN_LIST. */
export function chunks<T>(keys: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < keys.length; i += MAX_IN_LIST) out.push(keys.slice(i, i + MAX_IN_LIST));
  return out;
}
