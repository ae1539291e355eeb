import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { Actor, Digest } from '../../../core/index.ts';
import { runMetadataStoreConformance } from '../metadata-store.conformance.ts';
import { createSqliteMetadataStore } from './index.ts';
import { SCHEMA_VERSION } from './schema.ts';

runMetadataStoreConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sqlite-'));
  return { store: createSqliteMetadataStore({ file: join(dir, 'meta.db') }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

const actor: Actor = { principal: 't', dialect: 'oci' };
const d = (s: string): Digest => `sha256:${createHash('sha256').update(s).digest('hex')}`;

async function tempFile(): Promise<{ file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-sqlite-'));
  return { file: join(dir, 'meta.db'), done: () => rm(dir, { recursive: true, force: true }) };
}

function queue(file: string): Array<{ kind: string; digest: string }> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT kind, digest FROM gc_review_queue ORDER BY kind, digest').all() as Array<{ kind: string; digest: string }>;
  } finally {
    db.close();
  }
}

describe('sqlite metadata store specifics', () => {
  it('keeps data across reopen and migrates idempotently', async () => {
    const { file, done } = await tempFile();
    const a = createSqliteMetadataStore({ file });
    await a.linkBlob('keep/me', { digest: d('x'), size: 1 }, actor, new Date());
    await a.close();
    const b = createSqliteMetadataStore({ file });
    assert.ok(await b.findBlob('keep/me', d('x')));
    await b.close();
    const raw = new Database(file, { readonly: true });
    assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    await done();
  });

  it('lets two connections (server and CLI) write the same file', async () => {
    const { file, done } = await tempFile();
    const server = createSqliteMetadataStore({ file });
    const cli = createSqliteMetadataStore({ file });
    await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? server : cli).linkBlob('two/writers', { digest: d(`b${i}`), size: i }, actor, new Date())));
    for (let i = 0; i < 50; i++) assert.ok(await server.findBlob('two/writers', d(`b${i}`)));
    await server.close();
    await cli.close();
    await done();
  });

  it('queues what loses its last reference and unqueues it on a new reference, in the same transaction', async () => {
    const { file, done } = await tempFile();
    const s = createSqliteMetadataStore({ file });
    const now = new Date();
    await s.linkBlob('gc/app', { digest: d('layer'), size: 5 }, actor, now);
    const body = new TextEncoder().encode('{"gc":1}');
    const m = { repository: 'gc/app', digest: d('man'), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null, subject: null,
      annotations: null, body, blobs: [d('layer')], children: [], tag: 'v1', at: now, actor };
    await s.putManifest(m);
    assert.deepEqual(queue(file), []);
    await s.deleteTag('gc/app', 'v1', actor, now);
    assert.deepEqual(queue(file), [{ kind: 'manifest', digest: d('man') }], 'an untagged manifest is queued for review');
    await s.putManifest(m);
    assert.deepEqual(queue(file), [], 'tagging it again takes it off the queue');
    await s.deleteManifest('gc/app', d('man'), actor, now);
    assert.deepEqual(queue(file), [{ kind: 'blob', digest: d('layer') }], 'its blob lost its last reference');
    await s.linkBlob('gc/other', { digest: d('layer'), size: 5 }, actor, now);
    assert.deepEqual(queue(file), [], 'a new link (upload or mount) rescues it');
    await s.deleteRepository('gc/other', true, actor, now);
    assert.deepEqual(queue(file).map((q) => q.kind), ['repository'], 'a deleted repository waits for purge');
    await s.close();
    await done();
  });

  it('a failed transaction leaves nothing behind', async () => {
    const { file, done } = await tempFile();
    const s = createSqliteMetadataStore({ file });
    const body = new TextEncoder().encode('{}');
    // A body that cannot be bound makes the INSERT throw after the repository row was written in the same transaction.
    const bad = { repository: 'atomic/app', digest: d('a'), mediaType: 'x', artifactType: null, subject: null, annotations: null,
      body: { byteLength: 2 } as unknown as Uint8Array, blobs: [], children: [], tag: 't', at: new Date(), actor };
    await assert.rejects(s.putManifest(bad));
    assert.equal(await s.findRepository('atomic/app'), null);
    assert.equal((await s.putManifest({ ...bad, body })).kind, 'stored');
    await s.close();
    await done();
  });
});

describe('sqlite read cache', () => {
  it('never serves an answer another connection has deleted, nor one this connection changed', async () => {
    const { file, done } = await tempFile();
    const server = createSqliteMetadataStore({ file });
    const cli = createSqliteMetadataStore({ file });
    const body = new TextEncoder().encode('{"cache":1}');
    const m = { repository: 'cache/app', digest: d('cached'), mediaType: 'application/vnd.oci.image.manifest.v1+json', artifactType: null,
      subject: null, annotations: null, body, blobs: [], children: [], tag: 'v1', at: new Date(), actor };
    await server.putManifest(m);
    assert.ok(await server.getManifest('cache/app', { tag: 'v1' }), 'warm the cache');
    assert.deepEqual(await server.listTags('cache/app', { limit: 10 }), ['v1']);
    await cli.deleteTag('cache/app', 'v1', actor, new Date());
    assert.equal(await server.getManifest('cache/app', { tag: 'v1' }), null, 'the other connection\'s delete is seen at once');
    assert.deepEqual(await server.listTags('cache/app', { limit: 10 }), []);
    await server.putManifest({ ...m, tag: 'v2' });
    assert.deepEqual(await server.listTags('cache/app', { limit: 10 }), ['v2'], 'own writes invalidate too');
    await server.close();
    await cli.close();
    await done();
  });
});
