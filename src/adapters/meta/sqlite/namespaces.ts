// Namespaces: explicit rows (SWR createNamespace, NCR create registry) merged with those implied by live
// repositories, so a namespace never disappears while it holds something and an empty one can still be listed.
import type { Actor, CreateNamespaceOutcome, DeleteNamespaceOutcome, NamespaceRecord } from '../../../core/index.ts';
import { containsPattern } from '../like-pattern.ts';
import { MERGED, toNamespaceRecord, type NamespaceRow } from '../rows-namespaces.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';

export function findNamespace(db: Db, name: string): NamespaceRecord | null {
  if (name === '') return null;
  const row = db.q(`${MERGED} WHERE name = ? GROUP BY name`).get(name) as NamespaceRow | undefined;
  return row ? toNamespaceRecord(row) : null;
}

export function listNamespaces(db: Db, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): NamespaceRecord[] {
  if (q.limit <= 0) return [];
  const rows = db.q(`${MERGED} WHERE name > ? AND name LIKE ? ESCAPE '\\' GROUP BY name ORDER BY name LIMIT ?`)
    .all(q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit) as NamespaceRow[];
  return rows.map(toNamespaceRecord);
}

export function createNamespace(db: Db, ns: { name: string; settings: Record<string, unknown>; actor: Actor; at: Date }): CreateNamespaceOutcome {
  return db.tx((): CreateNamespaceOutcome => {
    const existing = db.q('SELECT 1 FROM namespaces WHERE name = ?').get(ns.name);
    if (existing) return { kind: 'exists', namespace: findNamespace(db, ns.name)! };
    db.q('INSERT INTO namespaces (name, settings, created_at) VALUES (?, ?, ?)').run(ns.name, JSON.stringify(ns.settings), ns.at.getTime());
    audit(db, ns.actor, ns.at, 'namespace.create', null, ns.name);
    return { kind: 'created', namespace: findNamespace(db, ns.name)! };
  });
}

export function deleteNamespace(db: Db, name: string, actor: Actor, at: Date): DeleteNamespaceOutcome {
  return db.tx((): DeleteNamespaceOutcome => {
    // The same transaction that deletes the row sees every repository committed before it: none can slip in unseen.
    if (db.q("SELECT 1 FROM repositories WHERE namespace = ? AND deleted_at IS NULL AND namespace <> '' LIMIT 1").get(name)) return 'not-empty';
    if (db.q('DELETE FROM namespaces WHERE name = ?').run(name).changes === 0) return 'unknown';
    audit(db, actor, at, 'namespace.delete', null, name);
    return 'deleted';
  });
}
