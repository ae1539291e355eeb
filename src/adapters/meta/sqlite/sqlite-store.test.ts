import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import type { Actor, Digest, NewManifest, PinPolicy } from '../../../core/index.ts';
import { type MetadataStoreInspector, type ReviewEntry, runMetadataStoreConformance } from '../metadata-store.conformance.ts';
import { MIGRATIONS, SCHEMA_VERSION } from '../migrations.ts';
import { openDb } from './db.ts';
import { createSqliteMetadataStore } from './index.ts';
import { migrate } from './migrate.ts';
import { makeVersion1 } from './test-helpers.ts';

const actor: Actor = { principal: 't', dialect: 'oci' };
const RESPECT_PINS: PinPolicy = { breakPins: false, pulledSince: null };
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;
const INDEX_URL = pathToFileURL(join(import.meta.dirname, 'index.ts')).href;

async function tempFile(): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sqlite-'));
  return { file: join(dir, 'meta.db'), done: () => rm(dir, { recursive: true, force: true }) };
}

/** Reads and pokes the file through a second connection, as an operator (or the GC) would. */
function inspector(file: string): MetadataStoreInspector & { close(): void } {
  let raw: Database.Database | undefined;
  const db = (): Database.Database => (raw ??= new Database(file, { timeout: 5_000 }));
  return {
    async reviewQueue() {
      const rows = db().prepare('SELECT kind, repo_id, digest, released_at FROM gc_review_queue').all() as Array<{
        kind: ReviewEntry['kind'];
        repo_id: string;
        digest: string;
        released_at: number;
      }>;
      return rows.map((r) => ({ kind: r.kind, repoId: r.repo_id, digest: r.digest, releasedAt: new Date(r.released_at) }));
    },
    async setTagMutability(repository, mutability) {
      db().prepare('UPDATE repositories SET tag_mutability = ? WHERE name = ? AND deleted_at IS NULL').run(mutability, repository);
    },
    close: () => raw?.close(),
  };
}

