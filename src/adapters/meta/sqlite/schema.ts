// Versioned schema of the SQLite metadata store. The SQL stays portable (INTEGER ms timestamps, ON CONFLICT
// upserts, partial indexes) so the PostgreSQL adapter can run the same statements.
//
// repositories       one row per repository ever created; deleted_at marks a tombstone (O(1) delete) whose
//                    rows below stay until garbage collection purges them; live names are unique.
// blobs              every blob whose bytes are committed, by digest (global, content-addressed).
// repository_blobs   which repositories may see which blobs (pushed or mounted there).
// manifests          exact manifest bytes plus the facts parsed once at PUT (media type, subject, ...).
// manifest_blobs     reverse index blob -> manifests: "what uses this blob" without a scan.
// manifest_children  index -> child manifests, same repository.
// tags               tag -> digest.
// uploads            resumable upload sessions (received bytes are durable in the blob store).
// access_keys        access key id, secret hash, sealed secret, grants (JSON).
// audit_events       every mutation that matters, above all deletions.
// gc_review_queue    things that lost a reference, with the time after which GC may look at them;
//                    any new reference deletes the row in the same transaction.
import type Database from 'better-sqlite3';

const MIGRATIONS: string[] = [
  `CREATE TABLE repositories (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     artifact_kind TEXT NOT NULL DEFAULT 'image',
     tag_mutability TEXT NOT NULL DEFAULT 'MUTABLE',
     created_at INTEGER NOT NULL,
     deleted_at INTEGER
   );
   CREATE UNIQUE INDEX repositories_live_name ON repositories (name) WHERE deleted_at IS NULL;
   CREATE TABLE blobs (digest TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at INTEGER NOT NULL);
   CREATE TABLE repository_blobs (
     repo_id TEXT NOT NULL, digest TEXT NOT NULL, linked_at INTEGER NOT NULL, PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX repository_blobs_digest ON repository_blobs (digest);
   CREATE TABLE manifests (
     repo_id TEXT NOT NULL, digest TEXT NOT NULL, media_type TEXT NOT NULL, artifact_type TEXT, subject TEXT,
     annotations TEXT, size INTEGER NOT NULL, body BLOB NOT NULL, pushed_at INTEGER NOT NULL, last_pulled_at INTEGER,
     PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX manifests_subject ON manifests (repo_id, subject) WHERE subject IS NOT NULL;
   CREATE TABLE manifest_blobs (
     repo_id TEXT NOT NULL, manifest_digest TEXT NOT NULL, blob_digest TEXT NOT NULL,
     PRIMARY KEY (repo_id, manifest_digest, blob_digest)
   );
   CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_digest, repo_id);
   CREATE TABLE manifest_children (
     repo_id TEXT NOT NULL, parent_digest TEXT NOT NULL, child_digest TEXT NOT NULL,
     PRIMARY KEY (repo_id, parent_digest, child_digest)
   );
   CREATE INDEX manifest_children_child ON manifest_children (repo_id, child_digest);
   CREATE TABLE tags (
     repo_id TEXT NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL, updated_at INTEGER NOT NULL,
     PRIMARY KEY (repo_id, name)
   );
   CREATE INDEX tags_digest ON tags (repo_id, digest);
   CREATE TABLE uploads (
     id TEXT PRIMARY KEY, repository TEXT NOT NULL, received INTEGER NOT NULL,
     started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
   );
   CREATE INDEX uploads_updated ON uploads (updated_at);
   CREATE TABLE access_keys (
     id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL, sealed_secret TEXT NOT NULL,
     grants TEXT NOT NULL, created_at INTEGER NOT NULL, last_used_at INTEGER
   );
   CREATE TABLE audit_events (
     id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, principal TEXT NOT NULL, dialect TEXT NOT NULL,
     action TEXT NOT NULL, repository TEXT, target TEXT, detail TEXT
   );
   CREATE TABLE gc_review_queue (
     kind TEXT NOT NULL, repo_id TEXT NOT NULL, digest TEXT NOT NULL, review_after INTEGER NOT NULL,
     PRIMARY KEY (kind, repo_id, digest)
   );
   CREATE INDEX gc_review_queue_due ON gc_review_queue (review_after);`,
];

/** Applies the migrations this database has not seen yet, each in its own transaction (user_version counts them). */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;
