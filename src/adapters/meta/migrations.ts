// The schema of both metadata stores as one append-only list of migrations: a migration is written once, in the SQL
// SQLite and PostgreSQL share, with the few column types that differ taken from DdlTypes. The model, table by
// table, is described in docs/DESIGN.md ("Metadata schema"); timestamps are BIGINT ms since the epoch, JSON is TEXT.
//
// Versions: the list starts at 6, the schema both stores had when it was unified (SQLite's PRAGMA user_version 6,
// PostgreSQL's berth_schema_version 1, which the PostgreSQL store reads as 6). A new database runs the whole list; an
// older SQLite file (versions 1-5) is first brought to 6 by sqlite/legacy-schema.ts. Add a migration by appending
// { version: N + 1, ddl } here: both stores run it, each in one transaction, exactly once (see DESIGN.md).

/** Column types whose spelling differs between the engines. */
export interface DdlTypes {
  /** Names, digests and ids: PostgreSQL compares them byte-wise (COLLATE "C") as SQLite compares TEXT. */
  readonly text: string;
  readonly bytes: string;
  /** An ascending integer id assigned by the database. */
  readonly serialKey: string;
  /** Which engine runs the DDL, for the few steps that concern one only (18: SQLite's table layout). */
  readonly engine: 'sqlite' | 'postgres';
}

export interface Migration {
  readonly version: number;
  ddl(t: DdlTypes): string;
}

/** The version a fresh database starts from (every earlier one is SQLite history). */
export const BASELINE_VERSION = 6;

