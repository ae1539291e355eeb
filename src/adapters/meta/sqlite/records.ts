// Upload sessions, access keys and the audit trail: small tables with plain CRUD.
import type { AccessKey, AuditEvent, Grant, UploadSession } from '../../../core/index.ts';
import type { Db } from './db.ts';

interface UploadRow { id: string; repository: string; received: number; started_at: number; updated_at: number }
interface KeyRow { id: string; name: string; secret_hash: string; sealed_secret: string; grants: string; created_at: number; last_used_at: number | null }
interface AuditRow { id: number; at: number; principal: string; dialect: string; action: string; repository: string | null; target: string | null; detail: string | null }

const toUpload = (r: UploadRow): UploadSession => ({
  id: r.id, repository: r.repository, offset: r.received, startedAt: new Date(r.started_at), updatedAt: new Date(r.updated_at),
});

const toKey = (r: KeyRow): AccessKey => ({
  id: r.id, name: r.name, secretHash: r.secret_hash, sealedSecret: r.sealed_secret, grants: JSON.parse(r.grants) as Grant[],
  createdAt: new Date(r.created_at), lastUsedAt: r.last_used_at === null ? null : new Date(r.last_used_at),
});

export function uploads(db: Db) {
  return {
    create(s: UploadSession): void {
      db.q('INSERT INTO uploads (id, repository, received, started_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(s.id, s.repository, s.offset, s.startedAt.getTime(), s.updatedAt.getTime());
    },
    get(id: string): UploadSession | null {
      const row = db.q('SELECT * FROM uploads WHERE id = ?').get(id) as UploadRow | undefined;
      return row ? toUpload(row) : null;
    },
    advance(id: string, from: number, to: number, at: Date): boolean {
      return db.q('UPDATE uploads SET received = ?, updated_at = ? WHERE id = ? AND received = ?').run(to, at.getTime(), id, from).changes === 1;
    },
    remove(id: string): void {
      db.q('DELETE FROM uploads WHERE id = ?').run(id);
    },
    idle(before: Date, limit: number): UploadSession[] {
      return (db.q('SELECT * FROM uploads WHERE updated_at < ? ORDER BY updated_at LIMIT ?').all(before.getTime(), limit) as UploadRow[]).map(toUpload);
    },
  };
}

export function accessKeys(db: Db) {
  return {
    create(k: AccessKey): void {
      db.q('INSERT INTO access_keys (id, name, secret_hash, sealed_secret, grants, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(k.id, k.name, k.secretHash, k.sealedSecret, JSON.stringify(k.grants), k.createdAt.getTime(), k.lastUsedAt?.getTime() ?? null);
    },
    find(id: string): AccessKey | null {
      const row = db.q('SELECT * FROM access_keys WHERE id = ?').get(id) as KeyRow | undefined;
      return row ? toKey(row) : null;
    },
    list(): AccessKey[] {
      return (db.q('SELECT * FROM access_keys ORDER BY created_at, id').all() as KeyRow[]).map(toKey);
    },
    remove(id: string): boolean {
      return db.q('DELETE FROM access_keys WHERE id = ?').run(id).changes === 1;
    },
  };
}

export function listAudit(db: Db, before: number | undefined, limit: number): AuditEvent[] {
  const rows = db.q('SELECT * FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT ?').all(before ?? Number.MAX_SAFE_INTEGER, limit) as AuditRow[];
  return rows.map((r) => ({
    id: r.id, at: new Date(r.at), principal: r.principal, dialect: r.dialect, action: r.action, repository: r.repository,
    target: r.target, detail: r.detail ? (JSON.parse(r.detail) as Record<string, unknown>) : null,
  }));
}
