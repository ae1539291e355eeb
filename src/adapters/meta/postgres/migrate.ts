// Brings a schema up to the version this build expects, safely when several replicas start at the same moment:
// each takes a session advisory lock (one per schema) and re-reads the version under it before every step, and
// each step is one transaction (PostgreSQL's DDL is transactional), so a failed step leaves the old version whole.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { BASELINE_VERSION, type DdlTypes, MIGRATIONS, type Migration } from '../migrations.ts';
import { withClient } from './db.ts';

export const PG_TYPES: DdlTypes = {
  text: 'TEXT COLLATE "C"',
  bytes: 'BYTEA',
  serialKey: 'BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY',
  engine: 'postgres',
};

/** A 64-bit advisory lock key of its own per schema, so two schemas of one database migrate independently. */
function lockKey(schema: string): string {
  return createHash('sha256').update(`berth:migrate:${schema}`).digest().readBigInt64BE(0).toString();
}

async function versionOf(client: pg.PoolClient): Promise<number> {
  const table = await client.query<{ t: string | null }>("SELECT to_regclass('berth_schema_version')::text AS t");
  if (table.rows[0]?.t == null) return 0;
  const row = await client.query<{ version: number }>('SELECT version FROM berth_schema_version');
  const version = row.rows[0]?.version ?? 0;
  // Before the shared migration list this store counted its own history, whose version 1 is the shared baseline.
  return version === 1 ? BASELINE_VERSION : version;
}

function check(found: number, latest: number): void {
  if (found > latest) {
    throw new Error(`metadata database schema is version ${found}, newer than this berth understands (${latest}); upgrade berth`);
  }
}

/** Creates the schema when missing and applies the migrations it lacks; returns the version it ends at. */
export async function migrate(pool: pg.Pool, schema: string, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  const latest = migrations.at(-1)?.version ?? 0;
  // On failure withClient destroys the connection, so the session lock goes with it and never back to the pool.
  return withClient(pool, async (client) => {
    const found = await versionOf(client);
    check(found, latest);
    if (found === latest) return found; // the common case takes no lock at all
    await client.query('SELECT pg_advisory_lock($1::bigint)', [lockKey(schema)]);
    // Checked first: CREATE SCHEMA needs the CREATE right on the database even when the schema exists.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    for (const [i, m] of migrations.entries()) {
      const from = i === 0 ? 0 : migrations[i - 1]!.version;
      const current = await versionOf(client); // another replica may have applied it while we waited
      check(current, latest);
      if (current >= m.version) continue;
      if (current !== from) throw new Error(`metadata schema migration ${m.version} needs version ${from}, found ${current}`);
      await client.query('BEGIN');
      try {
        await client.query('CREATE TABLE IF NOT EXISTS berth_schema_version (version INTEGER NOT NULL)');
        await client.query(m.ddl(PG_TYPES));
        await client.query('DELETE FROM berth_schema_version');
        await client.query('INSERT INTO berth_schema_version (version) VALUES ($1)', [m.version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    }
    const version = await versionOf(client);
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [lockKey(schema)]);
    return version;
  });
}
