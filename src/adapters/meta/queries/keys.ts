// Access keys, read on every authenticated request (never cached: `berth key rm` on one replica must take effect
// on every other at once); creation and deletion are audited in the same transaction.
import type { AccessKey, Actor, Grant } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';

export interface KeyRow {
  id: string;
  name: string;
  secret_hash: string;
  sealed_secret: string;
  grants: string;
  created_at: number;
  last_used_at: number | null;
}

/** The columns of a KeyRow in `access_keys`, in the order the INSERTs bind them. */
export const KEY_COLUMNS = 'id, name, secret_hash, sealed_secret, grants, created_at, last_used_at';
/** Who changed a key when the caller names nobody: the operator at the CLI. The berth API passes its admin. */
export const OPERATOR: Actor = { principal: 'system', dialect: 'cli' };

export const toKey = (r: KeyRow): AccessKey => ({
  id: r.id,
  name: r.name,
  secretHash: r.secret_hash,
  sealedSecret: r.sealed_secret,
  grants: JSON.parse(r.grants) as Grant[],
  createdAt: new Date(r.created_at),
  lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
});

export function* createAccessKey(k: AccessKey, actor: Actor = OPERATOR): Q<void> {
  // under the registry lock (rare): audit ids must commit in order, or a newest-first pager could skip this event
  yield* run(
    `INSERT INTO access_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    k.id,
    k.name,
    k.secretHash,
    k.sealedSecret,
    JSON.stringify(k.grants),
    k.createdAt.getTime(),
    k.lastUsedAt?.getTime() ?? null,
  );
  yield* audit(actor, k.createdAt, 'key.create', null, k.id, { name: k.name });
}

export function* findAccessKey(id: string): Q<AccessKey | null> {
  const row = yield* get<KeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys WHERE id = $1`, id);
  return row ? toKey(row) : null;
}

export function* listAccessKeys(): Q<AccessKey[]> {
  return (yield* all<KeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys ORDER BY created_at, id`)).map(toKey);
}

export function* deleteAccessKey(id: string, at: Date, actor: Actor = OPERATOR): Q<boolean> {
  // under the registry lock (rare): audit ids commit in order, so paging the audit never skips this event
  const removed = (yield* run('DELETE FROM access_keys WHERE id = $1', id)) === 1;
  if (removed) yield* audit(actor, at, 'key.delete', null, id);
  return removed;
}
