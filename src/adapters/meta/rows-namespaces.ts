// The merged namespace listing (explicit rows plus those implied by live repositories), one SQL text and mapper for both stores.
import type { NamespaceRecord } from '../../core/index.ts';

export interface NamespaceRow { name: string; created_at: number; explicit: number; repos: number; settings: string | null }

/** One row per namespace (callers append `WHERE ... GROUP BY name`): explicit rows and live repositories by their stored namespace. */
export const MERGED = `SELECT name, MIN(created_at) AS created_at, MAX(explicit) AS explicit, SUM(repos) AS repos, MAX(settings) AS settings
  FROM (SELECT name, created_at, 1 AS explicit, 0 AS repos, settings FROM namespaces
        UNION ALL
        SELECT namespace AS name, created_at, 0 AS explicit, 1 AS repos, NULL AS settings
          FROM repositories WHERE deleted_at IS NULL AND namespace <> '') AS n`;

export function toNamespaceRecord(r: NamespaceRow): NamespaceRecord {
  return {
    name: r.name, createdAt: new Date(r.created_at), explicit: r.explicit === 1, repositoryCount: r.repos,
    settings: r.settings === null ? {} : (JSON.parse(r.settings) as Record<string, unknown>),
  };
}
