// The PostgreSQL store against a real server: the shared conformance suite on a fresh schema per store, plus what only
// PostgreSQL can get wrong (URL settings, concurrent migrations, byte-wise ordering, BYTEA, NUL, dropped connections).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import pg from 'pg';
import { postgresServer } from '../../../../test/servers.ts';
import { type Actor, type Digest, type NewManifest, RegistryError } from '../../../core/index.ts';
import { runMetadataStoreConformance } from '../metadata-store.conformance.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../migrations.ts';
import { isUnavailable, translate } from './errors.ts';
import { createPostgresMetadataStore } from './index.ts';
import { migrate } from './migrate.ts';
import { sandbox as sandboxOn } from './test-helpers.ts';
import { poolSettings } from './url.ts';

const sandbox = async () => sandboxOn((await postgresServer()).url);
const actor: Actor = { principal: 't', dialect: 'oci' };
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;

runMetadataStoreConformance('postgres', async () => {
  const box = await sandbox();
  return { store: await box.open(), inspect: box.inspector, cleanup: () => box.cleanup() };
});

function image(repository: string, name: string, extra: Partial<NewManifest> = {}): NewManifest {
  const body = new TextEncoder().encode(JSON.stringify({ name }));
  return {
    repository,
    digest: d(name),
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType: null,
    subject: null,
    annotations: null,
    body,
    blobs: [],
    children: [],
    tag: null,
    at: new Date(),
    actor,
    ...extra,
  };
}

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('postgres metadata store: URL', () => {
  it('reads schema, pool and connect timeout from the URL and passes the rest to node-postgres', () => {
    const s = poolSettings('postgres://u:p%40ss@db.local:5433/reg?schema=berth_a&pool=4&connectTimeoutMs=250&sslmode=disable');
    assert.deepEqual(s, { connectionString: 'postgres://u:p%40ss@db.local:5433/reg?sslmode=disable', schema: 'berth_a', poolSize: 4, connectTimeoutMs: 250 });
    assert.deepEqual(poolSettings('postgresql://u@h/db'), { connectionString: 'postgresql://u@h/db', schema: 'public', poolSize: 10, connectTimeoutMs: 5_000 });
    assert.equal(poolSettings('postgres://u@h/db?schema=a', { schema: 'b' }).schema, 'b', 'an explicit option wins');
  });

  it('refuses bad settings with INVALID_REQUEST and never echoes the password', () => {
    for (const url of [
      'postgres://u:secret@h/db?schema=Bad-Name',
      'postgres://u:secret@h/db?schema=a;drop',
      'postgres://u:secret@h/db?pool=0',
      'postgres://u:secret@h/db?pool=x',
      'mysql://u:secret@h/db',
      'postgres://u:secret@/db',
      'postgres://u:secret@h:99999/db',
      'postgres://u:secret@h/db?schema=a&options=-c%20search_path%3Dpublic',
    ]) {
      assert.throws(
        () => poolSettings(url),
        (e: unknown) => e instanceof RegistryError && e.code === 'INVALID_REQUEST' && !e.message.includes('secret'),
        url,
      );
    }
  });
});

