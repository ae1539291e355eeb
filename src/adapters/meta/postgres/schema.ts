// Versioned schema of the PostgreSQL metadata store: its own append-only migration history (one per dialect of
// SQL). No PostgreSQL installation predates it, so version 1 is the SQLite store's schema after its 6th migration.
//
// The model, table by table, is described in the header of ../sqlite/schema.ts; the tables, columns, keys and
// indexes here are the same, so the query modules run the same statements. What differs:
// - BYTEA for manifest bodies, BIGINT for every time and size (ms since the epoch), identity columns for the
//   AUTOINCREMENT ids of audit_events and deleted_tags.
// - COLLATE "C" on every name, digest and id: SQLite compares TEXT byte by byte, and tag lists, repository lists,
//   digests paging and "name > after" cursors must order the same whatever the database's default collation is.
// - The version lives in berth_schema_version (SQLite uses PRAGMA user_version).

export interface Migration {
  version: number;
  sql: string;
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

export const MIGRATIONS: readonly Migration[] = [{ version: 1, sql: V1 }];

export const SCHEMA_VERSION = MIGRATIONS.length;