runMetadataStoreConformance('sqlite', async () => {
  const { file, done } = await tempFile();
  const inspect = inspector(file);
  return {
    store: createSqliteMetadataStore({ file }),
    inspect,
    cleanup: async () => {
      inspect.close();
      await done();
    },
  };
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

/** Runs `code` (an ES module body with `store` opened on `file`) in a separate node process, like the CLI beside the server. */
function otherProcess(file: string, code: string): { done(): Promise<string>; killed: Promise<void>; kill(): void; stdout: () => string } {
  const script =
    `import { createSqliteMetadataStore } from ${JSON.stringify(INDEX_URL)};\nimport Database from 'better-sqlite3';\n` +
    `const file = ${JSON.stringify(file)};\nconst store = createSqliteMetadataStore({ file });\n${code}\nawait store.close();`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: import.meta.dirname, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    done: () => exit.then((code) => (code === 0 ? out : Promise.reject(new Error(`child exited ${code}: ${err}`)))),
    killed: exit.then(() => undefined),
    kill: () => child.kill('SIGKILL'),
    stdout: () => out,
  };
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sqlite metadata store: schema and connection', () => {
  it('sets WAL, synchronous NORMAL, foreign keys and the busy timeout on every connection', async () => {
    const { file, done } = await tempFile();
    const db = openDb(file, 1234);
    assert.deepEqual(
      [
        db.raw.pragma('journal_mode', { simple: true }),
        db.raw.pragma('synchronous', { simple: true }),
        db.raw.pragma('foreign_keys', { simple: true }),
        db.raw.pragma('busy_timeout', { simple: true }),
      ],
      ['wal', 1, 1, 1234],
    );
    assert.equal(db.q('SELECT 1'), db.q('SELECT 1'), 'a statement is prepared once');
    db.raw.close();
    assert.throws(() => openDb(file, -1), /busyTimeoutMs/);
    await done();
  });

  it('keeps data across reopen; migrations run once and are idempotent', async () => {
    const { file, done } = await tempFile();
    const a = createSqliteMetadataStore({ file });
    await a.linkBlob('keep/me', { digest: d('x'), size: 1 }, actor, new Date());
    await a.putManifest(image('keep/me', 'kept', { blobs: [d('x')], tag: 'v1' }));
    await a.close();
    const schema = (): unknown => {
      const raw = new Database(file, { readonly: true });
      try {
        return [raw.pragma('user_version', { simple: true }), raw.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()];
      } finally {
        raw.close();
      }
    };
    const first = schema();
    for (let i = 0; i < 3; i++) {
      const b = createSqliteMetadataStore({ file });
      assert.ok(await b.findBlob('keep/me', d('x')));
      assert.equal((await b.getManifest('keep/me', { tag: 'v1' }))!.digest, d('kept'));
      await b.close();
    }
    assert.deepEqual(schema(), first);
    assert.equal((first as [number])[0], SCHEMA_VERSION);
    await done();
  });

  it('upgrades a version-1 file in place, keeping its data and adding the foreign keys', async () => {
    const { file, done } = await tempFile();
    const raw = new Database(file);
    makeVersion1(raw);
    raw.exec(`INSERT INTO repositories (id, name, created_at) VALUES ('crr-aaaaaaaaaaaaaaaa', 'old/app', 1);
              INSERT INTO blobs VALUES ('${d('b')}', 3, 1); INSERT INTO repository_blobs VALUES ('crr-aaaaaaaaaaaaaaaa', '${d('b')}', 1);
              INSERT INTO manifests (repo_id, digest, media_type, size, body, pushed_at) VALUES ('crr-aaaaaaaaaaaaaaaa', '${d('m')}', 'x', 2, x'7b7d', 1);
              INSERT INTO manifest_blobs VALUES ('crr-aaaaaaaaaaaaaaaa', '${d('m')}', '${d('b')}');
              INSERT INTO tags VALUES ('crr-aaaaaaaaaaaaaaaa', 'v1', '${d('m')}', 1);
              INSERT INTO gc_review_queue VALUES ('repository', 'crr-old', '', 1), ('blob', '', '${d('q')}', 2);`);
    raw.close();
    const s = createSqliteMetadataStore({ file });
    assert.equal((await s.getManifest('old/app', { tag: 'v1' }))!.digest, d('m'));
    assert.deepEqual(await s.unlinkBlob('old/app', d('b'), actor, new Date()), { kind: 'referenced', by: [d('m')] });
    assert.deepEqual((await s.findNamespace('old'))?.repositoryCount, 1, 'v5 derives the namespace of existing repositories');
    assert.deepEqual(
      (await s.listRepositorySummaries({ namespace: 'old', limit: 10 })).map((r) => r.name),
      ['old/app'],
    );
    await s.close();
    const check = new Database(file);
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.deepEqual(
      check.prepare('SELECT kind, digest, released_at FROM gc_review_queue').all(),
      [{ kind: 'blob', digest: d('q'), released_at: 2 - 3_600_000 }],
      'review times become release times (one default grace period earlier); the used blob is not queued',
    );
    check.pragma('foreign_keys = ON');
    assert.throws(() => check.prepare('DELETE FROM repository_blobs').run(), /FOREIGN KEY/, 'a used blob cannot lose its link');
    assert.throws(() => check.prepare(`INSERT INTO tags VALUES ('crr-aaaaaaaaaaaaaaaa', 'v2', '${d('none')}', 1)`).run(), /FOREIGN KEY/);
    check.close();
    await done();
  });

  it('a failing migration leaves the file at its old version; a file newer than this build is refused', async () => {
    const { file, done } = await tempFile();
    const raw = new Database(file);
    migrate(raw, MIGRATIONS);
    const foreignKeys = raw.pragma('foreign_keys', { simple: true });
    const broken = [...MIGRATIONS, { version: SCHEMA_VERSION + 1, ddl: () => 'CREATE TABLE half_done (a); SELECT nope FROM nowhere;' }];
    assert.throws(() => migrate(raw, broken), /nowhere/);
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.prepare("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").get(), undefined);
    assert.equal(raw.pragma('foreign_keys', { simple: true }), foreignKeys, 'the connection setting is restored');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
    raw.close();
    assert.throws(() => createSqliteMetadataStore({ file }), /newer than this berth understands/);
    const v1 = new Database(join(file, '..', 'v1.db'));
    makeVersion1(v1);
    v1.exec("INSERT INTO tags VALUES ('crr-aaaaaaaaaaaaaaaa', 'orphan', 'sha256:00', 1)");
    assert.throws(() => migrate(v1, MIGRATIONS), /1 broken reference/, 'an upgrade never drops references silently');
    assert.equal(v1.pragma('user_version', { simple: true }), 1);
    v1.close();
    await done();
  });
});

