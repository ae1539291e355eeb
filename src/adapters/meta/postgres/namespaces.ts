// Namespaces: explicit rows (SWR createNamespace, NCR create registry) merged with those implied by live
// repositories, so a namespace never disappears while it holds something and an empty one can still be listed.
import type { Actor, CreateNamespaceOutcome, DeleteNamespaceOutcome, NamespaceRecord } from '../../../core/index.ts';
import { containsPattern } from '../like-pattern.ts';
import { MERGED, toNamespaceRecord, type NamespaceRow } from '../rows-namespaces.ts';
import { audit } from './audit.ts';
import type { Db, Sql } from './db.ts';

export async function findNamespace(db: Sql, name: string): Promise<NamespaceRecord | null> {
  if (name === '') return null;
  const row = await db.get<NamespaceRow>(`${MERGED} WHERE name = $1 GROUP BY name`, name);
  return row ? toNamespaceRecord(row) : null;
}

export async function listNamespaces(db: Sql, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Promise<NamespaceRecord[]> {
  if (q.limit <= 0) return [];
  const rows = await db.all<NamespaceRow>(`${MERGED} WHERE name > $1 AND name LIKE $2 ESCAPE '\\' GROUP BY name ORDER BY name LIMIT $3`,
    q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit);
  return rows.map(toNamespaceRecord);
}

export function createNamespace(db: Db, ns: { name: string; settings: Record<string, unknown>; actor: Actor; at: Date }): Promise<CreateNamespaceOutcome> {
  return db.tx(async (t): Promise<CreateNamespaceOutcome> => {
    const existing = await t.get('SELECT 1 FROM namespaces WHERE name = $1', ns.name);
    if (existing) return { kind: 'exists', namespace: (await findNamespace(t, ns.name))! };
    await t.run('INSERT INTO namespaces (name, settings, created_at) VALUES ($1, $2, $3)', ns.name, JSON.stringify(ns.settings), ns.at.getTime());
    await audit(t, ns.actor, ns.at, 'namespace.create', null, ns.name);
    return { kind: 'created', namespace: (await findNamespace(t, ns.name))! };
  });
}

export function deleteNamespace(db: Db, name: string, actor: Actor, at: Date): Promise<DeleteNamespaceOutcome> {
  return db.tx(async (t): Promise<DeleteNamespaceOutcome> => {
    // Under the registry lock: no repository can be created in the namespace between this check and the delete.
    if (await t.get("SELECT 1 FROM repositories WHERE namespace = $1 AND deleted_at IS NULL AND namespace <> '' LIMIT 1", name)) return 'not-empty';
    if ((await t.run('DELETE FROM namespaces WHERE name = $1', name)) === 0) return 'unknown';
    await audit(t, actor, at, 'namespace.delete', null, name);
    return 'deleted';
  });
}
