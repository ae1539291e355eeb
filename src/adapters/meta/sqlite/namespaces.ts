// Namespaces: explicit rows (SWR createNamespace, NCR create registry) merged with those implied by live
// repositories, so a namespace never disappears while it holds something and an empty one can still be listed.
import type { Actor, CreateNamespaceOutcome, DeleteNamespaceOutcome, NamespaceRecord } from '../../../core/index.ts';
import { audit } from './audit.ts';
import type { Db } from './db.ts';

interface NamespaceRow { name: string; created_at: number; explicit: number; repos: number; settings: string | null }

// One row per namespace: explicit rows and live repositories grouped by their stored namespace column.
const MERGED = `SELECT name, MIN(created_at) AS created_at, MAX(explicit) AS explicit, SUM(repos) AS repos, MAX(settings) AS settings
  FROM (SELECT name, created_at, 1 AS explicit, 0 AS repos, settings FROM namespaces
        UNION ALL
        SELECT namespace AS name, created_at, 0 AS explicit, 1 AS repos, NULL AS settings
          FROM repositories WHERE deleted_at IS NULL AND namespace <> '') AS n`;

function toRecord(r: NamespaceRow): NamespaceRecord {
  return {
    name: r.name, createdAt: new Date(r.created_at), explicit: r.explicit === 1, repositoryCount: r.repos,
    settings: r.settings === null ? {} : (JSON.parse(r.settings) as Record<string, unknown>),
  };
}

/** LIKE pattern for "contains", with the wildcards of the text escaped. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function findNamespace(db: Db, name: string): NamespaceRecord | null {
  if (name === '') return null;
  const row = db.q(`${MERGED} WHERE name = ? GROUP BY name`).get(name) as NamespaceRow | undefined;
  return row ? toRecord(row) : null;
}

export function listNamespaces(db: Db, q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): NamespaceRecord[] {
  if (q.limit <= 0) return [];
  const rows = db.q(`${MERGED} WHERE name > ? AND name LIKE ? ESCAPE '\\' GROUP BY name ORDER BY name LIMIT ?`)
    .all(q.after ?? '', containsPattern(q.nameContains ?? ''), q.limit) as NamespaceRow[];
  return rows.map(toRecord);
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