describe('sqlite metadata store: several processes and crashes', () => {
  it('lets the server and a CLI process write the same file at the same time', async () => {
    const { file, done } = await tempFile();
    const server = createSqliteMetadataStore({ file });
    await server.linkBlob('two/writers', { digest: d('seed'), size: 1 }, actor, new Date());
    // Hold the write lock so the other process must wait on the busy timeout, then write alongside it.
    const lock = new Database(file);
    lock.exec('BEGIN IMMEDIATE');
    const cli = otherProcess(
      file,
      `
      process.stdout.write('started\\n');
      process.stdout.write('writing\\n');
      for (let i = 0; i < 100; i++) await store.linkBlob('two/writers', { digest: 'sha256:' + String(i).padStart(64, 'c'), size: i }, { principal: 'cli', dialect: 'cli' }, new Date());
      process.stdout.write('wrote\\n');`,
    );
    await waitFor(() => cli.stdout().includes('writing'), 'the other process to start writing');
    // It cannot finish while this connection holds the write lock: nothing of it is committed and it has not returned.
    assert.ok(!cli.stdout().includes('wrote'), 'the other process waits for the lock');
    assert.equal((lock.prepare("SELECT count(*) AS n FROM blobs WHERE digest LIKE 'sha256:ccc%'").get() as { n: number }).n, 0);
    lock.exec('COMMIT');
    lock.close();
    for (let i = 0; i < 100; i++) {
      await server.linkBlob('two/writers', { digest: `sha256:${String(i).padStart(64, 'a')}`, size: i }, actor, new Date());
      await new Promise((r) => setImmediate(r));
    }
    await cli.done();
    for (let i = 0; i < 100; i++) {
      assert.ok(await server.findBlob('two/writers', `sha256:${String(i).padStart(64, 'a')}`));
      assert.ok(await server.findBlob('two/writers', `sha256:${String(i).padStart(64, 'c')}`), "the other process's writes are visible at once");
    }
    await server.close();
    await done();
  });

  it('several processes opening a fresh file at once migrate it exactly once', async () => {
    const { file, done } = await tempFile();
    const openers = Array.from({ length: 4 }, (_, i) =>
      otherProcess(
        file,
        `
      await store.linkBlob('race/app${i}', { digest: 'sha256:' + '${i}'.repeat(64), size: 1 }, { principal: 'c', dialect: 'cli' }, new Date());`,
      ),
    );
    for (const o of openers) await o.done();
    const s = createSqliteMetadataStore({ file });
    assert.deepEqual(await s.listRepositories({ after: 'race/', limit: 10 }), ['race/app0', 'race/app1', 'race/app2', 'race/app3']);
    await s.close();
    await done();
  });

  it('gives up after busyTimeoutMs when another connection keeps the write lock', async () => {
    const { file, done } = await tempFile();
    await createSqliteMetadataStore({ file }).close();
    const lock = new Database(file);
    lock.exec('BEGIN IMMEDIATE');
    const s = createSqliteMetadataStore({ file, busyTimeoutMs: 50 });
    const started = Date.now();
    await assert.rejects(s.linkBlob('busy/app', { digest: d('busy'), size: 1 }, actor, new Date()), /locked|busy/i);
    assert.ok(Date.now() - started >= 40);
    lock.exec('ROLLBACK');
    lock.close();
    await s.linkBlob('busy/app', { digest: d('busy'), size: 1 }, actor, new Date());
    await s.close();
    await done();
  });

  it('a process killed mid-write leaves only whole transactions behind', async () => {
    const { file, done } = await tempFile();
    const writer = otherProcess(
      file,
      `
      const raw = new Database(file);
      raw.exec('BEGIN IMMEDIATE');
      raw.prepare("INSERT INTO repositories (id, name, created_at) VALUES ('crr-zzzzzzzzzzzzzzzz', 'half/done', 1)").run();
      raw.prepare("INSERT INTO audit_events (at, principal, dialect, action) VALUES (1, 'c', 'cli', 'half')").run();
      process.stdout.write('in-transaction\\n');
      await new Promise(() => setInterval(() => {}, 1000));`,
    );
    await waitFor(() => writer.stdout().includes('in-transaction'), 'the writer to open a transaction');
    writer.kill();
    await writer.killed;
    const s = createSqliteMetadataStore({ file, busyTimeoutMs: 2_000 });
    assert.equal(await s.findRepository('half/done'), null, 'the open transaction died with its process');
    assert.deepEqual(await s.listAudit({ limit: 5 }), []);
    await s.linkBlob('after/crash', { digest: d('after'), size: 1 }, actor, new Date());
    await s.close();
    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(raw.pragma('foreign_key_check'), []);
    raw.close();
    await done();
  });

  it('a process killed during a burst of pushes leaves every manifest with its references, tag and audit event', async () => {
    const { file, done } = await tempFile();
    const writer = otherProcess(
      file,
      `
      for (let i = 0; ; i++) {
        const body = new TextEncoder().encode('{"n":' + i + '}');
        const blob = 'sha256:' + String(i).padStart(64, '0');
        await store.linkBlob('crash/app', { digest: blob, size: i }, { principal: 'c', dialect: 'cli' }, new Date());
        await store.putManifest({ repository: 'crash/app', digest: 'sha256:' + String(i).padStart(64, 'f'), mediaType: 'x', artifactType: null,
          subject: null, annotations: null, body, blobs: [blob], children: [], tag: 't' + i, at: new Date(), actor: { principal: 'c', dialect: 'cli' } });
        if (i > 0) await store.deleteTag('crash/app', 't' + (i - 1), { principal: 'c', dialect: 'cli' }, new Date(), { policy: { breakPins: false, pulledSince: null }, dropUntagged: false });
        if (i === 30) process.stdout.write('busy\\n');
      }`,
    );
    await waitFor(() => writer.stdout().includes('busy'), 'the writer to get going');
    writer.kill();
    await writer.killed;
    const raw = new Database(file);
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(raw.pragma('foreign_key_check'), []);
    const count = (sql: string): number => (raw.prepare(sql).get() as { n: number }).n;
    const manifests = count('SELECT COUNT(*) AS n FROM manifests');
    assert.ok(manifests > 30);
    assert.equal(count('SELECT COUNT(*) AS n FROM manifest_blobs'), manifests);
    assert.equal(count("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'manifest.put'"), manifests);
    // The kill may fall between a push and the next tag delete, but each tag delete commits with its queue row.
    const tagged = count('SELECT COUNT(*) AS n FROM tags');
    assert.ok(tagged === 1 || tagged === 2, `${tagged} tags`);
    assert.equal(count("SELECT COUNT(*) AS n FROM gc_review_queue WHERE kind = 'manifest'"), manifests - tagged);
    raw.close();
    await done();
  });
});