describe('postgres metadata store: schema and migrations', () => {
  it('several replicas opening one empty schema at once migrate it exactly once', async () => {
    const box = await sandbox();
    try {
      const stores = await Promise.all(Array.from({ length: 6 }, () => box.open({ poolSize: 2 })));
      await Promise.all(stores.map((s, i) => s.linkBlob(`race/app${i}`, { digest: d(`b${i}`), size: 1 }, actor, new Date())));
      assert.deepEqual(await stores[0]!.listRepositories({ after: 'race/', limit: 10 }), [
        'race/app0',
        'race/app1',
        'race/app2',
        'race/app3',
        'race/app4',
        'race/app5',
      ]);
      assert.deepEqual(await box.query('SELECT version FROM berth_schema_version'), [{ version: SCHEMA_VERSION }]);
    } finally {
      await box.cleanup();
    }
  });

  it('keeps data across reopen; a reopen changes no table', async () => {
    const box = await sandbox();
    try {
      const a = await box.open();
      await a.linkBlob('keep/me', { digest: d('x'), size: 1 }, actor, new Date());
      await a.putManifest(image('keep/me', 'kept', { blobs: [d('x')], tag: 'v1' }));
      await a.close();
      const shape = (): Promise<unknown[]> =>
        box.query(
          `SELECT table_name, column_name, data_type, collation_name FROM information_schema.columns
                                                        WHERE table_schema = $1 ORDER BY table_name, column_name`,
          [box.schema],
        );
      const first = await shape();
      const b = await box.open();
      assert.equal((await b.getManifest('keep/me', { tag: 'v1' }))!.digest, d('kept'));
      assert.deepEqual(await shape(), first);
      assert.ok(
        first.some(
          (c) =>
            (c as { column_name: string; collation_name: string | null }).column_name === 'name' &&
            (c as { collation_name: string | null }).collation_name === 'C',
        ),
        'names compare byte-wise',
      );
    } finally {
      await box.cleanup();
    }
  });

  it('orders tags and repositories byte-wise whatever the database collation', async () => {
    const box = await sandbox();
    try {
      const s = await box.open();
      for (const tag of ['b', 'B', 'a-1', 'a_1', 'a.1', 'Z']) await s.putManifest(image('order/app', `o-${tag}`, { tag }));
      assert.deepEqual(await s.listTags('order/app', { limit: 10 }), ['B', 'Z', 'a-1', 'a.1', 'a_1', 'b']);
      assert.deepEqual(await s.listTags('order/app', { after: 'Z', limit: 2 }), ['a-1', 'a.1']);
    } finally {
      await box.cleanup();
    }
  });

  it('a failing migration leaves the schema at its old version; a schema newer than this build is refused', async () => {
    const box = await sandbox();
    const pool = new pg.Pool({ connectionString: box.url, max: 1, options: `-c search_path=${box.schema}` });
    try {
      assert.equal(await migrate(pool, box.schema, MIGRATIONS), SCHEMA_VERSION);
      const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, ddl: () => 'CREATE TABLE half_done (a int); SELECT nope FROM nowhere;' }];
      await assert.rejects(migrate(pool, box.schema, broken), /nowhere/);
      assert.deepEqual(await box.query('SELECT version FROM berth_schema_version'), [{ version: SCHEMA_VERSION }]);
      assert.deepEqual(await box.query("SELECT to_regclass('half_done') AS t"), [{ t: null }]);
      await box.query('UPDATE berth_schema_version SET version = $1', [SCHEMA_VERSION + 5]);
      await assert.rejects(box.open(), /newer than this berth understands/);
    } finally {
      await pool.end();
      await box.cleanup();
    }
  });

  it('free text PostgreSQL cannot store (a NUL character) is INVALID_REQUEST and changes nothing; ledger keys with NUL work', async () => {
    const box = await sandbox();
    try {
      const s = await box.open();
      await s.putManifest(image('nul/app', 'n', { tag: 'v1' }));
      const pin = { repository: 'nul/app', digest: d('n'), reason: 'deploy\0prod', owner: 'ops', expiresAt: null, at: new Date(), actor };
      await assert.rejects(s.createPin(pin), (e: unknown) => e instanceof RegistryError && e.code === 'INVALID_REQUEST');
      assert.deepEqual(await s.listPins({ now: new Date(), limit: 10 }), []);
      assert.equal((await s.createPin({ ...pin, reason: 'deploy prod' })).kind, 'created');
      assert.equal(await s.useNonce('a\0b', new Date(), new Date(0)), true);
      assert.equal(await s.useNonce('a\\0b', new Date(), new Date(0)), true, 'a key that only looks like the escaped form is another key');
      assert.equal(await s.useNonce('a\0b', new Date(), new Date(0)), false);
    } finally {
      await box.cleanup();
    }
  });

  it('stores bodies as BYTEA and hands them back as Uint8Array, byte for byte', async () => {
    const box = await sandbox();
    try {
      const s = await box.open();
      const body = new Uint8Array(256).map((_, i) => i);
      await s.putManifest({ ...image('bytes/app', 'all-bytes'), body, tag: 't' });
      const got = (await s.getManifest('bytes/app', { tag: 't' }))!.body;
      assert.equal(Object.getPrototypeOf(got), Uint8Array.prototype);
      assert.deepEqual([...got], [...body]);
      assert.deepEqual(
        await box.query("SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'manifests' AND column_name = 'body'", [
          box.schema,
        ]),
        [{ data_type: 'bytea' }],
      );
    } finally {
      await box.cleanup();
    }
  });
});

