// Access keys, read on every authenticated request (never cached: `berth key rm` on one replica must take effect
// on every other at once); creation and deletion are audited in the same transaction.
import type { AccessKey } from '../../../core/index.ts';
import { KEY_COLUMNS, OPERATOR, toKey, type KeyRow } from '../rows-keys.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';

export function createAccessKey(db: Db, k: AccessKey): Promise<void> {
  return db.tx(async (t) => {
    await t.run(`INSERT INTO access_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      k.id, k.name, k.secretHash, k.sealedSecret, JSON.stringify(k.grants), k.createdAt.getTime(), k.lastUsedAt?.getTime() ?? null);
    await audit(t, OPERATOR, k.createdAt, 'key.create', null, k.id, { name: k.name });
  }); // under the registry lock (rare): audit ids must commit in order, or a newest-first pager could skip this event
}

export async function findAccessKey(db: Sql, id: string): Promise<AccessKey | null> {
  const row = await db.get<KeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys WHERE id = $1`, id);
  return row ? toKey(row) : null;
}

export async function listAccessKeys(db: Sql): Promise<AccessKey[]> {
  return (await db.all<KeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys ORDER BY created_at, id`)).map(toKey);
}

export function deleteAccessKey(db: Db, id: string, at: Date): Promise<boolean> {
  return db.tx(async (t) => {
    const removed = (await t.run('DELETE FROM access_keys WHERE id = $1', id)) === 1;
    if (removed) await audit(t, OPERATOR, at, 'key.delete', null, id);
    return removed;
  }); // under the registry lock (rare): audit ids commit in order, so paging the audit never skips this event
}
