// Access keys, read on every authenticated request (never cached: `berth key rm` in another process must take
// effect at once); creation and deletion are audited in the same transaction.
import type { AccessKey } from '../../../core/index.ts';
import { KEY_COLUMNS, OPERATOR, toKey, type KeyRow } from '../rows-keys.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';

export function createAccessKey(db: Db, k: AccessKey): void {
  db.tx(() => {
    db.q(`INSERT INTO access_keys (${KEY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(k.id, k.name, k.secretHash, k.sealedSecret, JSON.stringify(k.grants), k.createdAt.getTime(), k.lastUsedAt?.getTime() ?? null);
    audit(db, OPERATOR, k.createdAt, 'key.create', null, k.id, { name: k.name });
  });
}

export function findAccessKey(db: Db, id: string): AccessKey | null {
  const row = db.q(`SELECT ${KEY_COLUMNS} FROM access_keys WHERE id = ?`).get(id) as KeyRow | undefined;
  return row ? toKey(row) : null;
}

export function listAccessKeys(db: Db): AccessKey[] {
  return (db.q(`SELECT ${KEY_COLUMNS} FROM access_keys ORDER BY created_at, id`).all() as KeyRow[]).map(toKey);
}

export function deleteAccessKey(db: Db, id: string, at: Date): boolean {
  return db.tx(() => {
    const removed = db.q('DELETE FROM access_keys WHERE id = ?').run(id).changes === 1;
    if (removed) audit(db, OPERATOR, at, 'key.delete', null, id);
    return removed;
  });
}
