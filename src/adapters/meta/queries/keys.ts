// Access keys, read on every authenticated request (never cached: `berth key rm` on one replica must take effect
// on every other at once); creation and deletion are audited in the same transaction.
import type { AccessKey } from '../../../core/index.ts';
import { KEY_COLUMNS, OPERATOR, toKey, type KeyRow } from '../rows-keys.ts';
import { audit } from './audit.ts';
import { all, get, run, traits, type Q } from '../sql/query.ts';

export function* createAccessKey(k: AccessKey): Q<void> {
  // under the registry lock (rare): audit ids must commit in order, or a newest-first pager could skip this event
  yield* run(`INSERT INTO access_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    k.id, k.name, k.secretHash, k.sealedSecret, JSON.stringify(k.grants), k.createdAt.getTime(), k.lastUsedAt?.getTime() ?? null);
  yield* audit(OPERATOR, k.createdAt, 'key.create', null, k.id, { name: k.name });
}

export function* findAccessKey(id: string): Q<AccessKey | null> {
  const row = yield* get<KeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys WHERE id = $1`, id);
  return row ? toKey(row) : null;
}

export function* listAccessKeys(): Q<AccessKey[]> {
  return (yield* all<KeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys ORDER BY created_at, id`)).map(toKey);
}

export function* deleteAccessKey(id: string, at: Date): Q<boolean> {
  // under the registry lock (rare): audit ids commit in order, so paging the audit never skips this event
  const removed = (yield* run('DELETE FROM access_keys WHERE id = $1', id)) === 1;
  if (removed) yield* audit(OPERATOR, at, 'key.delete', null, id);
  return removed;
}
