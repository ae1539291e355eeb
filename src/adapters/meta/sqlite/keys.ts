// Access keys, read on every authenticated request (never cached: `berth key rm` in another process must take
// effect at once); creation and deletion are audited in the same transaction.
import type { AccessKey, Actor, Grant } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';

interface KeyRow { id: string; name: string; secret_hash: string; sealed_secret: string; grants: string; created_at: number; last_used_at: number | null }

const COLUMNS = 'id, name, secret_hash, sealed_secret, grants, created_at, last_used_at';
/** The port passes no actor for key changes; keys are managed by operators (CLI or admin API). */
const OPERATOR: Actor = { principal: 'system', dialect: 'cli' };

const toKey = (r: KeyRow): AccessKey => ({
  id: r.id, name: r.name, secretHash: r.secret_hash, sealedSecret: r.sealed_secret, grants: JSON.parse(r.grants) as Grant[],
  createdAt: new Date(r.created_at), lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
});

export function createAccessKey(db: Db, k: AccessKey): void {
  db.tx(() => {
    db.q(`INSERT INTO access_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(k.id, k.name, k.secretHash, k.sealedSecret, JSON.stringify(k.grants), k.createdAt.getTime(), k.lastUsedAt?.getTime() ?? null);
    audit(db, OPERATOR, k.createdAt, 'key.create', null, k.id, { name: k.name });
  });
}

export function findAccessKey(db: Db, id: string): AccessKey | null {
  const row = db.q(`SELECT ${COLUMNS} FROM access_keys WHERE id = ?`).get(id) as KeyRow | undefined;
  return row ? toKey(row) : null;
}

export function listAccessKeys(db: Db): AccessKey[] {
  return (db.q(`SELECT ${COLUMNS} FROM access_keys ORDER BY created_at, id`).all() as KeyRow[]).map(toKey);
}

export function deleteAccessKey(db: Db, id: string, at: Date): boolean {
  return db.tx(() => {
    const removed = db.q('DELETE FROM access_keys WHERE id = ?').run(id).changes === 1;
    if (removed) audit(db, OPERATOR, at, 'key.delete', null, id);
    return removed;
  });
}
