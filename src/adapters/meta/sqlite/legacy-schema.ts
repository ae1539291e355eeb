// How SQLite files made before the shared migration list (user_version 1-5) reach version 6, where that list starts:
// SQLite's own history, kept verbatim so a data directory made by any earlier berth opens with every later one.
// A fresh file never runs these (it takes the baseline of ../migrations.ts at once).

export interface LegacyStep {
  version: number;
  sql: string;
}

/**
 * Foreign keys guard the reference index, the queue holds only blobs and manifests (tombstones are found by
 * their own index), and BIGINT names the 64-bit columns as PostgreSQL will. SQLite adds constraints only by
 * rebuilding a table: create the new one, copy, drop the old, rename (the order SQLite documents).
 */
const V2 = `CREATE TABLE repository_blobs_new (
     repo_id TEXT NOT NULL REFERENCES repositories (id), digest TEXT NOT NULL REFERENCES blobs (digest),
     linked_at BIGINT NOT NULL, PRIMARY KEY (repo_id, digest)
   );
   INSERT INTO repository_blobs_new (repo_id, digest, linked_at) SELECT repo_id, digest, linked_at FROM repository_blobs;
   DROP TABLE repository_blobs;
   ALTER TABLE repository_blobs_new RENAME TO repository_blobs;
   CREATE INDEX repository_blobs_digest ON repository_blobs (digest);

   CREATE TABLE manifests_new (
     repo_id TEXT NOT NULL REFERENCES repositories (id), digest TEXT NOT NULL, media_type TEXT NOT NULL,
     artifact_type TEXT, subject TEXT, annotations TEXT, size BIGINT NOT NULL, body BLOB NOT NULL,
     pushed_at BIGINT NOT NULL, last_pulled_at BIGINT, PRIMARY KEY (repo_id, digest)
   );
   INSERT INTO manifests_new (repo_id, digest, media_type, artifact_type, subject, annotations, size, body, pushed_at, last_pulled_at)
     SELECT repo_id, digest, media_type, artifact_type, subject, annotations, size, body, pushed_at, last_pulled_at FROM manifests;
   DROP TABLE manifests;
   ALTER TABLE manifests_new RENAME TO manifests;
   CREATE INDEX manifests_subject ON manifests (repo_id, subject) WHERE subject IS NOT NULL;

   CREATE TABLE manifest_blobs_new (
     repo_id TEXT NOT NULL, manifest_digest TEXT NOT NULL, blob_digest TEXT NOT NULL,
     PRIMARY KEY (repo_id, manifest_digest, blob_digest),
     FOREIGN KEY (repo_id, manifest_digest) REFERENCES manifests (repo_id, digest),
     FOREIGN KEY (repo_id, blob_digest) REFERENCES repository_blobs (repo_id, digest)
   );
   INSERT INTO manifest_blobs_new (repo_id, manifest_digest, blob_digest) SELECT repo_id, manifest_digest, blob_digest FROM manifest_blobs;
   DROP TABLE manifest_blobs;
   ALTER TABLE manifest_blobs_new RENAME TO manifest_blobs;
   CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_digest, repo_id);

   CREATE TABLE manifest_children_new (
     repo_id TEXT NOT NULL, parent_digest TEXT NOT NULL, child_digest TEXT NOT NULL,
     PRIMARY KEY (repo_id, parent_digest, child_digest),
     FOREIGN KEY (repo_id, parent_digest) REFERENCES manifests (repo_id, digest)
   );
   INSERT INTO manifest_children_new (repo_id, parent_digest, child_digest) SELECT repo_id, parent_digest, child_digest FROM manifest_children;
   DROP TABLE manifest_children;
   ALTER TABLE manifest_children_new RENAME TO manifest_children;
   CREATE INDEX manifest_children_child ON manifest_children (repo_id, child_digest);

   CREATE TABLE tags_new (
     repo_id TEXT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (repo_id, name), FOREIGN KEY (repo_id, digest) REFERENCES manifests (repo_id, digest)
   );
   INSERT INTO tags_new (repo_id, name, digest, updated_at) SELECT repo_id, name, digest, updated_at FROM tags;
   DROP TABLE tags;
   ALTER TABLE tags_new RENAME TO tags;
   CREATE INDEX tags_digest ON tags (repo_id, digest);

   CREATE TABLE gc_review_queue_new (
     kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')), repo_id TEXT NOT NULL, digest TEXT NOT NULL,
     review_after BIGINT NOT NULL, PRIMARY KEY (kind, repo_id, digest), CHECK (kind = 'manifest' OR repo_id = '')
   );
   INSERT INTO gc_review_queue_new (kind, repo_id, digest, review_after)
     SELECT kind, repo_id, digest, review_after FROM gc_review_queue WHERE kind IN ('blob', 'manifest');
   DROP TABLE gc_review_queue;
   ALTER TABLE gc_review_queue_new RENAME TO gc_review_queue;
   CREATE INDEX gc_review_queue_due ON gc_review_queue (review_after);

   CREATE INDEX repositories_tombstones ON repositories (deleted_at) WHERE deleted_at IS NOT NULL;`;