const baseline = (t: DdlTypes): string => `CREATE TABLE repositories (
     id ${t.text} PRIMARY KEY, name ${t.text} NOT NULL, namespace ${t.text} NOT NULL DEFAULT '',
     artifact_kind TEXT NOT NULL DEFAULT 'image', tag_mutability TEXT NOT NULL DEFAULT 'MUTABLE',
     created_at BIGINT NOT NULL, deleted_at BIGINT, settings TEXT, policy TEXT
   );
   CREATE UNIQUE INDEX repositories_live_name ON repositories (name) WHERE deleted_at IS NULL;
   CREATE INDEX repositories_tombstones ON repositories (deleted_at) WHERE deleted_at IS NOT NULL;
   CREATE INDEX repositories_live_namespace ON repositories (namespace, name) WHERE deleted_at IS NULL;

   CREATE TABLE blobs (digest ${t.text} PRIMARY KEY, size BIGINT NOT NULL, created_at BIGINT NOT NULL);
   CREATE TABLE repository_blobs (
     repo_id ${t.text} NOT NULL REFERENCES repositories (id), digest ${t.text} NOT NULL REFERENCES blobs (digest),
     linked_at BIGINT NOT NULL, PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX repository_blobs_digest ON repository_blobs (digest);

   CREATE TABLE manifests (
     repo_id ${t.text} NOT NULL REFERENCES repositories (id), digest ${t.text} NOT NULL, media_type TEXT NOT NULL,
     artifact_type TEXT, subject ${t.text}, annotations TEXT, size BIGINT NOT NULL, body ${t.bytes} NOT NULL,
     pushed_at BIGINT NOT NULL, last_pulled_at BIGINT, deleted_at BIGINT, deleted_batch TEXT,
     PRIMARY KEY (repo_id, digest)
   );
   CREATE INDEX manifests_subject ON manifests (repo_id, subject) WHERE subject IS NOT NULL;
   CREATE INDEX manifests_trash ON manifests (deleted_at) WHERE deleted_at IS NOT NULL;
   CREATE INDEX manifests_batch ON manifests (repo_id, deleted_batch) WHERE deleted_batch IS NOT NULL;

   CREATE TABLE manifest_blobs (
     repo_id ${t.text} NOT NULL, manifest_digest ${t.text} NOT NULL, blob_digest ${t.text} NOT NULL,
     PRIMARY KEY (repo_id, manifest_digest, blob_digest),
     FOREIGN KEY (repo_id, manifest_digest) REFERENCES manifests (repo_id, digest),
     FOREIGN KEY (repo_id, blob_digest) REFERENCES repository_blobs (repo_id, digest)
   );
   CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_digest, repo_id);

   CREATE TABLE manifest_children (
     repo_id ${t.text} NOT NULL, parent_digest ${t.text} NOT NULL, child_digest ${t.text} NOT NULL,
     PRIMARY KEY (repo_id, parent_digest, child_digest),
     FOREIGN KEY (repo_id, parent_digest) REFERENCES manifests (repo_id, digest)
   );
   CREATE INDEX manifest_children_child ON manifest_children (repo_id, child_digest);

   CREATE TABLE tags (
     repo_id ${t.text} NOT NULL, name ${t.text} NOT NULL, digest ${t.text} NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (repo_id, name), FOREIGN KEY (repo_id, digest) REFERENCES manifests (repo_id, digest)
   );
   CREATE INDEX tags_digest ON tags (repo_id, digest);

   CREATE TABLE uploads (
     id ${t.text} PRIMARY KEY, repository ${t.text} NOT NULL, received BIGINT NOT NULL,
     started_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, digest ${t.text}
   );
   CREATE INDEX uploads_updated ON uploads (updated_at);
   CREATE INDEX uploads_digest ON uploads (digest) WHERE digest IS NOT NULL;
   CREATE TABLE upload_parts (
     upload_id ${t.text} NOT NULL, start BIGINT NOT NULL, size BIGINT NOT NULL, ref ${t.text} NOT NULL, PRIMARY KEY (upload_id, start)
   );

   CREATE TABLE access_keys (
     id ${t.text} PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL, sealed_secret TEXT NOT NULL,
     grants TEXT NOT NULL, created_at BIGINT NOT NULL, last_used_at BIGINT
   );

   CREATE TABLE audit_events (
     id ${t.serialKey}, at BIGINT NOT NULL, principal TEXT NOT NULL, dialect TEXT NOT NULL,
     action ${t.text} NOT NULL, repository ${t.text}, target TEXT, detail TEXT
   );

   CREATE TABLE gc_review_queue (
     kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')), repo_id ${t.text} NOT NULL, digest ${t.text} NOT NULL,
     released_at BIGINT NOT NULL, PRIMARY KEY (kind, repo_id, digest), CHECK (kind = 'manifest' OR repo_id = '')
   );
   CREATE INDEX gc_review_queue_due ON gc_review_queue (kind, released_at);

   CREATE TABLE deleted_tags (
     id ${t.serialKey}, repo_id ${t.text} NOT NULL, name ${t.text} NOT NULL, digest ${t.text} NOT NULL,
     deleted_at BIGINT NOT NULL, batch TEXT NOT NULL
   );
   CREATE INDEX deleted_tags_name ON deleted_tags (repo_id, name, deleted_at);
   CREATE INDEX deleted_tags_batch ON deleted_tags (repo_id, batch);
   CREATE INDEX deleted_tags_at ON deleted_tags (deleted_at);

   CREATE TABLE pins (
     id ${t.text} PRIMARY KEY, repo_id ${t.text} NOT NULL REFERENCES repositories (id), digest ${t.text} NOT NULL, reason TEXT NOT NULL,
     owner TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT
   );
   CREATE INDEX pins_target ON pins (repo_id, digest);
   CREATE INDEX pins_expiry ON pins (expires_at) WHERE expires_at IS NOT NULL;

   CREATE TABLE blob_purges (digest ${t.text} PRIMARY KEY, started_at BIGINT NOT NULL, owner TEXT NOT NULL DEFAULT '');

   CREATE TABLE repository_tags (
     repo_id ${t.text} NOT NULL REFERENCES repositories (id), key ${t.text} NOT NULL, value TEXT NOT NULL, PRIMARY KEY (repo_id, key)
   );

   CREATE TABLE namespaces (name ${t.text} PRIMARY KEY, settings TEXT NOT NULL, created_at BIGINT NOT NULL);

   CREATE TABLE client_tokens (
     key ${t.text} PRIMARY KEY, fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL, status INTEGER, body TEXT
   );
   CREATE INDEX client_tokens_created ON client_tokens (created_at);
   CREATE TABLE nonces (key ${t.text} PRIMARY KEY, used_at BIGINT NOT NULL);
   CREATE INDEX nonces_used ON nonces (used_at);`;

