// Access keys, read on every authenticated request (never cached: `berth key rm` on one replica must take effect
// on every other at once); creation and deletion are audited in the same transaction.
import type { AccessKey, Actor, Grant } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';

interface KeyRow { id: string; name: string; secret_hash: string; sealed_secret: string; grants: string; created_at: number; last_used_at: number | null }

const COLUMNS = 'id, name, secret_hash, sealed_secret, grants, created_at, last_used_at';
/** The port passes no actor for key changes; keys are managed by operators (CLI or admin API). */
const OPERATOR: Actor = { principal: 'system', dialect: 'cli' };

const toKey = (r: KeyRow): AccessKey => ({
  id: r.id, name: r.name, secretHash: r.secret_hash, sealedSecret: r.sealed_secret, grants: JSON.parse(r.grants) as Grant[],
  createdAt: new Date(r.created_at), lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
});

export function createAccessKey(db: Db, k: AccessKey): Promise<void> {
  return db.tx(async (t) => {
    await t.run(`INSERT INTO access_keys (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      k.id, k.name, k.secretHash, k.sealedSecret, JSON.stringify(k.grants), k.createdAt.getTime(), k.lastUsedAt?.getTime() ?? null);
    await audit(t, OPERATOR, k.createdAt, 'key.create', null, k.id, { name: k.name });
  }); // under the registry lock (rare): audit ids must commit in order, or a newest-first pager could skip this event
}

export async function findAccessKey(db: Sql, id: string): Promise<AccessKey | null> {
  const row = await db.get<KeyRow>(`SELECT ${COLUMNS} FROM access_keys WHERE id = $1`, id);
  return row ? toKey(row) : null;
}

export async function listAccessKeys(db: Sql): Promise<AccessKey[]> {
  return (await db.all<KeyRow>(`SELECT ${COLUMNS} FROM access_keys ORDER BY created_at, id`)).map(toKey);
}

export function deleteAccessKey(db: Db, id: string, at: Date): Promise<boolean> {
  return db.tx(async (t) => {
    const removed = (await t.run('DELETE FROM access_keys WHERE id = $1', id)) === 1;
    if (removed) await audit(t, OPERATOR, at, 'key.delete', null, id);
    return removed;
  }); // under the registry lock (rare): audit ids commit in order, so paging the audit never skips this event
}
