// What the SQLite adapter's tests share: the first schema a berth data file ever had, to build old files and prove
// they upgrade (the store itself never runs it: a fresh file takes the shared baseline).
import type Database from 'better-sqlite3';

const V1 = `CREATE TABLE repositories (
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
   CREATE INDEX gc_review_queue_due ON gc_review_queue (review_after);`;

/** Makes `raw` an empty file at user_version 1, as the first berth left it. */
export function makeVersion1(raw: Database.Database): void {
  raw.exec(V1);
  raw.pragma('user_version = 1');
}