/**
 * 7: process leases (docs/DELETION.md, "Abandoned uploads"): every serving process renews a row here, and a session
 * records the process that last worked on it, so a session whose owner died is expired minutes later, not a day.
 * `owner` stays NULL on sessions written before (they wait for uploads.idleTimeout as they always did).
 */
const processLeases = (t: DdlTypes): string => `ALTER TABLE uploads ADD COLUMN owner ${t.text};
   CREATE TABLE process_leases (id ${t.text} PRIMARY KEY, started_at BIGINT NOT NULL, renewed_at BIGINT NOT NULL);`;

/**
 * 8: pin sets (docs/DELETION.md, "Pins from what runs"): a pin written by `berth pin sync` / PUT pin-sets names its
 * source, so the next sync of that source replaces exactly its own pins; pins made by hand keep `source` NULL.
 */
const pinSources = (t: DdlTypes): string => `ALTER TABLE pins ADD COLUMN source ${t.text};
   CREATE INDEX pins_source ON pins (source) WHERE source IS NOT NULL;`;

/**
 * 9: retention (lifecycle) policies (docs/LIFECYCLE.md): one row per repository name (`scope` 'repository') or
 * namespace default ('namespace'), the engine's policy as JSON; `evaluated_at` is the last run. Keyed by name, not
 * repository id, so a policy outlives a deleted-and-pushed-again repository as a namespace default does.
 * `pull_recording` holds when this berth began counting on its last-pulled times for retention: pull-age rules never
 * look further back (an image never seen pulled is measured from the later of its push and this instant); the
 * migration's own time is the safe choice, later than any pull berth may have missed.
 * `manifests_push_order` lets the lifecycle stream read a repository in push order, a keyset page at a time.
 */
const lifecyclePolicies = (t: DdlTypes): string => `CREATE TABLE lifecycle_policies (
     scope TEXT NOT NULL, name ${t.text} NOT NULL, family TEXT NOT NULL, policy TEXT NOT NULL,
     updated_at BIGINT NOT NULL, updated_by TEXT NOT NULL, evaluated_at BIGINT, PRIMARY KEY (scope, name)
   );
   CREATE TABLE pull_recording (started_at BIGINT NOT NULL);
   INSERT INTO pull_recording (started_at) VALUES (${Date.now()});
   CREATE INDEX manifests_push_order ON manifests (repo_id, pushed_at, digest) WHERE deleted_at IS NULL;`;

/**
 * 10: tag-mutability exclusions (ECR's IMMUTABLE_WITH_EXCLUSION / MUTABLE_WITH_EXCLUSION): the wildcard filters as a
 * JSON array of strings beside `tag_mutability`, which now also holds the two *_WITH_EXCLUSION modes. NULL means no
 * filters, so every row written before (MUTABLE or IMMUTABLE) stays what it was.
 */
const tagMutabilityExclusions = (): string => 'ALTER TABLE repositories ADD COLUMN tag_mutability_exclusions TEXT;';

/**
 * 11: the wire APIs over retention (docs/LIFECYCLE.md).
 * `wire_text` keeps ECR's lifecyclePolicyText as given (GetLifecyclePolicy echoes it byte for byte; NULL for a policy
 * set elsewhere). `id` is SWR's integer retention id, drawn from the one-row counter `lifecycle_policy_ids` (the
 * counter's row lock orders concurrent creates on PostgreSQL; ids are never reused) and kept when a policy is
 * replaced; existing rows are numbered in key order. `lifecycle_previews` holds each repository's last ECR preview,
 * computed when started (so every replica reads the same answer). `lifecycle_removals` is what runs removed, one row per
 * tag (tag NULL: an untagged manifest), for SWR's ListRetentionHistories; bounded per repository by the run.
 */
