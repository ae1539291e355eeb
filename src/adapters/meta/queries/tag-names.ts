// The tags pointing at one manifest, sorted here rather than by the statement: asked to ORDER BY name, SQLite walks
// the repository's whole (repo_id, name) key to skip the sort instead of probing (repo_id, digest), so every delete,
// image listing and delete preview paid for all of a repository's tags (613 against 16 µs with 5,000 of them).
import { all, type Q } from '../sql/query.ts';

/** The orders such reads are sorted in here (digests and tag names are ASCII: JavaScript's order is byte order). */
export const byDigest = (a: { digest: string }, b: { digest: string }): number => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
export const byName = (a: { name: string }, b: { name: string }): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The names of the tags of `repoId` that point at `digest`, in byte order (tag names are ASCII). */
export function* tagNamesOf(repoId: string, digest: string): Q<string[]> {
  const rows = yield* all<{ name: string }>('SELECT name FROM tags WHERE repo_id = $1 AND digest = $2', repoId, digest);
  return rows.map((r) => r.name).sort();
}
