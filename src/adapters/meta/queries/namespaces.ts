// Namespaces: explicit rows (SWR createNamespace, NCR create registry) merged with those implied by live
// repositories, so a namespace never disappears while it holds something and an empty one can still be listed.
import type { Actor, CreateNamespaceOutcome, DeleteNamespaceOutcome, NamespaceRecord } from '../../../core/index.ts';
import { all, get, type Q, run } from '../sql/query.ts';
import { audit } from './audit.ts';
import { containsPattern } from './browse.ts';

export interface NamespaceRow {
  name: string;
  created_at: number;
  explicit: number;
  repos: number;
  settings: string | null;
}

/** One row per namespace (callers append `WHERE ... GROUP BY name`): explicit rows and live repositories by their stored namespace. */
export const MERGED = `SELECT name, MIN(created_at) AS created_at, MAX(explicit) AS explicit, SUM(repos) AS repos, MAX(settings) AS settings
  FROM (SELECT name, created_at, 1 AS explicit, 0 AS repos, settings FROM namespaces
        UNION ALL
        SELECT namespace AS name, created_at, 0 AS explicit, 1 AS repos, NULL AS settings
          FROM repositories WHERE deleted_at IS NULL AND namespace <> '') AS n`;

export function toNamespaceRecord(r: NamespaceRow): NamespaceRecord {
  return {
    name: r.name,
    createdAt: new Date(r.created_at),
    explicit: r.explicit === 1,
    repositoryCount: r.repos,
    settings: r.settings === null ? {} : (JSON.parse(r.settings) as Record<string, unknown>),
  };
}

export function* findNamespace(name: string): Q<NamespaceRecord | null> {
  if (name === '') return null;
  const row = yield* get<NamespaceRow>(`${MERGED} WHERE name = $1 GROUP BY name`, name);
  return row ? toNamespaceRecord(row) : null;
}

export function* listNamespaces(q: { after?: string | undefined; nameContains?: string | undefined; limit: number }): Q<NamespaceRecord[]> {
  if (q.limit <= 0) return [];
  const rows = yield* all<NamespaceRow>(
    `${MERGED} WHERE name > $1 AND name LIKE $2 ESCAPE '\\' GROUP BY name ORDER BY name LIMIT $3`,
    q.after ?? '',
    containsPattern(q.nameContains ?? ''),
    q.limit,
  );
  return rows.map(toNamespaceRecord);
}

export function* createNamespace(ns: { name: string; settings: Record<string, unknown>; actor: Actor; at: Date }): Q<CreateNamespaceOutcome> {
  const existing = yield* get('SELECT 1 FROM namespaces WHERE name = $1', ns.name);
  if (existing) return { kind: 'exists', namespace: (yield* findNamespace(ns.name))! };
  yield* run('INSERT INTO namespaces (name, settings, created_at) VALUES ($1, $2, $3)', ns.name, JSON.stringify(ns.settings), ns.at.getTime());
  yield* audit(ns.actor, ns.at, 'namespace.create', null, ns.name);
  return { kind: 'created', namespace: (yield* findNamespace(ns.name))! };
}

export function* deleteNamespace(name: string, actor: Actor, at: Date): Q<DeleteNamespaceOutcome> {
  // Under the registry lock: no repository can be created in the namespace between this check and the delete.
  if (yield* get("SELECT 1 FROM repositories WHERE namespace = $1 AND deleted_at IS NULL AND namespace <> '' LIMIT 1", name)) return 'not-empty';
  if ((yield* run('DELETE FROM namespaces WHERE name = $1', name)) === 0) return 'unknown';
  yield* audit(actor, at, 'namespace.delete', null, name);
  return 'deleted';
}