const lifecycleWire = (t: DdlTypes): string => `ALTER TABLE lifecycle_policies ADD COLUMN wire_text TEXT;
   ALTER TABLE lifecycle_policies ADD COLUMN id BIGINT;
   UPDATE lifecycle_policies SET id = (SELECT COUNT(*) FROM lifecycle_policies p
     WHERE p.scope < lifecycle_policies.scope OR (p.scope = lifecycle_policies.scope AND p.name <= lifecycle_policies.name));
   CREATE UNIQUE INDEX lifecycle_policies_id ON lifecycle_policies (id);
   CREATE TABLE lifecycle_policy_ids (next BIGINT NOT NULL);
   INSERT INTO lifecycle_policy_ids (next) SELECT COUNT(*) + 1 FROM lifecycle_policies;
   CREATE TABLE lifecycle_previews (
     repository ${t.text} PRIMARY KEY, policy_text TEXT NOT NULL, started_at BIGINT NOT NULL, expiring TEXT NOT NULL
   );
   CREATE TABLE lifecycle_removals (
     id ${t.serialKey}, repository ${t.text} NOT NULL, policy_id BIGINT NOT NULL, at BIGINT NOT NULL,
     digest ${t.text} NOT NULL, tag ${t.text}, verdict TEXT NOT NULL, rule TEXT NOT NULL
   );
   CREATE INDEX lifecycle_removals_repository ON lifecycle_removals (repository, id);`;

/**
 * 12: a lease records when it runs out (`expires_at`, from its owner's own uploads.ownerLease). Judged by the judge's
 * lease length instead, a CLI `berth gc` or `fsck --repair` (or a replica mid-rollout) with a shorter ownerLease than
 * a serving process took that live process for dead between two of its renewals and expired its sessions. NULL on
 * leases renewed before: those are judged by the judge's lease length, as before.
 */
const leaseExpiry = (): string => 'ALTER TABLE process_leases ADD COLUMN expires_at BIGINT;';

/**
 * 15: the lock rows of PostgreSQL's fine-grained writes (queries/row-locks.ts, docs/SCALE-OUT.md "Write locks"): a
 * fixed set of stripes (registry, repositories, digests) that writes lock with SELECT ... FOR UPDATE / FOR SHARE
 * instead of one advisory lock for every write: 16 + 4096 + 4096 rows, never written after this (a later layout
 * adds rows in a migration of its own). SQLite carries the small table unused.
 */
const writeLocks = (): string => `CREATE TABLE write_locks (id INTEGER PRIMARY KEY);
   WITH RECURSIVE n (id) AS (SELECT 0 UNION ALL SELECT id + 1 FROM n WHERE id < 8207)
     INSERT INTO write_locks (id) SELECT id FROM n;`;

/**
 * 13: the history of GC passes (docs/DELETION.md, "Pass history"): one row per pass, written when it starts, renewed
 * with its progress while it runs (`lease_until`: a running row past it belongs to a dead process) and ended with the
 * report or the error; the newest 1,000 are kept. `bytes_reclaimed` / `blobs_removed` are the report's figures as
 * columns, so per-day sums are one GROUP BY on `finished_at` (a partial index of real passes that ended well).
 */
const gcPasses = (t: DdlTypes): string => `CREATE TABLE gc_passes (
     id ${t.serialKey}, started_by TEXT NOT NULL, dry_run INTEGER NOT NULL, state TEXT NOT NULL, replica TEXT NOT NULL,
     started_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, lease_until BIGINT NOT NULL, finished_at BIGINT,
     phase TEXT, done BIGINT, total BIGINT, blobs_removed BIGINT, bytes_reclaimed BIGINT, report TEXT, error TEXT
   );
   CREATE INDEX gc_passes_running ON gc_passes (lease_until) WHERE state = 'running';
   CREATE INDEX gc_passes_reclaimed ON gc_passes (finished_at) WHERE state = 'done' AND dry_run = 0;`;

/**
 * 16: the reverse reference indexes carry the column their readers want, so SQLite probes them instead of walking a
 * repository's whole primary key. Without table statistics SQLite preferred the covering primary key with one equal
 * column (repo_id) to a non-covering index with two: "which indexes hold this child" (the pin check's walk up, delete
 * previews, index parents) and "which manifests use this blob here" (blob unlink, GC forecasts) read every reference
 * row of the repository. Same names, one more column; a rebuild of two indexes on upgrade.
 */
const coveringReferenceIndexes = (): string => `DROP INDEX manifest_children_child;
   CREATE INDEX manifest_children_child ON manifest_children (repo_id, child_digest, parent_digest);
   DROP INDEX manifest_blobs_blob;
   CREATE INDEX manifest_blobs_blob ON manifest_blobs (blob_digest, repo_id, manifest_digest);`;

