// The one migration list on PostgreSQL: a schema made before it (this store's own version 1) reads as the shared
// baseline, keeps its data, has the shape a fresh schema gets, and takes a later migration like a fresh one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import pg from 'pg';
import { postgresServer } from '../../../../test/servers.ts';
import type { Actor, Digest } from '../../../core/index.ts';
import { MIGRATIONS, type Migration, SCHEMA_VERSION } from '../migrations.ts';
import { migrate } from './migrate.ts';
import { LEGACY_V1, type Sandbox, sandbox as sandboxOn } from './test-helpers.ts';

const actor: Actor = { principal: 't', dialect: 'oci' };
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const sandbox = async (): Promise<Sandbox> => sandboxOn((await postgresServer()).url);
const NEXT: Migration = { version: SCHEMA_VERSION + 1, ddl: (t) => `ALTER TABLE pins ADD COLUMN note ${t.text}` };

/** Columns and indexes of the sandbox's schema, with the schema name taken out of the index definitions. */
async function shape(box: Sandbox): Promise<unknown> {
  const columns = await box.query(
    `SELECT table_name, column_name, data_type, collation_name, is_nullable, column_default, is_identity
                                   FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, column_name`,
    [box.schema],
  );
  const indexes = (await box.query<{ indexdef: string }>('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [box.schema])).map((i) =>
    i.indexdef.replaceAll(`${box.schema}.`, ''),
  );
  return { columns, indexes };
}

async function migrateWith(box: Sandbox, migrations: readonly Migration[]): Promise<number> {
  const pool = new pg.Pool({ connectionString: box.url, max: 1, options: `-c search_path=${box.schema}` });
  try {
    return await migrate(pool, box.schema, migrations);
  } finally {
    await pool.end();
  }
}

describe('postgres schema: one migration list, old schemas upgrade', () => {
  it('a schema at the old version 1 reads as version 6, keeps its data, matches a fresh schema and takes a later migration', async () => {
    const old = await sandbox();
    const fresh = await sandbox();
    try {
      await old.query(`CREATE SCHEMA ${old.schema}`);
      await old.query(LEGACY_V1);
      const store = await old.open();
      await store.linkBlob('old/app', { digest: d('layer'), size: 5 }, actor, new Date());
      await fresh.open();
      assert.deepEqual(
        await old.query('SELECT version FROM berth_schema_version'),
        [{ version: SCHEMA_VERSION }],
        'opening runs the migrations after 6 (1 reads as 6)',
      );
      assert.deepEqual(await shape(old), await shape(fresh));

      assert.equal(await migrateWith(old, [...MIGRATIONS, NEXT]), NEXT.version);
      assert.equal(await migrateWith(fresh, [...MIGRATIONS, NEXT]), NEXT.version);
      assert.deepEqual(await old.query('SELECT version FROM berth_schema_version'), [{ version: NEXT.version }]);
      assert.deepEqual(await shape(old), await shape(fresh));
      assert.deepEqual(await old.query('SELECT digest, size FROM blobs'), [{ digest: d('layer'), size: '5' }]);
    } finally {
      await old.cleanup();
      await fresh.cleanup();
    }
  });
});
