// The row locks a PostgreSQL write takes on what it touches, so writes on different repositories and digests run at
// once across replicas (docs/SCALE-OUT.md, "Write locks", says which write takes which and why the invariants hold).
// The locks are rows of `write_locks` (migration 15), locked with SELECT ... FOR UPDATE / FOR SHARE, which any
// PostgreSQL-compatible database offers (advisory locks it may not). Keys hash onto a fixed set of stripes, so the
// table never grows; two keys sharing a stripe only wait for each other. On SQLite every call here is a no-op: its
// one writer already holds the whole database.
//
// Levels, always taken in this order, each level's stripes in one statement sorted by id, so two writers never wait
// for each other in a cycle:
//   0  registry stripes [0, 16): every fine-grained write holds one FOR SHARE; a write of the whole registry model
//      (transaction.ts, lock 'registry') takes all 16 FOR UPDATE and so runs alone among writers, as before.
//   1  repository stripes, by repository name, FOR UPDATE.
//   2  digest stripes, FOR UPDATE by whatever may add or drop a blob's last use (or the blob), FOR SHARE by a
//      manifest that only adds uses and by an upload claiming the digest.
import { lock, type Q, traits } from '../sql/query.ts';

export const REGISTRY_STRIPES = 16;
const REPOSITORY_STRIPES = 4096;
const DIGEST_STRIPES = 4096;
/** Migration 15 creates exactly these rows, ids 0 .. 8207: the three ranges below must fit. */
export const LOCK_ROWS = REGISTRY_STRIPES + REPOSITORY_STRIPES + DIGEST_STRIPES;

/** FNV-1a: cheap, stable across processes and versions (every replica must map a key to the same stripe). */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The lock row of a repository name (exported for the tests that hold it). */
export const repositoryLockRow = (name: string): number => REGISTRY_STRIPES + (hash(name) % REPOSITORY_STRIPES);
const digestRow = (digest: string): number => REGISTRY_STRIPES + REPOSITORY_STRIPES + (hash(digest) % DIGEST_STRIPES);

const sorted = (rows: Iterable<number>): number[] => [...new Set(rows)].sort((a, b) => a - b);

/** One statement: the rows in id order (LockRows sits above the sort, so PostgreSQL locks them in that order). */
function* lockRows(rows: readonly number[], mode: 'UPDATE' | 'SHARE'): Q<void> {
  if (rows.length > 0) yield* lock(`SELECT id FROM write_locks WHERE id = ANY($1::int[]) ORDER BY id FOR ${mode}`, rows);
}

/** What one fine-grained write touches. */
export interface Touches {
  repositories?: readonly string[];
  /** Digests whose use this write may drop, or whose blob it links or removes: locked FOR UPDATE. */
  digests?: readonly string[];
  /** Digests this write only adds uses of (a manifest's references) or claims (an upload): locked FOR SHARE. */
  sharedDigests?: readonly string[];
}

/**
 * The locks of a fine-grained write: its registry stripe, then its repositories, then its digests. Call first. With at
 * most one repository and one digest mode (every caller) it is one statement, one round trip: a join of the three
 * sets, FOR SHARE OF / FOR UPDATE OF each, in (repository, digest) order, so the rows are locked level by level.
 */
export function* lockTouched(t: Touches): Q<void> {
  if (!(yield* traits()).rowLocks) return;
  const first = t.repositories?.[0] ?? t.digests?.[0] ?? t.sharedDigests?.[0] ?? '';
  const registry = hash(first) % REGISTRY_STRIPES;
  const repositories = sorted((t.repositories ?? []).map(repositoryLockRow));
  const exclusive = sorted((t.digests ?? []).map(digestRow));
  const taken = new Set(exclusive);
  const shared = sorted((t.sharedDigests ?? []).map(digestRow)).filter((r) => !taken.has(r));
  if (repositories.length > 1 || (exclusive.length > 0 && shared.length > 0)) {
    yield* lockRows([registry], 'SHARE');
    yield* lockRows(repositories, 'UPDATE');
    yield* lockRows(exclusive, 'UPDATE');
    yield* lockRows(shared, 'SHARE');
    return;
  }
  const digests = exclusive.length > 0 ? exclusive : shared;
  const from = ['write_locks g'];
  const where = ['g.id = $1'];
  const modes = ['FOR SHARE OF g'];
  const order: string[] = [];
  const params: unknown[] = [registry];
  if (repositories.length > 0) {
    params.push(repositories[0]);
    from.push('write_locks r');
    where.push(`r.id = $${params.length}::int`);
    modes.push('FOR UPDATE OF r');
  }
  if (digests.length > 0) {
    params.push(digests);
    from.push('write_locks d');
    where.push(`d.id = ANY($${params.length}::int[])`);
    modes.push(`FOR ${exclusive.length > 0 ? 'UPDATE' : 'SHARE'} OF d`);
    order.push('d.id');
  }
  const orderBy = order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '';
  yield* lock(`SELECT g.id FROM ${from.join(', ')} WHERE ${where.join(' AND ')}${orderBy} ${modes.join(' ')}`, ...params);
}

/**
 * More digests FOR UPDATE later in a write (a manifest re-put that drops references). Out of the level order when
 * the write already holds digest stripes, so it may deadlock with another such write; the engine runs the write
 * again after PostgreSQL breaks the deadlock (40P01). Rare: a digest's bytes, hence its references, never change.
 */
export function* lockMoreDigests(digests: readonly string[]): Q<void> {
  if (!(yield* traits()).rowLocks) return;
  yield* lockRows(sorted(digests.map(digestRow)), 'UPDATE');
}

/** The statement a write of the whole registry model starts with (transaction.ts): every registry stripe FOR UPDATE. */
export const REGISTRY_LOCK_SQL = `SELECT id FROM write_locks WHERE id < ${REGISTRY_STRIPES} ORDER BY id FOR UPDATE`;