/**
 * 17: a repository's trash, newest first, without reading the whole repository: the trashed manifests and the deleted
 * tags of one repository by time (the trash listings walked every manifest, or every deleted tag, of the repository).
 */
const trashByRepository = (): string => `CREATE INDEX manifests_repo_trash ON manifests (repo_id, deleted_at, digest) WHERE deleted_at IS NOT NULL;
   CREATE INDEX deleted_tags_repo_at ON deleted_tags (repo_id, deleted_at);`;

/** A SQLite table rebuilt with the same columns, constraints and indexes, stored WITHOUT ROWID (see 18). */
const clustered = (
  table: string,
  names: string,
  key: string,
  columns: string,
  indexes: string[],
): string => `CREATE TABLE ${table}_clustered (${columns}) WITHOUT ROWID;
   INSERT INTO ${table}_clustered (${names}) SELECT ${names} FROM ${table} ORDER BY ${key};
   DROP TABLE ${table};
   ALTER TABLE ${table}_clustered RENAME TO ${table};
   ${indexes.map((i) => `${i};`).join('\n   ')}`;

/**
 * 18 (SQLite only): the tables keyed by digest are stored in their primary key's order (WITHOUT ROWID). A rowid table
 * keeps its rows in insertion order and its text key in a second B-tree, so a GC batch of 256 neighbouring digests
 * dirtied 256 scattered row pages in each table and its commit wrote a few MiB of WAL (bench/gc-sweep.ts:
 * beginBlobPurge 477-514 -> 224-294 ms for 10,000 blobs). Same columns, CHECK and REFERENCES clauses and secondary
 * indexes, copied in key order (appending: 14 s instead of 30 for a million blobs). Manifests keep their rowid (their
 * rows carry the body, too large for a key-ordered table), and tags theirs (without statistics SQLite then walked a
 * repository's key to delete one digest's tags). Foreign keys are off while it runs (sqlite/migrate.ts), as a rebuild
 * needs. PostgreSQL stores tables as heaps either way: nothing to do there.
 */
const clusteredKeys = (t: DdlTypes): string =>
  t.engine === 'postgres'
    ? 'SELECT 1'
    : [
        clustered('blobs', 'digest, size, created_at', 'digest', 'digest TEXT PRIMARY KEY, size BIGINT NOT NULL, created_at BIGINT NOT NULL', []),
        clustered(
          'repository_blobs',
          'repo_id, digest, linked_at',
          'repo_id, digest',
          `repo_id TEXT NOT NULL REFERENCES repositories (id), digest TEXT NOT NULL REFERENCES blobs (digest),
     linked_at BIGINT NOT NULL, PRIMARY KEY (repo_id, digest)`,
          ['CREATE INDEX repository_blobs_digest ON repository_blobs (digest)'],
        ),
        clustered(
          'gc_review_queue',
          'kind, repo_id, digest, released_at',
          'kind, repo_id, digest',
          `kind TEXT NOT NULL CHECK (kind IN ('blob', 'manifest')), repo_id TEXT NOT NULL, digest TEXT NOT NULL,
     released_at BIGINT NOT NULL, PRIMARY KEY (kind, repo_id, digest), CHECK (kind = 'manifest' OR repo_id = '')`,
          ['CREATE INDEX gc_review_queue_due ON gc_review_queue (kind, released_at)'],
        ),
        clustered(
          'blob_purges',
          'digest, started_at, owner',
          'digest',
          "digest TEXT PRIMARY KEY, started_at BIGINT NOT NULL, owner TEXT NOT NULL DEFAULT ''",
          [],
        ),
      ].join('\n   ');

export const MIGRATIONS: readonly Migration[] = [
  { version: BASELINE_VERSION, ddl: baseline },
  { version: 7, ddl: processLeases },
  { version: 8, ddl: pinSources },
  { version: 9, ddl: lifecyclePolicies },
  { version: 10, ddl: tagMutabilityExclusions },
  { version: 11, ddl: lifecycleWire },
  { version: 12, ddl: leaseExpiry },
  { version: 13, ddl: gcPasses },
  { version: 15, ddl: writeLocks },
  { version: 16, ddl: coveringReferenceIndexes },
  { version: 17, ddl: trashByRepository },
  { version: 18, ddl: clusteredKeys },
];

export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;