describe('sqlite metadata store: transactions and tombstones', () => {
  it('a failed transaction leaves nothing behind', async () => {
    const { file, done } = await tempFile();
    const s = createSqliteMetadataStore({ file });
    // A body that cannot be bound makes the INSERT throw after the repository row was written in the same transaction.
    const bad = image('atomic/app', 'a', { body: { byteLength: 2 } as unknown as Uint8Array, tag: 't' });
    await assert.rejects(s.putManifest(bad));
    assert.equal(await s.findRepository('atomic/app'), null);
    assert.deepEqual(await s.listAudit({ limit: 5 }), []);
    assert.equal((await s.putManifest({ ...bad, body: new TextEncoder().encode('{}') })).kind, 'stored');
    await s.close();
    await done();
  });

  it('a repository delete only tombstones the row: its content stays for GC, the live name is free', async () => {
    const { file, done } = await tempFile();
    const s = createSqliteMetadataStore({ file });
    await s.linkBlob('tomb/app', { digest: d('tb'), size: 2 }, actor, new Date());
    await s.putManifest(image('tomb/app', 'tm', { blobs: [d('tb')], tag: 'v1' }));
    const old = await s.findRepository('tomb/app');
    assert.equal((await s.deleteRepository('tomb/app', true, actor, new Date(5_000), RESPECT_PINS)).kind, 'deleted');
    await s.linkBlob('tomb/app', { digest: d('tb'), size: 2 }, actor, new Date());
    await s.close();
    const raw = new Database(file, { readonly: true });
    const rows = (sql: string): unknown[] => raw.prepare(sql).all(old!.id);
    assert.deepEqual(rows('SELECT name, deleted_at FROM repositories WHERE id = ?'), [{ name: 'tomb/app', deleted_at: 5_000 }]);
    assert.equal(rows('SELECT 1 FROM manifests WHERE repo_id = ?').length, 1);
    assert.equal(rows('SELECT 1 FROM tags WHERE repo_id = ?').length, 1);
    assert.equal(rows('SELECT 1 FROM manifest_blobs WHERE repo_id = ?').length, 1);
    assert.equal(rows('SELECT 1 FROM repository_blobs WHERE repo_id = ?').length, 1);
    assert.equal((raw.prepare("SELECT COUNT(*) AS n FROM repositories WHERE name = 'tomb/app'").get() as { n: number }).n, 2);
    raw.close();
    await done();
  });
});

