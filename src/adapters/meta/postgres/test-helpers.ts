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
          'SELECT kind, repo_id, digest, released_at FROM gc_review_queue',
        );
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

/** Resolves once a connection of this sandbox's stores waits on a lock (a row lock or an advisory lock); fails after 10 s. */
export async function lockWaiter(box: Sandbox): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    const rows = await box.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [
      box.schema,
    ]);
    if ((rows[0]?.n ?? 0) > 0) return;
    if (Date.now() > until) throw new Error('no connection of the sandbox waited on a lock within 10 s');
    await new Promise((r) => setTimeout(r, 10));
  }
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

const C = 'TEXT COLLATE "C"';
const V1 = `CREATE TABLE repositories (
     id ${C} PRIMARY KEY, name ${C} NOT NULL, namespace ${C} NOT NULL DEFAULT '',
     artifact_kind TEXT NOT NULL DEFAULT 'image', tag_mutability TEXT NOT NULL DEFAULT 'MUTABLE',
     created_at BIGINT NOT NULL, deleted_at BIGINT, settings TEXT, policy TEXT
   );
   CREATE UNIQUE INDEX repositories_live_name ON repositories (name) WHERE deleted_at IS NULL;
   CREATE INDEX repositories_tombstones ON repositories (deleted_at) WHERE deleted_at IS NOT NULL;
   CREATE INDEX repositories_live_namespace ON repositories (namespace, name) WHERE deleted_at IS NULL;

   CREATE TABLE blobs (digest ${C} PRIMARY KEY, size BIGINT NOT NULL, created_at BIGINT NOT NULL);
   CREATE TABLE repository_blobs (
     repo_id ${C} NOT NULL REFERENCES repositories (id), digest ${C} NOT NULL REFERENCES blobs (digest),
     linked_at BIGINT NOT NULL, PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX repository_blobs_digest ON repository_blobs (digest);

   CREATE TABLE manifests (
     repo_id ${C} NOT NULL REFERENCES repositories (id), digest ${C} NOT NULL, media_type TEXT NOT NULL,
     artifact_type TEXT, subject ${C}, annotations TEXT, size BIGINT NOT NULL, body BYTEA NOT NULL,
     pushed_at BIGINT NOT NULL, last_pulled_at BIGINT, deleted_at BIGINT, deleted_batch TEXT,
     PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX manifests_subject ON manifests (repo_id, subject) WHERE subject IS NOT NULL;
   CREATE INDEX manifests_trash ON manifests (deleted_at) WHERE deleted_at IS NOT NULL;
   CREATE INDEX manifests_batch ON manifests (repo_id, deleted_batch) WHERE deleted_batch IS NOT NULL;

   CREATE TABLE manifest_blobs (
     repo_id ${C} NOT NULL, manifest_digest ${C} NOT NULL, blob_digest ${C} NOT NULL,
     PRIMARY KEY (repo_id, manifest_digest, blob_digest),
     FOREIGN KEY (repo_id, manifest_digest) REFERENCES manifests (repo_id, digest),
     FOREIGN KEY (repo_id, blob_digest) REFERENCES repository_blobs (repo_id, digest)
   );
   CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_digest, repo_id);

   CREATE TABLE manifest_children (
     repo_id ${C} NOT NULL, parent_digest ${C} NOT NULL, child_digest ${C} NOT NULL,
     PRIMARY KEY (repo_id, parent_digest, child_digest),
     FOREIGN KEY (repo_id, parent_digest) REFERENCES manifests (repo_id, digest)
   );
   CREATE INDEX manifest_children_child ON manifest_children (repo_id, child_digest);

   CREATE TABLE tags (
     repo_id ${C} NOT NULL, name ${C} NOT NULL, digest ${C} NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (repo_id, name), FOREIGN KEY (repo_id, digest) REFERENCES manifests (repo_id, digest)
   );
   CREATE INDEX tags_digest ON tags (repo_id, digest);

   CREATE TABLE uploads (
     id ${C} PRIMARY KEY, repository ${C} NOT NULL, received BIGINT NOT NULL,
     started_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, digest ${C}
   );
   CREATE INDEX uploads_updated ON uploads (updated_at);
   CREATE INDEX uploads_digest ON uploads (digest) WHERE digest IS NOT NULL;
   CREATE TABLE upload_parts (
     upload_id ${C} NOT NULL, start BIGINT NOT NULL, size BIGINT NOT NULL, ref ${C} NOT NULL, PRIMARY KEY (upload_id, start)
   );

   CREATE TABLE access_keys (
     id ${C} PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL, sealed_secret TEXT NOT NULL,
     grants TEXT NOT NULL, created_at BIGINT NOT NULL, last_used_at BIGINT
   );

   CREATE TABLE audit_events (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at BIGINT NOT NULL, principal TEXT NOT NULL, dialect TEXT NOT NULL,
     action ${C} NOT NULL, repository ${C}, target TEXT, detail TEXT
   );

   CREATE TABLE gc_review_queue (
     kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')), repo_id ${C} NOT NULL, digest ${C} NOT NULL,
     released_at BIGINT NOT NULL, PRIMARY KEY (kind, repo_id, digest), CHECK (kind = 'manifest' OR repo_id = '')
   );
   CREATE INDEX gc_review_queue_due ON gc_review_queue (kind, released_at);

   CREATE TABLE deleted_tags (
     id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, repo_id ${C} NOT NULL, name ${C} NOT NULL, digest ${C} NOT NULL,
     deleted_at BIGINT NOT NULL, batch TEXT NOT NULL
   );
   CREATE INDEX deleted_tags_name ON deleted_tags (repo_id, name, deleted_at);
   CREATE INDEX deleted_tags_batch ON deleted_tags (repo_id, batch);
   CREATE INDEX deleted_tags_at ON deleted_tags (deleted_at);

   CREATE TABLE pins (
     id ${C} PRIMARY KEY, repo_id ${C} NOT NULL REFERENCES repositories (id), digest ${C} NOT NULL, reason TEXT NOT NULL,
     owner TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT
   );
   CREATE INDEX pins_target ON pins (repo_id, digest);
   CREATE INDEX pins_expiry ON pins (expires_at) WHERE expires_at IS NOT NULL;

   CREATE TABLE blob_purges (digest ${C} PRIMARY KEY, started_at BIGINT NOT NULL, owner TEXT NOT NULL DEFAULT '');

   CREATE TABLE repository_tags (
     repo_id ${C} NOT NULL REFERENCES repositories (id), key ${C} NOT NULL, value TEXT NOT NULL, PRIMARY KEY (repo_id, key)
   );

   CREATE TABLE namespaces (name ${C} PRIMARY KEY, settings TEXT NOT NULL, created_at BIGINT NOT NULL);

   CREATE TABLE client_tokens (
     key ${C} PRIMARY KEY, fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL, status INTEGER, body TEXT
   );
   CREATE INDEX client_tokens_created ON client_tokens (created_at);
   CREATE TABLE nonces (key ${C} PRIMARY KEY, used_at BIGINT NOT NULL);
   CREATE INDEX nonces_used ON nonces (used_at);`;

/** The schema this store created before the shared migration list (its own version 1), to prove such schemas upgrade. */
export const LEGACY_V1 = `CREATE TABLE berth_schema_version (version INTEGER NOT NULL); INSERT INTO berth_schema_version VALUES (1);${V1}`;
