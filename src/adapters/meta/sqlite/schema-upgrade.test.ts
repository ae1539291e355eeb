// The one migration list and SQLite's own history must agree: a fresh file and a file brought up from the first
// schema end identical, an old file keeps its data, and a migration appended to the list reaches old and new alike.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Actor, Digest } from '../../../core/index.ts';
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from '../migrations.ts';
import { listManifestBodies } from '../queries/gc-inspect.ts';
import { runSync, type Statement } from '../sql/query.ts';
import { SQLITE_TRAITS } from './engine.ts';
import { createSqliteMetadataStore } from './index.ts';
import { migrate } from './migrate.ts';
import { makeVersion1 } from './test-helpers.ts';

const actor: Actor = { principal: 't', dialect: 'oci' };
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const dir = await mkdtemp(join(tmpdir(), 'berth-upgrade-'));
after(() => rm(dir, { recursive: true, force: true }));
let files = 0;
const open = (): Database.Database => new Database(join(dir, `f${++files}.db`));

/** Tables, columns (by name; INTEGER and BIGINT are one affinity), foreign keys and indexes, comparable across files. */
function shape(db: Database.Database): unknown {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return tables.map((t) => ({
    table: t,
    columns: (db.pragma(`table_info(${t})`) as Array<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>)
      .map((c) => ({ ...c, type: c.type.replace('BIGINT', 'INTEGER'), cid: undefined }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    keys: (db.pragma(`foreign_key_list(${t})`) as Array<{ table: string; from: string; to: string }>).map((k) => `${k.from}->${k.table}.${k.to}`).sort(),
    indexes: (db.pragma(`index_list(${t})`) as Array<{ name: string; unique: number; partial: number }>)
      .map((i) => ({ ...i, seq: undefined, columns: (db.pragma(`index_info(${i.name})`) as Array<{ name: string }>).map((c) => c.name) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
}

/** A later migration, as the next schema change would append it (one past the real list's last). */
const NEXT: Migration = { version: SCHEMA_VERSION + 1, ddl: (t) => `ALTER TABLE pins ADD COLUMN note ${t.text}` };

describe('sqlite schema: one migration list, old files upgrade', () => {
  it('a fresh file and a version-1 file brought up through the history have the same schema', () => {
    const fresh = open();
    const old = open();
    migrate(fresh);
    makeVersion1(old);
    migrate(old);
    assert.equal(fresh.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(old.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.deepEqual(shape(old), shape(fresh));
    fresh.close();
    old.close();
  });

  it('a file at user_version 6 made before the shared list keeps its data, and a later migration reaches it as it reaches a fresh file', async () => {
    const old = open();
    makeVersion1(old);
    migrate(old);
    const file = old.name;
    old.close();
    const store = createSqliteMetadataStore({ file });
    await store.linkBlob('old/app', { digest: d('layer'), size: 5 }, actor, new Date());
    await store.close();

    const upgraded = new Database(file);
    assert.equal(migrate(upgraded, [...MIGRATIONS, NEXT]), NEXT.version);
    const fresh = open();
    assert.equal(migrate(fresh, [...MIGRATIONS, NEXT]), NEXT.version);
    assert.deepEqual(shape(upgraded), shape(fresh));
    assert.ok((upgraded.pragma('table_info(pins)') as Array<{ name: string }>).some((c) => c.name === 'note'));
    assert.deepEqual(upgraded.prepare('SELECT digest, size FROM blobs').all(), [{ digest: d('layer'), size: 5 }]);
    upgraded.close();
    fresh.close();
  });

  it('rebuilds the digest-keyed tables in key order (18) with every row, reference and index they had at 17', () => {
    const db = open();
    assert.equal(
      migrate(
        db,
        MIGRATIONS.filter((m) => m.version <= 17),
      ),
      17,
    );
    const rows = {
      repositories: "INSERT INTO repositories (id, name, created_at) VALUES ('r1', 'old/app', 1)",
      blobs: `INSERT INTO blobs (digest, size, created_at) VALUES ('${d('a')}', 5, 2), ('${d('b')}', 7, 3)`,
      repository_blobs: `INSERT INTO repository_blobs (repo_id, digest, linked_at) VALUES ('r1', '${d('a')}', 4)`,
      gc_review_queue: `INSERT INTO gc_review_queue (kind, repo_id, digest, released_at) VALUES ('blob', '', '${d('b')}', 5)`,
      blob_purges: `INSERT INTO blob_purges (digest, started_at, owner) VALUES ('${d('c')}', 6, 'o')`,
    };
    for (const sql of Object.values(rows)) db.exec(sql);
    const before = Object.keys(rows).map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all());
    // The four tables as 17 left them; a key column of a WITHOUT ROWID table is NOT NULL, as it was in practice.
    const rebuilt = (x: Database.Database): unknown =>
      (shape(x) as Array<{ table: string; columns: Array<{ pk: number; notnull: number }> }>)
        .filter((t) => ['blobs', 'repository_blobs', 'gc_review_queue', 'blob_purges'].includes(t.table))
        .map((t) => ({ ...t, columns: t.columns.map((c) => ({ ...c, notnull: c.pk > 0 ? 1 : c.notnull })) }));
    const shapeAt17 = rebuilt(db);
    assert.equal(migrate(db), SCHEMA_VERSION);
    assert.deepEqual(rebuilt(db), shapeAt17, 'the same columns, references and indexes as at 17');
    assert.deepEqual(
      Object.keys(rows).map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()),
      before,
    );
    const layout = db
      .prepare(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name IN ('blobs', 'repository_blobs', 'gc_review_queue', 'blob_purges', 'manifests')",
      )
      .all() as Array<{ name: string; sql: string }>;
    assert.deepEqual(
      layout
        .filter((t) => t.sql.endsWith('WITHOUT ROWID'))
        .map((t) => t.name)
        .sort(),
      ['blob_purges', 'blobs', 'gc_review_queue', 'repository_blobs'],
    );
    db.pragma('foreign_keys = ON');
    assert.deepEqual(db.pragma('foreign_key_check'), []);
    assert.throws(() => db.exec(`INSERT INTO repository_blobs (repo_id, digest, linked_at) VALUES ('r1', '${d('nothing')}', 8)`), /FOREIGN KEY/);
    const fresh = open();
    migrate(fresh);
    assert.deepEqual(shape(db), shape(fresh));
    db.close();
    fresh.close();
  });

  it('waits for another process that holds the write lock longer than the busy timeout (an upgrade in progress), then finds its work done', async () => {
    const db = open();
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version <= 17),
    );
    db.pragma('journal_mode = WAL');
    const file = db.name;
    db.close();
    // Another process takes the write lock, as one migrating a large file does, and moves the file to the latest
    // version only after 1.5 s, ten times the busy timeout below.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
         const db = new D(${JSON.stringify(file)});
         db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
         setTimeout(() => { db.pragma('user_version = ${SCHEMA_VERSION}'); db.exec('COMMIT'); db.close(); }, 1500);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    const waiting = new Database(file, { timeout: 150 });
    const started = Date.now();
    assert.equal(migrate(waiting), SCHEMA_VERSION, 'no SQLITE_BUSY: the version the other process wrote');
    assert.ok(Date.now() - started >= 1_000, 'it waited for the lock');
    waiting.close();
    await new Promise((resolve) => holder.once('exit', resolve));
  });

  it('keeps ledger keys as SQLite always stored them: a nonce recorded before the upgrade is still used', async () => {
    const file = open().name;
    const store = createSqliteMetadataStore({ file });
    const raw = new Database(file);
    // How berth before the shared query layer stored an ACR nonce: the key as the dialect joined it, NULs and all.
    raw.prepare('INSERT INTO nonces (key, used_at) VALUES (?, ?)').run('acr\0AKOLD\0nonce-1', Date.now());
    raw.close();
    assert.equal(await store.useNonce('acr\0AKOLD\0nonce-1', new Date(), new Date(0)), false, 'a replay of the old nonce is refused');
    assert.equal(await store.useNonce('acr\0AKOLD\0nonce-2', new Date(), new Date(0)), true);
    await store.close();
  });

  it("fsck's body pager seeks the (repo_id, digest) key on both columns, so paging a large repository stays linear", () => {
    const statements: Statement[] = [];
    const record = (s: Statement): unknown[] => {
      statements.push(s);
      return [];
    };
    runSync(listManifestBodies('crr-a sha256:b', 100), record, SQLITE_TRAITS);
    const db = open();
    migrate(db);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${statements[0]!.sql}`).all({ 1: 'crr-a', 2: 'sha256:b', 3: 100 }) as Array<{ detail: string }>;
    db.close();
    assert.ok(
      plan.some((p) => p.detail.includes('(repo_id,digest)>(?,?)')),
      JSON.stringify(plan),
    );
  });
});
