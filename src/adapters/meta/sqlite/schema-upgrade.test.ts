// The one migration list and SQLite's own history must agree: a fresh file and a file brought up from the first
// schema end identical, an old file keeps its data, and a migration appended to the list reaches old and new alike.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Actor, Digest } from '../../../core/index.ts';
import { MIGRATIONS, type Migration } from '../migrations.ts';
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

/** A later migration, as the next schema change would append it. */
const NEXT: Migration = { version: 7, ddl: (t) => `ALTER TABLE pins ADD COLUMN source ${t.text}` };

describe('sqlite schema: one migration list, old files upgrade', () => {
  it('a fresh file and a version-1 file brought up through the history have the same schema', () => {
    const fresh = open();
    const old = open();
    migrate(fresh);
    makeVersion1(old);
    migrate(old);
    assert.equal(fresh.pragma('user_version', { simple: true }), 6);
    assert.equal(old.pragma('user_version', { simple: true }), 6);
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
    assert.equal(migrate(upgraded, [...MIGRATIONS, NEXT]), 7);
    const fresh = open();
    assert.equal(migrate(fresh, [...MIGRATIONS, NEXT]), 7);
    assert.deepEqual(shape(upgraded), shape(fresh));
    assert.ok((upgraded.pragma('table_info(pins)') as Array<{ name: string }>).some((c) => c.name === 'source'));
    assert.deepEqual(upgraded.prepare('SELECT digest, size FROM blobs').all(), [{ digest: d('layer'), size: 5 }]);
    upgraded.close();
    fresh.close();
  });
});