describe('postgres metadata store: an unreachable or failing server', () => {
  it('opening against a port where nothing listens fails with UNAVAILABLE', async () => {
    const url = `postgres://u:p@127.0.0.1:${await deadPort()}/db`;
    await assert.rejects(
      createPostgresMetadataStore({ url }),
      (e: unknown) => e instanceof RegistryError && e.code === 'UNAVAILABLE' && !e.message.includes(':p@'),
    );
  });

  it('a connection killed by the server answers UNAVAILABLE, and the next call works on a fresh connection', async () => {
    const box = await sandbox();
    try {
      const s = await box.open({ poolSize: 1 });
      await s.ping();
      const killed = await box.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [box.schema]);
      assert.equal(killed.length, 1, "the store's one idle connection");
      // The pool may notice the dead idle connection first (then the call simply works) or use it (then UNAVAILABLE).
      try {
        await s.ping();
      } catch (e) {
        assert.equal((e as RegistryError).code, 'UNAVAILABLE');
      }
      await s.ping();
      await s.linkBlob('after/kill', { digest: d('k'), size: 1 }, actor, new Date());
      assert.ok(await s.findBlob('after/kill', d('k')));
    } finally {
      await box.cleanup();
    }
  });

  it('a transaction whose connection dies mid-way answers UNAVAILABLE and leaves nothing behind', async () => {
    const box = await sandbox();
    try {
      const s = await box.open({ poolSize: 1 });
      await s.linkBlob('mid/way', { digest: d('m0'), size: 1 }, actor, new Date());
      // Hold the repository row so the push blocks inside its transaction, then kill that backend.
      const locker = new pg.Client({ connectionString: box.url, options: `-c search_path=${box.schema}` });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE audit_events IN EXCLUSIVE MODE'); // the push's last statement is its audit event
      const push = s.putManifest(image('mid/way', 'never', { blobs: [d('m0')], tag: 'v1' }));
      let victim: Array<{ pid: number }> = [];
      for (let i = 0; i < 200 && victim.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 10));
        victim = await box.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'", [box.schema]);
      }
      assert.equal(victim.length, 1, 'the push waits on the lock inside its transaction');
      await box.query('SELECT pg_terminate_backend($1)', [victim[0]!.pid]);
      await assert.rejects(push, (e: unknown) => e instanceof RegistryError && e.code === 'UNAVAILABLE');
      await locker.query('ROLLBACK');
      await locker.end();
      assert.equal(await s.getManifest('mid/way', { tag: 'v1' }), null);
      assert.deepEqual(await box.query('SELECT 1 FROM manifests'), [], 'the manifest row written before the kill was rolled back');
      assert.equal((await s.putManifest(image('mid/way', 'never', { blobs: [d('m0')], tag: 'v1' }))).kind, 'stored');
    } finally {
      await box.cleanup();
    }
  });

  it('classifies server states: shutdown, too many connections and timeouts are UNAVAILABLE; bugs stay errors', () => {
    const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
    for (const e of [
      withCode('ECONNREFUSED'),
      withCode('ECONNRESET'),
      withCode('57P01'),
      withCode('57P03'),
      withCode('53300'),
      withCode('08006'),
      withCode('57014'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([withCode('ECONNREFUSED')]),
    ]) {
      assert.ok(isUnavailable(e), e.message);
      assert.equal((translate(e) as RegistryError).code, 'UNAVAILABLE');
    }
    for (const e of [withCode('42P01'), withCode('23505'), withCode('22P02'), withCode('40001'), new TypeError('bug')]) {
      assert.ok(!isUnavailable(e), `${(e as { code?: string }).code ?? e.message}`);
      assert.equal(translate(e), e);
    }
  });
});
