// What the PostgreSQL adapter's tests share: a fresh schema per store on the one test server, a second connection
// that reads and pokes it as an operator would, and the invariants that concurrent replicas must never break.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { MetadataStore } from '../../../core/index.ts';
import type { MetadataStoreInspector, ReviewEntry } from '../metadata-store.conformance.ts';
import { createPostgresMetadataStore } from './index.ts';

/** A schema name no other store (or test file, or run sharing the server) uses. */
export const freshSchema = (): string => `t_${randomBytes(8).toString('hex')}`;

export interface Sandbox {
  schema: string;
  url: string;
  /** Another store (replica) on the same schema. */
  open(extra?: { poolSize?: number }): Promise<MetadataStore>;
  /** Raw SQL on the schema, outside any store. */
  query<T extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<T[]>;
  inspector: MetadataStoreInspector;
  /** Closes what open() opened and drops the schema. */
  cleanup(): Promise<void>;
}

/** A fresh schema on the server at `url` (test/servers.ts postgresServer(), which only test files may import). */
export async function sandbox(url: string): Promise<Sandbox> {
  const schema = freshSchema();
  // The stores' connections carry the schema as their application_name, so a test can find (and kill) exactly them.
  const named = new URL(url);
  named.searchParams.set('application_name', schema);
  const raw = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  const opened: MetadataStore[] = [];
  const query = async <T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> => (await raw.query<T>(text, values)).rows;
  return {
    schema,
    url,
    async open(extra = {}) {
      const store = await createPostgresMetadataStore({ url: named.toString(), schema, ...extra });
      opened.push(store);
      return store;
    },
    query,
    inspector: {
      async reviewQueue() {
        const rows = await query<{ kind: ReviewEntry['kind']; repo_id: string; digest: string; released_at: string }>(
          'SELECT kind, repo_id, digest, released_at FROM gc_review_queue');
        return rows.map((r) => ({ kind: r.kind, repoId: r.repo_id, digest: r.digest, releasedAt: new Date(Number(r.released_at)) }));
      },
      async setTagMutability(repository, mutability) {
        await query('UPDATE repositories SET tag_mutability = $1 WHERE name = $2 AND deleted_at IS NULL', [mutability, repository]);
      },
    },
    async cleanup() {
      for (const s of opened) await s.close();
      await raw.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await raw.end();
    },
  };
}

/**
 * Invariants of the reference index and the GC queue that hold after any serial history of port calls, so any
 * interleaving of replicas must keep them too. Returns the violations (empty when consistent).
 */
export async function queueViolations(box: Sandbox): Promise<string[]> {
  const rows = await box.query<{ problem: string }>(`
    SELECT 'blob used by no manifest is not queued: ' || b.digest AS problem FROM blobs b
      WHERE NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = b.digest)
        AND NOT EXISTS (SELECT 1 FROM gc_review_queue q WHERE q.kind = 'blob' AND q.repo_id = '' AND q.digest = b.digest)
    UNION ALL
    SELECT 'used blob still queued: ' || q.digest FROM gc_review_queue q
      WHERE q.kind = 'blob' AND EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = q.digest)
    UNION ALL
    SELECT 'tagged manifest queued: ' || q.digest FROM gc_review_queue q
      WHERE q.kind = 'manifest' AND EXISTS (SELECT 1 FROM tags t WHERE t.repo_id = q.repo_id AND t.digest = q.digest)
    UNION ALL
    SELECT 'trashed manifest queued: ' || q.digest FROM gc_review_queue q
      JOIN manifests m ON m.repo_id = q.repo_id AND m.digest = q.digest WHERE q.kind = 'manifest' AND m.deleted_at IS NOT NULL
    UNION ALL
    SELECT 'live repository name twice: ' || name FROM repositories WHERE deleted_at IS NULL GROUP BY name HAVING COUNT(*) > 1`);
  return rows.map((r) => r.problem);
}