describe('sqlite read cache', () => {
  it('never serves an answer another connection has changed, nor one this connection changed', async () => {
    const { file, done } = await tempFile();
    const server = createSqliteMetadataStore({ file });
    const cli = createSqliteMetadataStore({ file });
    const m = image('cache/app', 'cached', { tag: 'v1' });
    await server.putManifest(m);
    assert.ok(await server.getManifest('cache/app', { tag: 'v1' }), 'warm the cache');
    assert.deepEqual(await server.listTags('cache/app', { limit: 10 }), ['v1']);
    await cli.deleteTag('cache/app', 'v1', actor, new Date(), { policy: RESPECT_PINS, dropUntagged: false });
    // As another process's commit would reach a request: through I/O, so in a later turn of the event loop.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await server.getManifest('cache/app', { tag: 'v1' }), null, "the other connection's delete is seen from the next turn");
    assert.deepEqual(await server.listTags('cache/app', { limit: 10 }), []);
    await server.putManifest({ ...m, tag: 'v2' });
    assert.deepEqual(await server.listTags('cache/app', { limit: 10 }), ['v2'], 'own writes invalidate too');
    assert.equal((await server.getManifest('cache/app', { tag: 'v2' }))!.lastPulledAt, null);
    await server.recordPulls([{ repository: 'cache/app', digest: m.digest, at: new Date(9_000) }]);
    assert.deepEqual((await server.getManifest('cache/app', { tag: 'v2' }))!.lastPulledAt, new Date(9_000));
    await cli.deleteRepository('cache/app', true, actor, new Date(), RESPECT_PINS);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await server.findRepository('cache/app'), null);
    await server.close();
    await cli.close();
    await done();
  });
});