/** Safe deletion and online GC: trash and restore, pins, upload claims, purge markers, and a queue that keeps the
 * time a reference was lost (so the sweeper, not the writer, applies the grace period it is given). */
const V3 = `ALTER TABLE manifests ADD COLUMN deleted_at BIGINT;
   ALTER TABLE manifests ADD COLUMN deleted_batch TEXT;
   CREATE INDEX manifests_trash ON manifests (deleted_at) WHERE deleted_at IS NOT NULL;
   CREATE INDEX manifests_batch ON manifests (repo_id, deleted_batch) WHERE deleted_batch IS NOT NULL;
   CREATE TABLE deleted_tags (
     id INTEGER PRIMARY KEY AUTOINCREMENT, repo_id TEXT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL,
     deleted_at BIGINT NOT NULL, batch TEXT NOT NULL
   );
   CREATE INDEX deleted_tags_name ON deleted_tags (repo_id, name, deleted_at);
   CREATE INDEX deleted_tags_batch ON deleted_tags (repo_id, batch);
   CREATE INDEX deleted_tags_at ON deleted_tags (deleted_at);
   CREATE TABLE pins (
     id TEXT PRIMARY KEY, repo_id TEXT NOT NULL REFERENCES repositories (id), digest TEXT NOT NULL, reason TEXT NOT NULL,
     owner TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT
   );
   CREATE INDEX pins_target ON pins (repo_id, digest);
   CREATE INDEX pins_expiry ON pins (expires_at) WHERE expires_at IS NOT NULL;
   ALTER TABLE uploads ADD COLUMN digest TEXT;
   CREATE INDEX uploads_digest ON uploads (digest) WHERE digest IS NOT NULL;
   CREATE TABLE blob_purges (digest TEXT PRIMARY KEY, started_at BIGINT NOT NULL);
   CREATE TABLE gc_review_queue_new (
     kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')), repo_id TEXT NOT NULL, digest TEXT NOT NULL,
     released_at BIGINT NOT NULL, PRIMARY KEY (kind, repo_id, digest), CHECK (kind = 'manifest' OR repo_id = '')
   );
   INSERT INTO gc_review_queue_new (kind, repo_id, digest, released_at)
     SELECT kind, repo_id, digest, review_after - 3600000 FROM gc_review_queue;
   DROP TABLE gc_review_queue;
   ALTER TABLE gc_review_queue_new RENAME TO gc_review_queue;
   CREATE INDEX gc_review_queue_due ON gc_review_queue (kind, released_at);
   INSERT INTO gc_review_queue (kind, repo_id, digest, released_at)
     SELECT 'blob', '', rb.digest, MAX(rb.linked_at) FROM repository_blobs rb
     WHERE NOT EXISTS (SELECT 1 FROM manifest_blobs mb WHERE mb.blob_digest = rb.digest) GROUP BY rb.digest
     ON CONFLICT DO NOTHING;`;

/** Repository administration for the cloud dialects (settings, policy, resource tags) and purge-marker owners. */
const V4 = `ALTER TABLE repositories ADD COLUMN settings TEXT;
   ALTER TABLE repositories ADD COLUMN policy TEXT;
   CREATE TABLE repository_tags (
     repo_id TEXT NOT NULL REFERENCES repositories (id), key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (repo_id, key)
   );
   ALTER TABLE blob_purges ADD COLUMN owner TEXT NOT NULL DEFAULT '';`;

/**
 * Namespaces (SWR namespaces, NCR registries) and the request ledger of the signed cloud APIs. A repository's
 * namespace is stored (its first path segment, '' for a single-segment name) so namespaces list without parsing names.
 */
const V5 = `ALTER TABLE repositories ADD COLUMN namespace TEXT NOT NULL DEFAULT '';
   UPDATE repositories SET namespace = substr(name, 1, instr(name, '/') - 1) WHERE instr(name, '/') > 0;
   CREATE INDEX repositories_live_namespace ON repositories (namespace, name) WHERE deleted_at IS NULL;
   CREATE TABLE namespaces (name TEXT PRIMARY KEY, settings TEXT NOT NULL, created_at BIGINT NOT NULL);
   CREATE TABLE client_tokens (
     key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL, status INTEGER, body TEXT
   );
   CREATE INDEX client_tokens_created ON client_tokens (created_at);
   CREATE TABLE nonces (key TEXT PRIMARY KEY, used_at BIGINT NOT NULL);
   CREATE INDEX nonces_used ON nonces (used_at);`;

/** The accepted parts of each upload (S3 writes every append as its own object; replicas must agree on which). */
const V6 = `CREATE TABLE upload_parts (
     upload_id TEXT NOT NULL, start BIGINT NOT NULL, size BIGINT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (upload_id, start)
   );`;

/** Steps to versions 2..6; version 1 is the first schema a file ever had (kept in test-helpers.ts to build old files). */
export const LEGACY_STEPS: readonly LegacyStep[] = [
  { version: 2, sql: V2 },
  { version: 3, sql: V3 },
  { version: 4, sql: V4 },
  { version: 5, sql: V5 },
  { version: 6, sql: V6 },
];
